// `tether serve` as a user runs it: a real process through tsx, stopped with Ctrl+C (SIGINT).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/paths';
import { snapshotUi } from './ui-snapshot';

const cli = path.join(repoRoot, 'src-main/cli.ts');
const tsxArgs = ['--import', 'tsx', cli];
let ui: { dir: string; remove(): void } | null = null;
beforeAll(async () => {
  ui = await snapshotUi();
});
afterAll(() => ui?.remove());

describe('tether CLI', () => {
  it('lists its commands, and refuses unknown ones', () => {
    const help = spawnSync(process.execPath, [...tsxArgs, '--help'], { cwd: repoRoot, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Commands:\n\s+serve\s+Run the host/);
    const bad = spawnSync(process.execPath, [...tsxArgs, 'fly'], { cwd: repoRoot, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unknown command 'fly'");
  });

  it('refuses a network bind without a token, saying what to do', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tether-cli-'));
    const r = spawnSync(
      process.execPath,
      [...tsxArgs, 'serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', dataDir, '--ui-dir', ui!.dir],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, TETHER_TOKEN: '' },
      },
    );
    rmSync(dataDir, { recursive: true, force: true });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Refusing to bind 0.0.0.0 without a token');
    expect(r.stderr).toContain('--token');
  });

  it('serves until interrupted, then stops cleanly', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tether-cli-'));
    const child = spawn(process.execPath, [...tsxArgs, 'serve', '--port', '0', '--data-dir', dataDir, '--ui-dir', ui!.dir], {
      cwd: repoRoot,
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => out, { timeout: 30_000 }).toMatch(/serving http:\/\/127\.0\.0\.1:\d+\//);
      const url = /serving (http:\/\/\S+)/.exec(out)![1];
      const res = await fetch(url);
      expect(res.status).toBe(200);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(out).toContain('Stopping');
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
