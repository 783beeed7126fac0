// A live printer for tests: a printer.cfg run on the sim (generated machine, real pty) and the
// host connected to it. Everything it writes goes under test-output/live/<name>-<pid>-<n>/.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Host } from '../../../src-main/host/host';
import { startSimPrinter, type SimPrinter } from '../../../src-main/host/sim/launch';
import type { SimMachineOverrides } from '../../../src-main/host/sim/machine';
import { repoRoot, testOutputDir } from '../../support/paths';
import { runCollectingResponses } from '../../support/gcode-run';

export const defaultSimConfig = path.join(repoRoot, 'resources/printers/tether-sim.cfg');

let counter = 0;

export interface LivePrinter {
  dir: string;
  configPath: string;
  sim: SimPrinter;
  host: Host;
  /** Runs G-code and returns what it printed (throws with the error text and the output). */
  run(script: string): Promise<string>;
  /** Every trace event so far (the sim flushes its trace at least once a second). */
  trace(): Record<string, unknown>[];
  stop(): Promise<void>;
}

/** Writes `configText` (default: the resources sim printer, with `edit` applied) with a private pty path. */
export function writeTestConfig(name: string, edit: (cfg: string) => string = (c) => c): { dir: string; configPath: string } {
  const dir = path.join(testOutputDir, 'live', `${name}-${process.pid}-${counter++}`);
  mkdirSync(dir, { recursive: true });
  const base = readFileSync(defaultSimConfig, 'utf8').replace(/^serial: .*$/m, `serial: ${path.join(dir, 'tty')}`);
  const configPath = path.join(dir, 'printer.cfg');
  writeFileSync(configPath, edit(base));
  return { dir, configPath };
}

/** GET_POSITION's 'name: a:1 b:2' lines as numbers. */
export function parsePosition(text: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const line of text.split('\n')) {
    const m = /^\/\/ ([a-z ]+): (.*)$/.exec(line);
    if (!m) continue;
    out[m[1]!] = Object.fromEntries(m[2]!.split(' ').map((kv) => [kv.split(':')[0]!, Number(kv.split(':')[1])]));
  }
  return out;
}

export async function startLivePrinter(
  name: string,
  opts: { edit?: (cfg: string) => string; overrides?: SimMachineOverrides; simArgs?: string[] } = {},
): Promise<LivePrinter> {
  const { dir, configPath } = writeTestConfig(name, opts.edit);
  const sim = await startSimPrinter({ configPath, dataDir: dir, overrides: opts.overrides, extraArgs: opts.simArgs });
  const host = await Host.start({ configPath });
  await host.started;
  if (host.printer.state !== 'ready') {
    await host.stop();
    await sim.stop();
    throw new Error(`host did not get ready: ${host.printer.stateMessage}`);
  }
  return {
    dir,
    configPath,
    sim,
    host,
    run: (script) => runCollectingResponses(host, script),
    trace() {
      return readTraceEvents(sim.tracePath);
    },
    async stop() {
      await host.stop();
      await sim.stop();
    },
  };
}

/** The sim's trace as parsed JSON lines (a line cut short by a kill is skipped). */
export function readTraceEvents(tracePath: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const l of readFileSync(tracePath, 'utf8').split('\n')) {
    if (!l.startsWith('{')) continue;
    try {
      out.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      // partial last line
    }
  }
  return out;
}
