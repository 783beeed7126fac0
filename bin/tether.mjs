#!/usr/bin/env node
// `tether` on PATH (npm link / installed package): runs the built CLI (out/main/cli.js, made by
// `npm run build`), or the TypeScript source through tsx in a development checkout.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'out/main/cli.js');
if (existsSync(built)) {
  const { main } = await import(pathToFileURL(built).href);
  process.exitCode = await main(process.argv.slice(2), pathToFileURL(built).href);
} else {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src-main/cli.ts'), ...process.argv.slice(2)], {
    stdio: 'inherit',
    cwd: process.cwd(),
  });
  process.exitCode = r.status ?? 1;
}
