// (Opt-in: TETHER_AVR_LIVE=1; the print also TETHER_AVR_PRINT=1. See the describe below.)
// The whole host on Tether's AVR firmware on simulated silicon: resources/printers/tether-sim.cfg
// (RAMPS pins on an atmega2560) served by simavr-printer over a pty in real time, with a heater
// model on the hotend and endstop switches driven by the counted carriage positions. One printer
// for the file: it heats (M104 + TEMPERATURE_WAIT), moves every axis from G-code and prints the
// first layer moves of a sliced benchy; each time the steps the simulator counted on the pins
// (step edges with the dir level, not the firmware's own count) equal the planned ones.
// Thermistors on ADC4/ADC3 (PF4/PF3): tether-sim.cfg's PK5/PK6 are swapped for port F pins.
// The sliced-file print is opt-in and fails today (host side, see below). Homed with SET_KINEMATIC_POSITION, not G28: G28 runs on this printer (the simulated switches
// trigger, X homes in two approaches) but on a loaded machine the MCU often shuts down with
// "Stepper too far in past" during the second axis (the real image allows 8 ms of lateness; the
// host's timing under a load average of 20+ does not keep to that).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../../src-main/host/host';
import type { Mcu } from '../../../src-main/host/mcu/mcu';
import { referenceDir, repoRoot, testOutputDir } from '../../support/paths';
import { toolsPresent } from '../../support/tools';
import { buildAvr, printerBin } from '../../tools/simavr-printer/harness';

interface Report {
  rises: Record<string, number>;
  positions: Record<string, number>;
  min_high: Record<string, number>;
  heater_c: number;
}

const dir = path.join(testOutputDir, 'avr-live');
// Simulated time runs at this fraction of real time: steady even on a loaded 2-core machine (a
// clock that speeds up and slows down is what the host's clock sync, and the image's 8 ms of
// allowed lateness, cannot follow; at 1x, with a load average of 20+, "Timer too close" was
// common). The host measures the slower clock; its 100 ms scheduling margins become 1 s.
const SPEED = process.env.AVR_LIVE_SPEED ?? '0.1';
const reportPath = path.join(dir, 'report.json');
let proc: ChildProcess | null = null;
let host: Host | null = null;
let stdout = '';

/** The simulator's counts now (SIGUSR1: it writes the report and prints "report"). */
async function report(): Promise<Report> {
  const seen = stdout.length;
  proc!.kill('SIGUSR1');
  const t0 = Date.now();
  while (!stdout.slice(seen).includes('report\n')) {
    if (Date.now() - t0 > 10_000) throw new Error('simavr-printer wrote no report');
    await new Promise((r) => setTimeout(r, 20));
  }
  return JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
}

/**
 * The counts once the steps have all run: M400 returns when the host's estimate of the MCU clock
 * says the moves are done, and a simulator held back by a loaded machine runs behind that.
 */
async function settledReport(): Promise<Report> {
  let last = await report();
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 300));
    const next = await report();
    if (JSON.stringify(next.positions) === JSON.stringify(last.positions)) return next;
    last = next;
  }
  return last;
}

/** GET_POSITION's `// toolhead: X:110.000000 ...` line: the commanded position in mm. */
async function toolheadMm(): Promise<Record<string, number>> {
  const log: string[] = [];
  const off = host!.gcode.onResponse((_k, t) => log.push(t));
  try {
    await host!.gcode.run('GET_POSITION');
  } finally {
    off();
  }
  const line = /^\/\/ toolhead: (.*)$/m.exec(log.join('\n'));
  if (!line) throw new Error(`GET_POSITION printed no toolhead line:\n${log.join('\n')}`);
  return Object.fromEntries(line[1]!.split(' ').map((kv) => [kv.split(':')[0]!, Number(kv.split(':')[1])]));
}

let stopTrace: (() => void) | null = null;
/** AVR_LIVE_TRACE=1: the host's MCU clock estimate and its event-loop lag every 20 ms. */
function startTrace(): void {
  const mcu = host!.printer.lookupObjectOrNull<Mcu>('mcu')!;
  const lines: string[] = [];
  let last = process.hrtime.bigint();
  const t = setInterval(() => {
    const ns = process.hrtime.bigint();
    const est = mcu.getClockAt(mcu.monotonic());
    lines.push(`${ns} ${est} ${Number(ns - last) / 1e6 - 20} ${mcu.state}`);
    last = ns;
  }, 20);
  mcu.on('shutdown', (r: string) => lines.push(`${process.hrtime.bigint()} shutdown ${r}`));
  stopTrace = () => {
    clearInterval(t);
    writeFileSync(path.join(dir, 'host-trace.txt'), lines.join('\n') + '\n');
  };
}

