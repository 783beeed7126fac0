// Print jobs on the sim printer: a slicer file is uploaded into the printer's G-code folder and
// printed through virtual_sdcard; the sim's trace shows where the steppers really went.
// The full Cura file (about an hour of motion) does not fit a test; a prefix of it, cut after an
// XY move, is printed to the end instead, at 1000 % speed (M220, as a user would set it) on a
// printer with high limits and few microsteps (print-helpers.ts), so the file runs in seconds.
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GCodeFileStore } from '../../../src-main/host/files/store';
import { referenceDir, testOutputDir } from '../../support/paths';
import { motionDone, SimTrace, startPrintPrinter, status, waitFor } from './print-helpers';
import type { LivePrinter } from '../live/live-printer';
import { queryStatus } from '../../../src-main/host/status/status';

const CURA = path.join(referenceDir, 'gcode/puzzle_all-cura-2.3.1.gcode');
const SPEED_PERCENT = 1000;

/** The first `n` lines of the Cura file, cut after its last absolute XY move, and that move. */
function curaPrefix(n: number): { text: string; lastX: number; lastY: number } {
  const lines = readFileSync(CURA, 'utf8').split('\n').slice(0, n);
  let last = lines.length - 1;
  while (!/^G[01] .*X[\d.]+ Y[\d.]+/.test(lines[last])) last--;
  const m = /X([\d.]+) Y([\d.]+)/.exec(lines[last])!;
  return { text: lines.slice(0, last + 1).join('\n') + '\n', lastX: Number(m[1]), lastY: Number(m[2]) };
}

async function upload(gcodeDir: string, name: string, text: string): Promise<void> {
  const src = path.join(testOutputDir, `${name}-${process.pid}.src`);
  writeFileSync(src, text);
  const store = new GCodeFileStore(gcodeDir);
  await store.upload(name, createReadStream(src), Buffer.byteLength(text));
}

/** M114's X/Y. */
function m114(out: string): { x: number; y: number } {
  const m = /X:(-?[\d.]+) Y:(-?[\d.]+)/.exec(out);
  if (!m) throw new Error(`no M114 position in: ${out}`);
  return { x: Number(m[1]), y: Number(m[2]) };
}

