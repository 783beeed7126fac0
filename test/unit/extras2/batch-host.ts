// A batch-mode Host (MCU output to a discarded file, no clock) on CARTESIAN plus extra sections,
// for the extras2 unit tests: real config loading, G-code and objects, without real-time motion.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Host } from '../../../src-main/host/host';
import { runCollectingResponses } from '../../support/gcode-run';
import { testOutputDir } from '../../support/paths';
import { atmegaDict, CARTESIAN, discard } from '../objects/load-helpers';

let counter = 0;

export interface BatchHost {
  h: Host;
  dir: string;
  cfg: string;
  run(script: string): Promise<string>;
  status(name: string): Record<string, unknown>;
  stop(): Promise<void>;
}

export function testDir(name: string): string {
  const dir = path.join(testOutputDir, 'extras2', `${name}-${process.pid}-${counter++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Starts a batch host on printer.cfg = CARTESIAN + extra in `dir` (default a fresh one). */
export function startBatchHost(extra: string, dir = testDir('host')): Promise<BatchHost> {
  return startBatchHostText(`${CARTESIAN}\n${extra}\n`, dir);
}

/** Starts a batch host on a whole printer.cfg text in `dir` (default a fresh one). */
export async function startBatchHostText(text: string, dir = testDir('host')): Promise<BatchHost> {
  const cfg = path.join(dir, 'printer.cfg');
  writeFileSync(cfg, text);
  const h = await Host.start({ configPath: cfg, mcuFileOutput: { dictionary: atmegaDict, output: discard() } });
  if (h.info().stateMessage !== 'Printer is ready') {
    const msg = h.info().stateMessage;
    await h.stop();
    throw new Error(`host not ready: ${msg}`);
  }
  return {
    h,
    dir,
    cfg,
    run: (script) => runCollectingResponses(h, script),
    status: (n) => h.printer.lookupObject<{ getStatus(): Record<string, unknown> }>(n).getStatus(),
    stop: () => h.stop(),
  };
}
