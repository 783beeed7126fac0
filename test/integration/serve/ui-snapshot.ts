// A private copy of the built UI for a test run. out/renderer is rebuilt by every vitest run's
// global setup (emptied first), so a test serving it directly could meet a half-built folder
// when another run starts alongside. Copy it once it is complete, and serve the copy.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../support/paths';

function complete(dir: string): boolean {
  const index = path.join(dir, 'index.html');
  if (!existsSync(index)) return false;
  const refs = [...readFileSync(index, 'utf8').matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((m) => m[1]);
  return refs.length > 0 && refs.every((r) => existsSync(path.join(dir, r)));
}

export async function snapshotUi(): Promise<{ dir: string; remove(): void }> {
  const source = path.join(repoRoot, 'out/renderer');
  for (let attempt = 0; attempt < 40; attempt++) {
    if (complete(source)) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'tether-ui-'));
      try {
        cpSync(source, dir, { recursive: true });
        if (complete(dir)) return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
      } catch {
        // The folder changed under us; try again.
      }
      rmSync(dir, { recursive: true, force: true });
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${source} has no complete UI build; run \`npm run build:renderer\``);
}
