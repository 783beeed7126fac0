// The app's simulated printer with a second MCU: when the user adds [mcu toolboard] to the
// sim's printer.cfg, the app services start one sim per MCU, and the host (a real worker
// thread) gets ready with both.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppServices, SIM_PRINTER_ID, simConfigPath } from '../../../src-main/app/services';
import { repoRoot } from '../../support/paths';
import { toolboardConfig } from './multi-mcu-printer';

const entryUrl = pathToFileURL(path.join(repoRoot, 'src-main/cli.ts')).href;
const appInfo = (dataDir: string) => ({ appVersion: '0', mode: 'serve' as const, platform: 'linux', dataDir });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('the simulated printer with [mcu toolboard]', () => {
  it('starts a sim for each MCU and the printer gets ready', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tether-sim-toolboard-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // First start creates the simulated printer (no sim binary: nothing runs yet).
    const first = createAppServices({
      dataDir: dir,
      entryUrl,
      appInfo: appInfo(dir),
      simulatedPrinter: true,
      simBinary: path.join(dir, 'no-such-sim'),
      log: () => undefined,
    });
    await first.start();
    await first.stop();
    // The user moves the extruder and Z's switch to a toolboard.
    const cfgPath = simConfigPath(dir);
    writeFileSync(cfgPath, toolboardConfig(path.dirname(cfgPath), readFileSync(cfgPath, 'utf8')));

    const log: string[] = [];
    const services = createAppServices({ dataDir: dir, entryUrl, appInfo: appInfo(dir), simulatedPrinter: true, log: (m) => log.push(m) });
    cleanups.unshift(() => services.stop());
    await services.start();
    const deadline = Date.now() + 30_000;
    while (services.fleet.summary(SIM_PRINTER_ID).state === 'starting' && Date.now() < deadline) await sleep(100);
    const summary = services.fleet.summary(SIM_PRINTER_ID);
    expect(summary.state, summary.stateMessage).toBe('ready');
    const text = log.join('\n');
    expect(text).toContain(`Simulated printer running on ${path.join(dir, 'sim', 'ttyTether')}`);
    expect(text).toContain(`Simulated printer [mcu toolboard] running on ${path.join(dir, 'sim', 'tty-toolboard')}`);
  }, 60_000);
});