/** Steps per mm (tether-sim.cfg: 16 microsteps of 200 per rotation_distance). */
const STEPS_PER_MM = { stepper_x: 3200 / 40, stepper_y: 3200 / 40, stepper_z: 3200 / 8, extruder: 3200 / 33.5 };
const AXIS = { stepper_x: 'X', stepper_y: 'Y', stepper_z: 'Z', extruder: 'E' } as const;
/** The step count a position is at: a step is taken where the position crosses a half step. */
const stepsAt = (mm: number, perMm: number) => Math.round(mm * perMm);

/** Counted positions in the host's sign (stepper_y's dir pin is inverted: !PF7). */
function countedSteps(r: Report): Record<string, number> {
  return { stepper_x: r.positions.PF0, stepper_y: -r.positions.PF6, stepper_z: r.positions.PL3, extruder: r.positions.PA4 };
}

// Opt-in (TETHER_AVR_LIVE=1, ~40 s): the host keeps real-time deadlines against the image's
// 8 ms of allowed lateness, and with the other test files running beside it on 2 cores the
// simulated MCU falls behind or the host answers late ("Timer too close", "Lost communication");
// alone (npx vitest run test/integration/avr-host) it passes.
describe.skipIf(!process.env.TETHER_AVR_LIVE || !toolsPresent('avr-gcc', 'cc'))('live host on the AVR firmware in simavr', () => {
  beforeAll(async () => {
    const img = buildAvr('atmega2560', 16000000);
    mkdirSync(dir, { recursive: true });
    const tty = path.join(dir, 'tty');
    const cfg = readFileSync(path.join(repoRoot, 'resources/printers/tether-sim.cfg'), 'utf8')
      .replace(/^serial: .*$/m, `serial: ${tty}`)
      .replace('sensor_pin: PK5', 'sensor_pin: PF4\nmin_extrude_temp: 40')
      .replace('sensor_pin: PK6', 'sensor_pin: PF3');
    const configPath = path.join(dir, 'printer.cfg');
    writeFileSync(configPath, cfg);
    // Carriages start 30 mm (X, Y at 80 steps/mm) and 5 mm (Z, 400 steps/mm) from their switches.
    proc = spawn(
      printerBin,
      [
        ...['--mcu', 'atmega2560', '--freq', '16000000', '--elf', path.join(img.dir, 'tether.elf')],
        ...['--pty', '--link', tty, '--speed', SPEED, '--report', reportPath, '--heater', 'PB4:4'],
        ...['--stepper', 'PF0:PF1', '--stepper', 'PF6:PF7', '--stepper', 'PL3:PL1', '--stepper', 'PA4:PA6'],
        ...['--endstop', 'PE5:PF0:+:2400', '--endstop', 'PJ1:PF6:-:2400', '--endstop', 'PD3:PL3:+:2000'],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (stdout += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        if (stdout.includes('pty: ')) {
          clearInterval(t);
          resolve();
        }
      }, 20);
      proc!.on('exit', (c) => reject(new Error(`simavr-printer exited (${c}):\n${stdout}`)));
    });
    host = await Host.start({ configPath });
    await host.started;
    if (process.env.AVR_LIVE_TRACE) startTrace();
  }, 60_000);

  afterAll(async () => {
    stopTrace?.();
    await host?.stop();
    if (proc && proc.exitCode === null) {
      await new Promise<void>((resolve) => {
        proc!.on('exit', () => resolve());
        proc!.kill('SIGTERM');
      });
    }
  });

  it('starts and heats the hotend (M104 + TEMPERATURE_WAIT)', { timeout: 90_000 }, async () => {
    expect(host!.printer.state, host!.printer.stateMessage).toBe('ready');
    // M104 + TEMPERATURE_WAIT rather than M109: the host's PID is tuned for a real hotend and
    // settles slowly on this fast test model (M109 waits for +-1 C).
    await host!.gcode.run('M104 S50\nTEMPERATURE_WAIT SENSOR=extruder MINIMUM=48');
    const log: string[] = [];
    const off = host!.gcode.onResponse((_k, t) => log.push(t));
    await host!.gcode.run('M105');
    off();
    expect(Number(/T0:([\d.]+)/.exec(log.join('\n'))![1])).toBeGreaterThan(47);
    expect(host!.printer.state, host!.printer.stateMessage).toBe('ready');
    const r = await report();
    expect(r.rises.PB4).toBeGreaterThan(0); // the heater pin switched
    expect(r.heater_c).toBeGreaterThan(40);
  });

  it('moves every axis from G-code; counted steps equal distance x steps/mm', { timeout: 90_000 }, async () => {
    const before = countedSteps(await report());
    await host!.gcode.run(
      ['SET_KINEMATIC_POSITION X=100 Y=100 Z=10', 'G1 X110 F3000', 'G1 Y95', 'G1 Z9.5 F300', 'M83', 'G1 E2 F300', 'M400'].join('\n'),
    );
    expect(host!.printer.state, host!.printer.stateMessage).toBe('ready');
    const after = countedSteps(await settledReport());
    const moved = Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - before[k]!]));
    // 80 steps/mm on X and Y (40 mm rotation, 16 x 200), 400 on Z (8 mm), 95.52 on E (33.5 mm):
    // E's 191.04 steps round to the nearest step.
    expect(moved).toEqual({ stepper_x: 800, stepper_y: -400, stepper_z: -200, extruder: 191 });
    expect(host!.printer.state, host!.printer.stateMessage).toBe('ready');
  });

  // Opt-in (TETHER_AVR_PRINT=1, ~40 s): it fails today, and not in the step path. The image
  // shuts down "Stepper too far in past" a few moves in: decoding what the host sent (simavr-
  // printer --uart-in) shows X's queue_steps for clock 39.49M arriving after Y's for 40.0M, when
  // the MCU was at 39.89M. Suspect: the host's move-queue flow control with the atmega2560's
  // 309-entry move queue and the first layer's tiny segments (the sim has 1024 entries).
  it.skipIf(!process.env.TETHER_AVR_PRINT)(
    "prints a sliced file's first moves; counted steps equal the planned ones",
    { timeout: 120_000 },
    async () => {
      // PrusaSlicer's benchy: the first layer's first 60 moves (absolute XY, relative E).
      const lines = readFileSync(path.join(referenceDir, 'gcode/benchy-prusaslicer-2.6.1.gcode'), 'utf8').split('\n');
      const layer = lines.slice(lines.findIndex((l) => l.startsWith(';LAYER_CHANGE')));
      const moves = layer.filter((l) => /^G1 |^G92 /.test(l)).slice(0, 60);
      expect(moves.filter((l) => /^G1 .*X.*E/.test(l)).length).toBeGreaterThan(30); // extruding moves
      await host!.gcode.run('SET_KINEMATIC_POSITION X=100 Y=100 Z=0.5\nG90\nM83');
      const startMm = await toolheadMm();
      const before = countedSteps(await report());
      await host!.gcode.run([...moves, 'M400'].join('\n'));
      expect(host!.printer.state, host!.printer.stateMessage).toBe('ready');
      const endMm = await toolheadMm();
      const r = await settledReport();
      const after = countedSteps(r);
      // Planned: from where the toolhead was to where the file left it, in whole steps.
      for (const [name, perMm] of Object.entries(STEPS_PER_MM) as [keyof typeof AXIS, number][]) {
        const axis = AXIS[name];
        const planned = stepsAt(endMm[axis]!, perMm) - stepsAt(startMm[axis]!, perMm);
        expect(after[name]! - before[name]!, `${name}: ${startMm[axis]} -> ${endMm[axis]} mm`).toBe(planned);
      }
      // It really moved: millimetres on X, extrusion on E.
      expect(Math.abs(after.stepper_x - before.stepper_x)).toBeGreaterThan(100);
      expect(after.extruder - before.extruder).toBeGreaterThan(50);
      // Every step pulse lasted the host's step_pulse_duration (2 us = 32 ticks) at the least.
      for (const pin of ['PF0', 'PF6', 'PL3', 'PA4']) expect(r.min_high[pin]).toBeGreaterThanOrEqual(32);
      expect(host!.printer.state, host!.printer.stateMessage).toBe('ready');
    },
  );
});