describe('print jobs on the sim printer', () => {
  let p: LivePrinter;
  let gcodeDir: string;
  let trace: SimTrace;

  /** The sim stepper is where `mm` says, to the step (half a step of rounding either way). */
  function expectAt(stepper: string, mm: number): void {
    const halfStepMm = 0.5 / trace.stepsPerMm[stepper]!;
    const at = trace.positions[stepper]!;
    expect(Math.abs(at - mm), `${stepper} at ${at} mm, expected ${mm} (+-${halfStepMm})`).toBeLessThanOrEqual(halfStepMm + 1e-9);
  }

  /** waitFor with the printer's state in the error. */
  const until = (cond: () => boolean, what: string) =>
    waitFor(
      cond,
      what,
      60_000,
      () =>
        `(${p.host.printer.stateMessage}; print_stats ${JSON.stringify(status(p, 'print_stats'))}; sim ${JSON.stringify(trace.positions)})`,
    );

  beforeAll(async () => {
    ({ p, gcodeDir } = await startPrintPrinter('print'));
    trace = new SimTrace(p.sim.tracePath);
    await p.run(`M220 S${SPEED_PERCENT}`);
  }, 60_000);

  afterAll(async () => {
    await p?.stop();
  });

  it('answers the status objects the UI reads: heaters, fan, layer info, file position and size', async () => {
    const q = queryStatus(p.host.printer, {
      heaters: null,
      fan: null,
      print_stats: ['info'],
      virtual_sdcard: ['file_position', 'file_size', 'file_path'],
    });
    expect(q.heaters).toEqual({
      available_heaters: ['extruder', 'heater_bed'],
      available_sensors: expect.arrayContaining(['extruder', 'heater_bed']),
    });
    expect(q.fan).toEqual({ speed: 0, rpm: null });
    await p.run('M106 S128');
    expect(status(p, 'fan').speed).toBeCloseTo(128 / 255, 3);
    await p.run('M107');
    // Layer info as slicers send it: a new total starts at layer 0, the current one is capped.
    await p.run('SET_PRINT_STATS_INFO TOTAL_LAYER=119');
    expect(status(p, 'print_stats').info).toEqual({ total_layer: 119, current_layer: 0 });
    await p.run('SET_PRINT_STATS_INFO CURRENT_LAYER=5');
    expect(status(p, 'print_stats').info).toEqual({ total_layer: 119, current_layer: 5 });
    await p.run('SET_PRINT_STATS_INFO CURRENT_LAYER=500');
    expect(status(p, 'print_stats').info).toEqual({ total_layer: 119, current_layer: 119 });
    await p.run('SET_PRINT_STATS_INFO TOTAL_LAYER=0');
    expect(status(p, 'print_stats').info).toEqual({ total_layer: null, current_layer: null });
    // A loaded file: position and size in bytes (M23 selects without printing).
    const { text } = curaPrefix(50);
    await upload(gcodeDir, 'small.gcode', text);
    await p.run('M23 small.gcode\nM26 S100');
    expect(queryStatus(p.host.printer, { virtual_sdcard: ['file_position', 'file_size', 'file_path'] }).virtual_sdcard).toEqual({
      file_position: 100,
      file_size: Buffer.byteLength(text),
      file_path: path.join(gcodeDir, 'small.gcode'),
    });
    await p.run('SDCARD_RESET_FILE');
    expect(status(p, 'virtual_sdcard')).toMatchObject({ file_position: 0, file_size: 0, file_path: null });
  });

  it('prints an uploaded Cura file to the end: print_stats complete, sim ends at the last move', async () => {
    const { text, lastX, lastY } = curaPrefix(300);
    await upload(gcodeDir, 'puzzle.gcode', text);
    await p.run('SDCARD_PRINT_FILE FILENAME=puzzle.gcode');
    expect(status(p, 'print_stats').state).toBe('printing');
    await until(() => status(p, 'print_stats').state !== 'printing', 'print end');
    expect(status(p, 'print_stats')).toMatchObject({ state: 'complete', filename: 'puzzle.gcode' });
    expect(status(p, 'virtual_sdcard').progress).toBe(1);
    expect(status(p, 'print_stats').filament_used as number).toBeGreaterThan(5);
    await motionDone(p, trace);
    expect(p.host.printer.stateMessage).toBe('Printer is ready');
    expect(trace.shutdowns).toEqual([]);
    expectAt('stepper_x', lastX);
    expectAt('stepper_y', lastY);
  }, 60_000);

  it('PAUSE stops motion and parks, RESUME goes back and finishes, CANCEL_PRINT parks and turns heaters off', async () => {
    const { text, lastX, lastY } = curaPrefix(450);
    const size = Buffer.byteLength(text);
    await upload(gcodeDir, 'puzzle-long.gcode', text);
    await p.run('SDCARD_PRINT_FILE FILENAME=puzzle-long.gcode');
    await until(() => (status(p, 'virtual_sdcard').file_position as number) > 3000, 'some progress');
    // M114 in the same script runs right before PAUSE: where the print stops.
    const pausedAt = m114(await p.run('M114\nPAUSE'));
    expect(status(p, 'pause_resume').is_paused).toBe(true);
    expect(status(p, 'print_stats').state).toBe('paused');
    const posAtPause = status(p, 'virtual_sdcard').file_position as number;
    expect(posAtPause).toBeLessThan(size); // paused mid-file, not after it
    await motionDone(p, trace);
    // Parked as the PAUSE macro says, and nothing moves while paused (for a second of sim time).
    expectAt('stepper_x', 5);
    expectAt('stepper_y', 190);
    const runsAtPark = trace.stepperEvents;
    const parkedTimeS = status(p, 'toolhead').estimated_print_time as number;
    await until(() => trace.poll().reached(parkedTimeS + 1), 'a second of a paused sim');
    expect(trace.stepperEvents).toBe(runsAtPark);
    expect(status(p, 'virtual_sdcard').file_position).toBe(posAtPause);

    // RESUME moves back to where the print stopped before the file goes on.
    const backAt = m114(await p.run('RESUME\nM114'));
    expect(backAt.x).toBeCloseTo(pausedAt.x, 3);
    expect(backAt.y).toBeCloseTo(pausedAt.y, 3);
    expect(status(p, 'print_stats').state).toBe('printing');
    await until(() => status(p, 'print_stats').state !== 'printing', 'print end');
    expect(status(p, 'print_stats').state).toBe('complete');
    await motionDone(p, trace);
    expect(trace.shutdowns).toEqual([]);
    expectAt('stepper_x', lastX);
    expectAt('stepper_y', lastY);

    // Cancel mid-print: the wrapper macro turns the heaters off and parks. The extruder's heater
    // pin (PB4, soft PWM with a 0.1 s cycle) switches on while it holds 195 C.
    await p.run('M104 S195\nM140 S50\nSDCARD_PRINT_FILE FILENAME=puzzle-long.gcode');
    const printingS = status(p, 'toolhead').estimated_print_time as number;
    await until(() => trace.poll().pinOnSince('PB4', printingS), 'the sim extruder heater to switch on');
    await until(() => (status(p, 'virtual_sdcard').file_position as number) > 3000, 'some progress');
    expect(status(p, 'virtual_sdcard').is_active).toBe(true); // mid-file
    await p.run('CANCEL_PRINT');
    const cancelS = status(p, 'toolhead').estimated_print_time as number;
    expect(status(p, 'print_stats').state).toBe('cancelled');
    expect(status(p, 'extruder').target).toBe(0);
    expect(status(p, 'heater_bed').target).toBe(0);
    await motionDone(p, trace);
    expectAt('stepper_x', 190);
    expectAt('stepper_y', 190);
    // The sim's hotend really is unheated: it cools over the next two seconds (holding 195 C,
    // its heater pin switches on every 0.1 s cycle).
    const h0 = trace.poll().heaters.extruder!;
    await until(() => ((trace.poll().heaters.extruder!.clock - h0.clock) | 0) >= 2 * trace.clockFreq, 'two seconds of sim heater lines');
    expect(trace.heaters.extruder!.temp).toBeLessThan(h0.temp - 1);
    expect(trace.pinOnSince('PB4', cancelS + 1)).toBe(false);
    expect(trace.shutdowns).toEqual([]);
  }, 90_000);
});
