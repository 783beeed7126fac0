// The whole host on Tether's AVR firmware in simavr-printer, for live tests: the atmega2560
// image behind a pty, paced to a fraction of real time, resources/printers/tether-sim.cfg with the
// board program's thermistor pins, steppers counted on their pins, a heater model and endstop
// switches driven by the counted carriage positions. The counts come from SIGUSR1 reports.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Host } from '../../../src-main/host/host';
import { repoRoot, testOutputDir } from '../../support/paths';
import { buildAvr, printerBin } from './harness';

export interface LiveReport {
  rises: Record<string, number>;
  /** Net steps per --stepper pair, by step pin. */
  positions: Record<string, number>;
  min_high: Record<string, number>;
  heater_c: number;
}

export interface LiveAvrOptions {
  /** Output folder under test-output (printer.cfg, report.json, uart-in/out.bin, tty). */
  name: string;
  /** Simulated time as a fraction of real time. */
  speed: string;
  /** Steps from each carriage's start to its switch: X, Y, Z. */
  endstopSteps: [number, number, number];
  /** Changes to the config text (after the pin substitutions). */
  editConfig?: (cfg: string) => string;
  /** Extra environment for the board program (SIMAVR_PRINTER_LOG=1 is set unless given). */
  env?: Record<string, string>;
}

export interface LiveAvrPrinter {
  host: Host;
  dir: string;
  /** The simulator's counts now. */
  report(): Promise<LiveReport>;
  /** The counts once they stop changing (the simulator may run behind the host's estimate). */
  settledReport(): Promise<LiveReport>;
  /** Runs G-code; returns what it printed; a failure names the printer's state. */
  run(script: string): Promise<string>;
  /** GET_POSITION's toolhead line: the commanded position in mm by axis letter. */
  toolheadMm(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export async function startLiveAvrPrinter(opts: LiveAvrOptions): Promise<LiveAvrPrinter> {
  const img = buildAvr('atmega2560', 16000000);
  const dir = path.join(testOutputDir, opts.name);
  mkdirSync(dir, { recursive: true });
  const tty = path.join(dir, 'tty');
  const reportPath = path.join(dir, 'report.json');
  // The board program's thermistors are on ADC4/ADC3 (PF4/PF3), not tether-sim.cfg's PK5/PK6.
  let cfg = readFileSync(path.join(repoRoot, 'resources/printers/tether-sim.cfg'), 'utf8')
    .replace(/^serial: .*$/m, `serial: ${tty}`)
    .replace('sensor_pin: PK5', 'sensor_pin: PF4\nmin_extrude_temp: 40')
    .replace('sensor_pin: PK6', 'sensor_pin: PF3');
  if (opts.editConfig) cfg = opts.editConfig(cfg);
  const configPath = path.join(dir, 'printer.cfg');
  writeFileSync(configPath, cfg);
  const [ex, ey, ez] = opts.endstopSteps;
  const proc: ChildProcess = spawn(
    printerBin,
    [
      ...['--mcu', 'atmega2560', '--freq', '16000000', '--elf', path.join(img.dir, 'tether.elf')],
      ...['--pty', '--link', tty, '--speed', opts.speed, '--report', reportPath, '--heater', 'PB4:4'],
      // Both directions recorded for a failure's post-mortem (tether decode).
      ...['--uart-in', path.join(dir, 'uart-in.bin'), '--uart-out', path.join(dir, 'uart-out.bin')],
      ...['--stepper', 'PF0:PF1', '--stepper', 'PF6:PF7', '--stepper', 'PL3:PL1', '--stepper', 'PA4:PA6'],
      ...['--endstop', `PE5:PF0:+:${ex}`, '--endstop', `PJ1:PF6:-:${ey}`, '--endstop', `PD3:PL3:+:${ez}`],
    ],
    // SIMAVR_PRINTER_LOG=1: simavr's errors (why a chip crashed) into simavr-printer.log.
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SIMAVR_PRINTER_LOG: process.env.SIMAVR_PRINTER_LOG ?? '1', ...opts.env } },
  );
  let output = '';
  proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const t = setInterval(() => {
      if (output.includes('pty: ')) {
        clearInterval(t);
        resolve();
      }
    }, 20);
    proc.on('exit', (c) => {
      clearInterval(t);
      reject(new Error(`simavr-printer exited (${c}):\n${output}`));
    });
  });
  let host: Host;
  try {
    host = await Host.start({ configPath });
    await host.started;
  } catch (e) {
    proc.kill('SIGTERM');
    throw e;
  }

  const report = async (): Promise<LiveReport> => {
    const seen = output.length;
    proc.kill('SIGUSR1');
    const t0 = Date.now();
    while (!output.slice(seen).includes('report\n')) {
      if (Date.now() - t0 > 10_000) throw new Error('simavr-printer wrote no report');
      await new Promise((r) => setTimeout(r, 20));
    }
    return JSON.parse(readFileSync(reportPath, 'utf8')) as LiveReport;
  };
  const run = async (script: string): Promise<string> => {
    const log: string[] = [];
    const off = host.gcode.onResponse((_k, t) => log.push(t));
    try {
      await host.gcode.run(script);
    } catch (e) {
      throw new Error(`${(e as Error).message} (printer: ${host.printer.stateMessage})\n${log.slice(-20).join('\n')}`);
    } finally {
      off();
    }
    return log.join('\n');
  };
  return {
    host,
    dir,
    report,
    async settledReport() {
      let last = await report();
      for (let i = 0; i < 50; i++) {
        await new Promise((r) => setTimeout(r, 300));
        const next = await report();
        if (JSON.stringify(next.positions) === JSON.stringify(last.positions)) return next;
        last = next;
      }
      return last;
    },
    run,
    async toolheadMm() {
      const text = await run('GET_POSITION');
      const line = /^\/\/ toolhead: (.*)$/m.exec(text);
      if (!line) throw new Error(`GET_POSITION printed no toolhead line:\n${text}`);
      return Object.fromEntries(line[1]!.split(' ').map((kv) => [kv.split(':')[0]!, Number(kv.split(':')[1])]));
    },
    async stop() {
      await host.stop();
      if (proc.exitCode === null) {
        // CPU the board program used (utime + stime, clock ticks of 10 ms), for the log.
        const stat = readFileSync(`/proc/${proc.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        output += `cpu: ${(Number(stat[11]) + Number(stat[12])) / 100} s\n`;
        await new Promise<void>((resolve) => {
          proc.on('exit', () => resolve());
          proc.kill('SIGTERM');
        });
      }
      // What the board program said (a crashed chip: its cycle, pc and stack pointer).
      writeFileSync(path.join(dir, 'simavr-printer.log'), output.replace(/^report\n/gm, ''));
    },
  };
}
