// First start with nothing configured: the app services create "Simulated printer" from the
// packaged sim config (copied into the data folder, its pty moved there too) and try to start
// the sim for it; a missing sim binary is logged with the command that builds it. Hosts are real
// worker threads.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppServices, SIM_PRINTER_NAME, simConfigPath } from '../../../src-main/app/services';
import { repoRoot } from '../../support/paths';

const entryUrl = pathToFileURL(path.join(repoRoot, 'src-main/cli.ts')).href;
const appInfo = (dataDir: string) => ({ appVersion: '0', mode: 'serve' as const, platform: 'linux', dataDir });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function dataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tether-default-printer-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('default simulated printer', () => {
  it('is created once from resources/printers/tether-sim.cfg with its pty in the data folder', async () => {
    const dir = dataDir();
    const log: string[] = [];
    const services = createAppServices({
      dataDir: dir,
      entryUrl,
      appInfo: appInfo(dir),
      simulatedPrinter: true,
      simBinary: path.join(dir, 'no-such-sim'),
      log: (m) => log.push(m),
    });
    cleanups.unshift(() => services.stop());
    await services.start();
    expect(services.fleet.list()).toMatchObject([{ id: 'simulated-printer', name: SIM_PRINTER_NAME, configPath: simConfigPath(dir) }]);
    const cfg = readFileSync(simConfigPath(dir), 'utf8');
    expect(cfg).toContain(`serial: ${path.join(dir, 'sim', 'ttyTether')}`);
    expect(cfg).toContain('[stepper_x]');
    // The rest of the packaged config is kept as it is.
    expect(cfg.replace(/^serial:.*$/m, '')).toBe(
      readFileSync(path.join(repoRoot, 'resources/printers/tether-sim.cfg'), 'utf8').replace(/^serial:.*$/m, ''),
    );
    expect(log.join('\n')).toMatch(/Cannot start the simulated printer: .*no-such-sim.*npm run build:firmware/s);

    // A second start keeps the printer list and the user's edits to the sim's printer.cfg.
    await services.stop();
    writeFileSync(simConfigPath(dir), cfg + '\n# my edit\n');
    const again = createAppServices({
      dataDir: dir,
      entryUrl,
      appInfo: appInfo(dir),
      simulatedPrinter: true,
      simBinary: path.join(dir, 'no-such-sim'),
      log: () => undefined,
    });
    cleanups.unshift(() => again.stop());
    await again.start();
    expect(again.fleet.list().map((p) => p.name)).toEqual([SIM_PRINTER_NAME]);
    expect(readFileSync(simConfigPath(dir), 'utf8')).toContain('# my edit');
  }, 60_000);

  it('is not created when a config is given, nor when the app is not asked to', async () => {
    const dir = dataDir();
    const withConfig = createAppServices({
      dataDir: dir,
      entryUrl,
      appInfo: appInfo(dir),
      simulatedPrinter: true,
      configPath: path.join(repoRoot, 'resources/printers/tether-sim.cfg'),
      log: () => undefined,
    });
    // Only the printer records matter here: no host needs to run.
    expect(existsSync(path.join(dir, 'printers.json'))).toBe(false);
    const dir2 = dataDir();
    const off = createAppServices({ dataDir: dir2, entryUrl, appInfo: appInfo(dir2), log: () => undefined });
    cleanups.unshift(() => off.stop());
    await off.start();
    expect(off.fleet.list()).toMatchObject([{ id: 'printer-1', name: 'Printer 1', configPath: null }]);
    expect(existsSync(simConfigPath(dir2))).toBe(false);
    withConfig.hardware.close();
  }, 60_000);
});
