import { describe, expect, it } from 'vitest';
import {
  CartesianKinematics,
  CoreXYKinematics,
  CoreXZKinematics,
  CountingStepSink,
  DeltaKinematics,
  Move,
  MoveError,
  MotionStepper,
  type Kinematics,
  type MovePlannerLimits,
} from '../../../src-main/host/motion/index.js';

const stepper = (name: string, stepDistMm = 0.0125): MotionStepper =>
  new MotionStepper({ name, stepDistMm, clockFreqHz: 16e6, sink: new CountingStepSink() });

function linear(kind: 'cartesian' | 'corexy' | 'corexz'): Kinematics {
  const rails = (['x', 'y', 'z'] as const).map((axis) => ({
    axis,
    steppers: [stepper(`stepper_${axis}`)],
    positionMinMm: axis === 'z' ? 0 : -5,
    positionMaxMm: 200,
  }));
  const o = { rails, maxZVelocityMmS: 25, maxZAccelMmS2: 100 };
  if (kind === 'cartesian') return new CartesianKinematics(o);
  if (kind === 'corexy') return new CoreXYKinematics(o);
  return new CoreXZKinematics(o);
}

function delta(): DeltaKinematics {
  const tower = (n: string) => ({ steppers: [stepper(n, 0.01)], armLengthMm: 217, positionEndstopMm: 297 });
  return new DeltaKinematics({
    towers: [tower('stepper_a'), tower('stepper_b'), tower('stepper_c')],
    radiusMm: 99,
    printRadiusMm: 85,
    maxVelocityMmS: 300,
    maxAccelMmS2: 3000,
    maxZVelocityMmS: 200,
  });
}

const limits: MovePlannerLimits = {
  maxVelocityMmS: 300,
  maxAccelMmS2: 3000,
  maxAccelToDecelMmS2: 1500,
  junctionDeviationMm: 0.003,
};

const points: [number, number, number][] = [
  [0, 0, 0],
  [12.5, -3.25, 7],
  [150, 199.9, 180],
  [-4.99, 33.3333, 0.2],
];

describe('forward and inverse kinematics round trip', () => {
  for (const kind of ['cartesian', 'corexy', 'corexz'] as const) {
    it(kind, () => {
      const k = linear(kind);
      for (const p of points) {
        const rails = k.railPositions(...p);
        const back = k.cartesianPosition(rails);
        for (let i = 0; i < 3; i++) expect(back[i]).toBeCloseTo(p[i]!, 9);
      }
    });
  }

  it('corexy motors are x+y and x-y', () => {
    expect(linear('corexy').railPositions(10, 3, 1)).toEqual([13, 7, 1]);
    expect(linear('corexz').railPositions(10, 3, 1)).toEqual([11, 3, 9]);
  });

  it('delta', () => {
    const k = delta();
    for (const p of [
      [0, 0, 0],
      [20, -30, 50],
      [-60, 10, 120.5],
      [5, 70, 1],
    ] as [number, number, number][]) {
      const rails = k.railPositions(...p);
      const back = k.cartesianPosition(rails);
      for (let i = 0; i < 3; i++) expect(back[i]).toBeCloseTo(p[i]!, 9);
    }
    // The home position is straight under the towers' endstops: x = y = 0.
    expect(k.homePosition[0]).toBeCloseTo(0, 9);
    expect(k.homePosition[1]).toBeCloseTo(0, 9);
    expect(k.homePosition[2]).toBeCloseTo(297, 9);
  });
});

describe('move limits', () => {
  it('refuses moves before homing and outside position_min/max with Klipper text', () => {
    const k = linear('cartesian');
    const m = new Move(limits, [0, 0, 0, 0], [10, 0, 0, 0], 100);
    expect(() => k.checkMove(m)).toThrow('Must home axis first: 10.000 0.000 0.000 [0.000]');
    k.setPosition([0, 0, 0, 0], 'xyz');
    expect(k.homedAxes).toBe('xyz');
    expect(() => k.checkMove(m)).not.toThrow();
    const far = new Move(limits, [0, 0, 0, 0], [200.001, 0, 0, 1.5], 100);
    expect(() => k.checkMove(far)).toThrow(MoveError);
    expect(() => k.checkMove(far)).toThrow('Move out of range: 200.001 0.000 0.000 [1.500]');
    k.clearHomingState('x');
    expect(k.homedAxes).toBe('yz');
  });

  it('slows moves with Z to max_z_velocity/max_z_accel scaled by the move/Z length ratio', () => {
    const k = linear('cartesian');
    k.setPosition([0, 0, 0, 0], 'xyz');
    const m = new Move(limits, [0, 0, 0, 0], [3, 0, 4, 0], 100); // 5 mm long, 4 mm of Z
    k.checkMove(m);
    const zRatio = 5 / 4;
    expect(Math.sqrt(m.maxCruiseV2)).toBeCloseTo(25 * zRatio, 9);
    expect(m.accelMmS2).toBeCloseTo(100 * zRatio, 9);
  });

  it('delta refuses moves before homing and outside the print radius', () => {
    const k = delta();
    const m = new Move(limits, [0, 0, 10, 0], [0, 0, 20, 0], 50);
    expect(() => k.checkMove(m)).toThrow('Must home first: 0.000 0.000 20.000 [0.000]');
    k.setPosition([0, 0, 10, 0], 'xyz');
    expect(() => k.checkMove(m)).not.toThrow();
    const out = new Move(limits, [0, 0, 10, 0], [90, 0, 10, 0], 50);
    expect(() => k.checkMove(out)).toThrow(/^Move out of range: 90.000/);
  });
});
