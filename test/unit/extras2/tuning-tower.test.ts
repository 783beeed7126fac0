// TUNING_TOWER on a batch host: the tuned command runs with START + FACTOR*z (or steps) when an
// extruding move reaches a new height; a move well below ends the test.
import { afterEach, describe, expect, it } from 'vitest';
import type { Toolhead } from '../../../src-main/host/motion/index';
import { tuningTowerValue, type TuningTowerSettings } from '../../../src-main/host/objects/tuning-tower';
import { startBatchHost, type BatchHost } from './batch-host';

let host: BatchHost | null = null;
afterEach(async () => {
  await host?.stop();
  host = null;
});

const accel = (b: BatchHost) => b.h.printer.lookupObject<Toolhead>('toolhead').getVelocityLimits().maxAccelMmS2;
const base: TuningTowerSettings = {
  command: 'X',
  parameter: 'P',
  start: 100,
  skipMm: 0,
  factor: 10,
  bandMm: 0,
  stepDelta: 0,
  stepHeightMm: 0,
};

describe('TUNING_TOWER', () => {
  it('computes FACTOR, BAND, STEP and SKIP values', () => {
    expect(tuningTowerValue(base, 2.4)).toBeCloseTo(124, 9);
    expect(tuningTowerValue({ ...base, bandMm: 1 }, 2.4)).toBeCloseTo(125, 9); // middle of the 2..3 band
    expect(tuningTowerValue({ ...base, stepDelta: 5, stepHeightMm: 2 }, 4.9)).toBe(110);
    expect(tuningTowerValue({ ...base, skipMm: 1 }, 0.5)).toBe(100);
    expect(tuningTowerValue({ ...base, skipMm: 1 }, 3)).toBeCloseTo(120, 9);
  });

  it('changes the setting layer by layer while extruding, and ends on a lower start', async () => {
    host = await startBatchHost('');
    await host.run('SET_KINEMATIC_POSITION X=10 Y=10 Z=0\nG90\nM83');
    expect(await host.run('TUNING_TOWER COMMAND=SET_VELOCITY_LIMIT PARAMETER=ACCEL START=1000 FACTOR=100')).toContain(
      'Starting tuning test (start=1000.000000 factor=100.000000)',
    );
    const seen: number[] = [];
    for (const z of [0.2, 0.4, 5]) {
      await host.run(`G1 Z${z} F600\nG1 X20 E1 F1200\nG1 X10 E1`);
      seen.push(accel(host));
    }
    expect(seen.map((a) => Math.round(a))).toEqual([1020, 1040, 1500]);
    // Travel moves (no extrusion) change nothing.
    await host.run('G1 Z6 F600\nG1 X30');
    expect(Math.round(accel(host))).toBe(1500);
    // The next print starts low: the test ends and the setting stays.
    await host.run('G1 Z0.2\nG1 X20 E1');
    expect(Math.round(accel(host))).toBe(1500);
    expect(host.h.printer.lookupObject<{ settings: unknown }>('tuning_tower').settings).toBeNull();
  });

  it('refuses unknown commands and mixed modes', async () => {
    host = await startBatchHost('');
    await expect(host.run('TUNING_TOWER COMMAND=NOPE PARAMETER=X START=1 FACTOR=1')).rejects.toThrow(/Unknown command: "NOPE"/);
    await expect(host.run('TUNING_TOWER COMMAND=M104 PARAMETER=S START=1 FACTOR=1 STEP_DELTA=1 STEP_HEIGHT=1')).rejects.toThrow(
      /both FACTOR and STEP_DELTA/,
    );
  });
});
