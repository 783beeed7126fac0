// Starts the sim firmware (firmware/build/sim/tether-sim) on a real pty for MCU-link tests and
// reads back its trace. The binary is built by test/global-setup.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, testOutputDir } from '../../support/paths';

export const simBinary = path.join(repoRoot, 'firmware/build/sim/tether-sim');
export const simDictPath = path.join(repoRoot, 'firmware/build/sim/tether-sim.dict.json');

export interface SimProcess {
  /** The pty path printed by the sim. */
  pty: string;
  tracePath: string;
  proc: ChildProcess;
  /** SIGTERM and wait for exit (flushes the trace). */
  stop(): Promise<void>;
  /** SIGKILL, no cleanup: the device "vanishes". */
  kill(): void;
  exited: Promise<number | null>;
}

export function simBuilt(): boolean {
  return existsSync(simBinary);
}

let counter = 0;

/**
 * Starts the sim. Retries a few times when the binary cannot be executed for a moment: other
 * suites' global setup may be relinking it in the shared checkout (EACCES/ETXTBSY while written).
 */
export async function startSim(name: string, extraArgs: string[] = []): Promise<SimProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startSimOnce(name, extraArgs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (attempt >= 6 || !['EACCES', 'ETXTBSY', 'ENOENT', 'ENOEXEC'].includes(code ?? '')) throw e;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

async function startSimOnce(name: string, extraArgs: string[]): Promise<SimProcess> {
  const dir = path.join(testOutputDir, 'mcu-sim');
  mkdirSync(dir, { recursive: true });
  const tracePath = path.join(dir, `${name}-${process.pid}-${counter++}.trace.jsonl`);
  const proc = spawn(simBinary, ['--trace', tracePath, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += String(d)));
  const spawnError = new Promise<never>((_resolve, reject) => proc.on('error', reject));
  spawnError.catch(() => undefined);
  const exited = new Promise<number | null>((resolve) => {
    proc.on('exit', (code) => resolve(code));
    proc.on('error', () => resolve(null));
  });
  const ready = new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`tether-sim did not print 'pty:' within 10 s; stderr: ${stderr}`)), 10_000);
    proc.stdout!.on('data', (d) => {
      out += String(d);
      const m = /pty: (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on('exit', (code) => reject(new Error(`tether-sim exited with ${code} before it was ready: ${stderr}`)));
  });
  ready.catch(() => undefined); // a spawn error wins the race below; do not leave this unhandled
  const pty = await Promise.race([ready, spawnError]);
  return {
    pty,
    tracePath,
    proc,
    exited,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
    kill() {
      proc.kill('SIGKILL');
    },
  };
}

export interface TraceCommand {
  clock: number;
  name: string;
  args: Record<string, number | string>;
}

/** Every command the sim dispatched, in dispatch order. */
export function readTraceCommands(tracePath: string): TraceCommand[] {
  const out: TraceCommand[] = [];
  for (const line of readFileSync(tracePath, 'utf8').split('\n')) {
    if (!line.includes('"ev":"cmd"')) continue;
    const ev = JSON.parse(line) as TraceCommand & { ev: string };
    out.push({ clock: ev.clock, name: ev.name, args: ev.args });
  }
  return out;
}
