// The delta calibration maths: trilateration against the kinematics' own carriage heights, and
// the least-squares fit recovering known parameters from synthetic probe records, built the way
// a real probe makes them: the host (believing the nominal parameters) lowers the nozzle until
// the true machine's nozzle meets the bed, and records how far each carriage is below its endstop.
import { describe, expect, it } from 'vitest';
import {
  calibrationPoints,
  carriageHeights,
  cartesianFromStable,
  fitDelta,
  heightErrors,
  nozzleFromCarriages,
  stableFromCartesian,
  type DeltaParams,
  type HeightRecord,
} from '../../../src-main/host/objects/delta-calibrate-math';

const NOMINAL: DeltaParams = {
  positionEndstopsMm: [297.05, 297.05, 297.05],
  radiusMm: 174.75,
  anglesDeg: [210, 330, 90],
  armLengthsMm: [333, 333, 333],
};

/** What the host records when its probe (trigger height zOffset above the bed) touches the bed of `truth` at nominal (x, y). */
function probeRecord(truth: DeltaParams, x: number, y: number, zOffset: number): HeightRecord {
  // Bisection on the height the host believes it is at: the true nozzle height falls as it descends.
  let lo = -20;
  let hi = 40;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    const z = cartesianFromStable(truth, stableFromCartesian(NOMINAL, [x, y, mid]))[2];
    if (z > zOffset) hi = mid;
    else lo = mid;
  }
  return { zMm: zOffset, stable: stableFromCartesian(NOMINAL, [x, y, (lo + hi) / 2]) };
}

describe('delta geometry', () => {
  it('nozzleFromCarriages inverts carriageHeights (also with uneven towers)', () => {
    const p: DeltaParams = { ...NOMINAL, anglesDeg: [209.5, 330.4, 90], armLengthsMm: [333.2, 332.9, 333] };
    for (const xyz of [
      [0, 0, 10],
      [60, -40, 3],
      [-80, 75, 150],
    ]) {
      const back = nozzleFromCarriages(p, carriageHeights(p, xyz));
      back.forEach((v, i) => expect(v).toBeCloseTo(xyz[i]!, 9));
    }
  });

  it('probe points are the centre and six at the radius, 60 degrees apart', () => {
    const pts = calibrationPoints(50);
    expect(pts).toHaveLength(7);
    expect(pts[0]).toEqual([0, 0]);
    for (const [x, y] of pts.slice(1)) expect(Math.hypot(x, y)).toBeCloseTo(50, 9);
    expect(pts[1]![0]).toBeCloseTo(0, 9);
    expect(pts[1]![1]).toBeCloseTo(50, 9);
  });
});

describe('fitDelta', () => {
  it('recovers endstops, radius and angles from seven probes within 1e-3', () => {
    const truth: DeltaParams = {
      positionEndstopsMm: [297.35, 296.9, 297.12],
      radiusMm: 175.3,
      anglesDeg: [210.4, 329.7, 90],
      armLengthsMm: [333, 333, 333],
    };
    const records = calibrationPoints(100).map(([x, y]) => probeRecord(truth, x, y, 1.2));
    const before = heightErrors(NOMINAL, records);
    const fit = fitDelta(NOMINAL, records);
    console.log(
      `delta fit: rms ${fit.rmsBeforeMm.toExponential(2)} -> ${fit.rmsAfterMm.toExponential(2)} mm in ${fit.iterations} iterations; ` +
        `endstops ${fit.params.positionEndstopsMm.map((v) => v.toFixed(5))} radius ${fit.params.radiusMm.toFixed(5)} angles ${fit.params.anglesDeg.map((v) => v.toFixed(5))}`,
    );
    // The nominal parameters were visibly wrong for these records.
    expect(Math.max(...before.map(Math.abs))).toBeGreaterThan(0.1);
    fit.params.positionEndstopsMm.forEach((v, i) => expect(Math.abs(v - truth.positionEndstopsMm[i]!)).toBeLessThan(1e-3));
    expect(Math.abs(fit.params.radiusMm - truth.radiusMm)).toBeLessThan(1e-3);
    fit.params.anglesDeg.forEach((v, i) => expect(Math.abs(v - truth.anglesDeg[i]!)).toBeLessThan(1e-3));
    expect(fit.rmsAfterMm).toBeLessThan(1e-6);
  });

  it('a single tower endstop off by 0.3 mm comes back as that tower alone', () => {
    const truth: DeltaParams = { ...NOMINAL, positionEndstopsMm: [297.35, 297.05, 297.05] };
    const records = calibrationPoints(50).map(([x, y]) => probeRecord(truth, x, y, 1));
    const fit = fitDelta(NOMINAL, records);
    expect(fit.params.positionEndstopsMm.map((v) => Number(v.toFixed(4)))).toEqual([297.35, 297.05, 297.05]);
    expect(fit.params.radiusMm).toBeCloseTo(174.75, 4);
  });

  it('refuses fewer records than parameters', () => {
    const records = calibrationPoints(50)
      .slice(0, 5)
      .map(([x, y]) => probeRecord(NOMINAL, x, y, 1));
    expect(() => fitDelta(NOMINAL, records)).toThrow(/at least 6 probed heights \(it has 5\)/);
  });
});
