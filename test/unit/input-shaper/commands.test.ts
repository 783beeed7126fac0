// The printer objects: [input_shaper] and pressure_advance from printer.cfg, SET_INPUT_SHAPER and
// SET_PRESSURE_ADVANCE with Klipper's replies, their status, their errors, and that they really
// switch the steppers' rails (the toolhead's step generation window follows).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Toolhead } from '../../../src-main/host/motion/index';
import type { PrinterExtruder } from '../../../src-main/host/objects/extruder';
import { statusOf } from '../../../src-main/host/objects/status-objects';
import { connectWithRun, loadText, type LoadedPrinter } from '../objects/load-helpers';
import { referenceDir } from '../../support/paths';
import path from 'node:path';

/** The extruder object's own status (statusOf('extruder') shows only the heater part today). */
const extruderStatus = (p: LoadedPrinter) => p.printer.lookupObject<PrinterExtruder>('extruder').getStatus();

const BENCH = fs.readFileSync(path.join(referenceDir, 'bench/bench-cartesian-is-pa.cfg'), 'utf8');

const printer = (text = BENCH) => connectWithRun(text);

describe('[input_shaper] and pressure advance objects', () => {
  it('load from bench-cartesian-is-pa.cfg: status, and the toolhead scans the widest window', async () => {
    const p = await printer();
    expect(statusOf(p.printer, 'input_shaper')).toMatchObject({
      shaper_type_x: 'mzv',
      shaper_freq_x: 50,
      damping_ratio_x: 0.1,
      shaper_type_y: 'mzv',
      shaper_freq_y: 45,
    });
    expect(extruderStatus(p)).toMatchObject({ pressure_advance: 0.05, smooth_time: 0.04 });
    const th = p.printer.lookupObject<Toolhead>('toolhead');
    // PA's half window (smooth_time / 2) is wider than mzv's at 45 Hz (about 0.375 / 45 s each side).
    expect(th.kinFlushDelayS()).toBeCloseTo(0.02, 12);
    // mzv at 45 Hz, damping 0.1: pulses 0, 3/8, 3/4 of the damped period, amplitudes 1, sqrt2 K, K^2
    // (K = the decay over 3/8 period); the window reaches from their weighted mean to the last one.
    const td = 1 / (45 * Math.sqrt(1 - 0.01));
    const k = Math.exp((-0.75 * 0.1 * Math.PI) / Math.sqrt(1 - 0.01));
    const a = [1, Math.SQRT2 * k, k * k];
    const t = [0, 0.375 * td, 0.75 * td];
    const mean = (a[0]! * t[0]! + a[1]! * t[1]! + a[2]! * t[2]!) / (a[0]! + a[1]! + a[2]!);
    expect(th.allSteppers()[1]!.scanWindowS).toBeCloseTo(0.75 * td - mean, 12);
    expect(th.allSteppers().map((s) => s.scanWindowS > 0)).toEqual([true, true, false, true]);
  });

  it('SET_INPUT_SHAPER changes and prints each axis as Klipper does; frequency 0 turns shaping off', async () => {
    const p = await printer();
    const th = p.printer.lookupObject<Toolhead>('toolhead');
    const out = await p.run('SET_INPUT_SHAPER SHAPER_FREQ_X=60.5 DAMPING_RATIO_Y=0.2 SHAPER_TYPE_Y=ei');
    expect(out).toBe(
      '// shaper_type_x:mzv shaper_freq_x:60.500 damping_ratio_x:0.100000\n// shaper_type_y:ei shaper_freq_y:45.000 damping_ratio_y:0.200000',
    );
    await p.run('SET_INPUT_SHAPER SHAPER_FREQ_X=0 SHAPER_FREQ_Y=0');
    expect(th.allSteppers().map((s) => s.scanWindowS > 0)).toEqual([false, false, false, true]);
    // custom for both axes needs both axes' lists: refused before anything changes.
    await expect(p.run('SET_INPUT_SHAPER SHAPER_TYPE=custom SHAPER_A_X=1,1 SHAPER_T_X=0,0.01')).rejects.toThrow(
      /shaper_a_y and shaper_t_y must have the same number/,
    );
    await p.run('SET_INPUT_SHAPER SHAPER_TYPE_X=custom SHAPER_A_X=1,1 SHAPER_T_X=0,0.01');
    expect(statusOf(p.printer, 'input_shaper')).toMatchObject({ shaper_type_x: 'custom', shaper_a_x: [1, 1], shaper_t_x: [0, 0.01] });
    // X is custom now (always shaping, window 5 ms either side); Y stays off.
    expect(th.allSteppers()[0]!.scanWindowS).toBeCloseTo(0.005, 12);
    expect(th.allSteppers()[1]!.scanWindowS).toBe(0);
    await expect(p.run('SET_INPUT_SHAPER SHAPER_TYPE_Y=bogus')).rejects.toThrow(/Unsupported shaper type: bogus/);
    await expect(p.run('SET_INPUT_SHAPER DAMPING_RATIO_X=1')).rejects.toThrow(/DAMPING_RATIO_X/);
  });

  it('SET_PRESSURE_ADVANCE answers with both values and switches the extruder rail', async () => {
    const p = await printer();
    const th = p.printer.lookupObject<Toolhead>('toolhead');
    expect(await p.run('SET_PRESSURE_ADVANCE ADVANCE=0.1 SMOOTH_TIME=0.02')).toBe(
      '// pressure_advance: 0.100000\n// pressure_advance_smooth_time: 0.020000',
    );
    expect(extruderStatus(p)).toMatchObject({ pressure_advance: 0.1, smooth_time: 0.02 });
    const e = th.allSteppers()[3]!;
    expect(e.scanWindowS).toBeCloseTo(0.01, 12);
    expect(await p.run('SET_PRESSURE_ADVANCE EXTRUDER=extruder ADVANCE=0')).toBe(
      '// pressure_advance: 0.000000\n// pressure_advance_smooth_time: 0.020000',
    );
    expect(e.scanWindowS).toBe(0);
    await expect(p.run('SET_PRESSURE_ADVANCE EXTRUDER=nope ADVANCE=0.1')).rejects.toThrow(/not valid for EXTRUDER/);
    await expect(p.run('SET_PRESSURE_ADVANCE SMOOTH_TIME=0.3')).rejects.toThrow(/SMOOTH_TIME/);
  });

  it('config errors name the option: custom lists of different length, delta kinematics', () => {
    const bad = BENCH.replace('shaper_type_x: mzv', 'shaper_type_x: custom\nshaper_a_x: 1, 2\nshaper_t_x: 0');
    expect(() => loadText(bad)).toThrow(/shaper_a_x and shaper_t_x must have the same number of values/);
  });
});
