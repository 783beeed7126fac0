// The whole host on Tether's AVR firmware on simulated silicon: resources/printers/tether-sim.cfg
// (RAMPS pins on an atmega2560) served by simavr-printer over a pty, paced at 0.15x real time, with
// a heater model on the hotend and endstop switches driven by the counted carriage positions. One
// printer for the file: it heats (M104 + TEMPERATURE_WAIT), moves every axis from G-code and
// homes every axis on the simulated switches (G28); each time the steps the simulator counted on
// the pins (step edges with the dir level, not the firmware's own count) equal the planned ones.
// (The sliced-file print is avr-print.test.ts.) Thermistors on ADC4/ADC3 (PF4/PF3): tether-sim.cfg's
// PK5/PK6 are swapped for port F pins.
// These files run in vitest's "avr-live" project, after every other test file and one at a time
// (vitest.config.ts): the host keeps real-time deadlines against the image's 8 ms of
// allowed lateness, which two busy cores shared with other test files do not leave it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../../src-main/host/host';
import type { Mcu } from '../../../src-main/host/mcu/mcu';
import { toolsPresent } from '../../support/tools';
import { startLiveAvrPrinter, type LiveAvrPrinter, type LiveReport as Report } from '../../tools/simavr-printer/live-printer';

// Simulated time runs at this fraction of real time; the host measures the slower clock. A host
// stalled for a moment costs the chip that much less simulated time than at 1x, and the
// print-time margins the host schedules with (in MCU seconds) last that much longer. (simavr
// takes ~20 % of a core per 0.1x with this firmware.)
const SPEED = process.env.AVR_LIVE_SPEED ?? '0.15';
let printer: LiveAvrPrinter | null = null;
let host: Host | null = null;
const report = () => printer!.report();
/**
 * The counts once the steps have all run: M400 returns when the host's estimate of the MCU clock
 * says the moves are done, and a simulator held back by a loaded machine runs behind that.
 */
const settledReport = () => printer!.settledReport();
const toolheadMm = () => printer!.toolheadMm();

let stopTrace: (() => void) | null = null;
/**
 * AVR_LIVE_TRACE=1: the host's MCU clock estimate and its event-loop lag every 20 ms, as
 * "monotonic_ns clock lag_ms state" lines in host-trace.txt. With SIMAVR_PRINTER_PACE_LOG (the
 * chip's real clock on the same monotonic time base) it shows how far the estimate is off.
 */
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
    writeFileSync(path.join(printer!.dir, 'host-trace.txt'), lines.join('\n') + '\n');
  };
}

/** Where the carriages start, in steps from their switches (X, Y: 10 mm; Z: 1 mm). */
const START_STEPS = { stepper_x: 800, stepper_y: 800, stepper_z: 400 };

/** Counted positions in the host's sign (stepper_y's dir pin is inverted: !PF7). */
function countedSteps(r: Report): Record<string, number> {
  return { stepper_x: r.positions.PF0, stepper_y: -r.positions.PF6, stepper_z: r.positions.PL3, extruder: r.positions.PA4 };
}

describe.skipIf(!toolsPresent('avr-gcc', 'cc'))('live host on the AVR firmware in simavr', () => {
  beforeAll(async () => {
    // The switches: X's closes when its carriage has moved START_STEPS towards it (steps with the
    // dir pin low), Y's likewise with dir high (!PF7 in the config), Z's as X's.
    printer = await startLiveAvrPrinter({
      name: 'avr-live',
      speed: SPEED,
      endstopSteps: [START_STEPS.stepper_x, START_STEPS.stepper_y, START_STEPS.stepper_z],
      // Short back-offs between the two homing approaches (default 5 mm: 4 s of Z at 0.1x).
      editConfig: (cfg) =>
        cfg
          .replace(/^homing_speed: 50$/gm, 'homing_speed: 50\nhoming_retract_dist: 2')
          .replace('position_endstop: 0.5', 'position_endstop: 0.5\nhoming_retract_dist: 0.5'),
    });
    host = printer.host;
    if (process.env.AVR_LIVE_TRACE) startTrace();
  }, 60_000);

  afterAll(async () => {
    stopTrace?.();
    await printer?.stop();
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

  it('homes every axis on the simulated switches (G28); positions after it count from them', { timeout: 90_000 }, async () => {
    // Last in the file: the host's clock sync starts from the nominal 16 MHz and needs ~30 s to
    // settle on the paced chip's rate; before that it estimates the MCU clock ahead and a homing
    // move, which fills the MCU's move queue, overflows it.
    expect(host!.printer.state, host!.printer.stateMessage).toBe('ready');
    await host!.gcode.run('G28');
    expect(host!.printer.state, host!.printer.stateMessage).toBe('ready');
    // Each carriage ends at its switch: the second approach halts within a few steps of it.
    const homed = countedSteps(await settledReport());
    // (Counted positions start at 0 where the carriages started, START_STEPS from the switches.)
    for (const [name, steps] of Object.entries(START_STEPS) as [keyof typeof START_STEPS, number][])
      expect(Math.abs(homed[name]! + steps), `${name} at ${homed[name]! + steps} steps from its switch`).toBeLessThanOrEqual(3);
    // position_endstop, plus the steps the second approach took past the trigger.
    const mm = await toolheadMm();
    expect(Math.abs(mm.X!) * 80, `X ${mm.X}`).toBeLessThanOrEqual(3);
    expect(Math.abs(mm.Y!) * 80, `Y ${mm.Y}`).toBeLessThanOrEqual(3);
    expect(Math.abs(mm.Z! - 0.5) * 400, `Z ${mm.Z}`).toBeLessThanOrEqual(3);
    // The host's zero is where the switch closed: 10 mm (800 steps) from it on X and Y, Z=1 is
    // 0.5 mm (200 steps) above Z's switch at 0.5. Off by a step at most (the trigger's time is
    // converted to a position).
    await host!.gcode.run('G90\nG1 X10 Y10 F3000\nG1 Z1 F300\nM400');
    expect(host!.printer.state, host!.printer.stateMessage).toBe('ready');
    const at = countedSteps(await settledReport());
    const fromSwitch = {
      stepper_x: at.stepper_x + START_STEPS.stepper_x,
      stepper_y: at.stepper_y + START_STEPS.stepper_y,
      stepper_z: at.stepper_z + START_STEPS.stepper_z,
    };
    expect(Math.abs(fromSwitch.stepper_x - 800), JSON.stringify(fromSwitch)).toBeLessThanOrEqual(1);
    expect(Math.abs(fromSwitch.stepper_y - 800), JSON.stringify(fromSwitch)).toBeLessThanOrEqual(1);
    expect(Math.abs(fromSwitch.stepper_z - 200), JSON.stringify(fromSwitch)).toBeLessThanOrEqual(1);
  });
});
