// hybrid_corexy / hybrid_corexz, polar, winch and deltesian: inverse and forward maps against
// hand-worked positions and each other, the limits Klipper applies, and step generation through
// a toolhead (each stepper's net steps after a move = its rail travel from our own inverse
// kinematics, in steps).
import { describe, expect, it } from 'vitest';
import {
  CountingStepSink,
  Move,
  MoveError,
  MotionStepper,
  Toolhead,
  type Kinematics,
  type MovePlannerLimits,
} from '../../../src-main/host/motion/index.js';
import { HybridCoreXYKinematics, HybridCoreXZKinematics } from '../../../src-main/host/motion/kinematics/hybrid.js';
import { PolarKinematics, nearestTurn } from '../../../src-main/host/motion/kinematics/polar.js';
import { WinchKinematics } from '../../../src-main/host/motion/kinematics/winch.js';
import { DeltesianKinematics } from '../../../src-main/host/motion/kinematics/deltesian.js';

const LIMITS: MovePlannerLimits = { maxVelocityMmS: 300, maxAccelMmS2: 3000, maxAccelToDecelMmS2: 1500, junctionDeviationMm: 0.003 };

const stepper = (name: string, stepDistMm = 0.0125): MotionStepper =>
  new MotionStepper({ name, stepDistMm, clockFreqHz: 16e6, sink: new CountingStepSink() });

function hybrid(kind: 'xy' | 'xz') {
  const rails = (['x', 'y', 'z'] as const).map((axis) => ({
    axis,
    steppers: [stepper(`stepper_${axis}`)],
    positionMinMm: 0,
    positionMaxMm: 200,
  }));
  const o = { rails, maxZVelocityMmS: 25, maxZAccelMmS2: 30 };
  return kind === 'xy' ? new HybridCoreXYKinematics(o) : new HybridCoreXZKinematics(o);
}

/** example-polar.cfg: bed gear 80:16 at 16 microsteps (radians), arm 40 mm/turn to 300 mm, Z 0..200. */
const BED_STEP_RAD = (2 * Math.PI) / (200 * 16 * 5);
function polar(o: { maxAngularVelocityRadS?: number } = {}) {
  return new PolarKinematics({
    bed: [stepper('stepper_bed', BED_STEP_RAD)],
    arm: [stepper('stepper_arm')],
    z: [stepper('stepper_z', 0.0025)],
    armMaxMm: 300,
    zMinMm: 0,
    zMaxMm: 200,
    maxZVelocityMmS: 25,
    maxZAccelMmS2: 30,
    ...o,
  });
}

/** example-winch.cfg's four anchors. */
const ANCHORS = [
  [0, -2000, -100],
  [2000, 1000, -100],
  [-2000, 1000, -100],
  [0, 0, 3000],
] as const;
const winch = () => new WinchKinematics(ANCHORS.map(([x, y, z], i) => ({ steppers: [stepper(`stepper_${'abcd'[i]}`)], x, y, z })));

/** example-deltesian.cfg: arm 217, arm_x_length 160, position_endstop 268, Y 0..200. */
function deltesian(o: { printWidthMm?: number } = {}) {
  const tower = (n: string) => ({ steppers: [stepper(n)], armLengthMm: 217, armXLengthMm: 160, positionEndstopMm: 268 });
  return new DeltesianKinematics({
    left: tower('stepper_left'),
    right: tower('stepper_right'),
    y: { steppers: [stepper('stepper_y')], positionMinMm: 0, positionMaxMm: 200 },
    maxZVelocityMmS: 150,
    maxZAccelMmS2: 3000,
    ...o,
  });
}

function expectRoundTrip(kin: Kinematics, points: [number, number, number][]): void {
  for (const p of points) {
    const back = kin.cartesianPosition(kin.railPositions(...p));
    for (let i = 0; i < 3; i++) expect(back[i], `${kin.name} ${p.join(',')} axis ${i}`).toBeCloseTo(p[i]!, 9);
  }
}

/** A toolhead on kin, homed at `from`; moves through `path` and returns each stepper's net steps. */
function stepsAlong(kin: Kinematics, from: [number, number, number], path: [number, number, number][], speedMmS = 50): number[] {
  const th = new Toolhead({ kinematics: kin, maxVelocityMmS: 300, maxAccelMmS2: 3000 });
  th.setPosition([...from, 0], 'xyz');
  const start = kin.steppers.map((s) => s.mcuPositionSteps);
  for (const p of path) th.move([...p, 0], speedMmS);
  th.flushStepGeneration();
  return kin.steppers.map((s, i) => s.mcuPositionSteps - start[i]!);
}

/** What our inverse kinematics says each stepper must have stepped from `from` to `to`. */
function expectedSteps(kin: Kinematics, from: [number, number, number], to: [number, number, number]): number[] {
  const a = kin.railPositions(...from);
  const b = kin.railPositions(...to);
  return kin.steppers.map((s, i) => Math.round((b[i]! - a[i]!) / s.stepDistMm));
}

function moveTo(kin: Kinematics, from: [number, number, number], to: [number, number, number]): void {
  const th = new Toolhead({ kinematics: kin, maxVelocityMmS: 300, maxAccelMmS2: 3000 });
  th.setPosition([...from, 0], '');
  th.move([...to, 0], 50);
}

describe('hybrid_corexy / hybrid_corexz', () => {
  it('stepper_x is x - y (x - z); the other rails are cartesian', () => {
    expect(hybrid('xy').railPositions(10, 3, 5)).toEqual([7, 3, 5]);
    expect(hybrid('xz').railPositions(10, 3, 5)).toEqual([5, 3, 5]);
    expect(hybrid('xy').cartesianPosition([7, 3, 5])).toEqual([10, 3, 5]);
    expectRoundTrip(hybrid('xy'), [
      [0, 0, 0],
      [120.5, 33.25, 7],
      [5, 190, 180],
    ]);
    expectRoundTrip(hybrid('xz'), [
      [0, 0, 0],
      [120.5, 33.25, 7],
      [5, 190, 180],
    ]);
  });

  it('steps: a diagonal move turns stepper_x by the x - y change', () => {
    const kin = hybrid('xy');
    const to: [number, number, number] = [150, 20, 3];
    expect(stepsAlong(kin, [10, 100, 1], [to])).toEqual(expectedSteps(kin, [10, 100, 1], to));
    expect(expectedSteps(kin, [10, 100, 1], to)).toEqual([(140 + 80) / 0.0125, -80 / 0.0125, 2 / 0.0125]);
  });

  it('refuses unhomed and out-of-range moves per axis', () => {
    const kin = hybrid('xy');
    expect(() => moveTo(kin, [10, 10, 10], [20, 10, 10])).toThrow(/Must home axis first/);
    const th = new Toolhead({ kinematics: kin, maxVelocityMmS: 300, maxAccelMmS2: 3000 });
    th.setPosition([10, 10, 10, 0], 'xyz');
    expect(() => th.move([201, 10, 10, 0], 50)).toThrow(MoveError);
    expect(() => th.move([200, 0, 200, 0], 50)).not.toThrow();
  });
});

describe('polar', () => {
  it('bed angle = atan2(y, x), arm = radius; rails in the order arm, z, bed', () => {
    const kin = polar();
    const [arm, z, bed] = kin.railPositions(0, 100, 7);
    expect(arm).toBeCloseTo(100, 12);
    expect(z).toBe(7);
    expect(bed).toBeCloseTo(Math.PI / 2, 12);
    const [x, y] = kin.cartesianPosition([50, 0, -Math.PI / 4]);
    expect(x).toBeCloseTo(50 * Math.SQRT1_2, 12);
    expect(y).toBeCloseTo(-50 * Math.SQRT1_2, 12);
    expectRoundTrip(kin, [
      [100, 0, 0],
      [-30, 40, 10],
      [-200, -150, 5],
      [0.5, -290, 1],
    ]);
  });

  it('the bed angle keeps turning the same way past half a turn (no jump at +-pi)', () => {
    expect(nearestTurn(-Math.PI + 0.1, Math.PI - 0.1)).toBeCloseTo(Math.PI + 0.1, 12);
    // A quarter circle from (−100, 10) over the −X axis to (−10, −100): the bed turns through pi.
    const kin = polar();
    const from: [number, number, number] = [-100, 10, 0];
    const path: [number, number, number][] = [];
    for (let k = 1; k <= 20; k++) {
      const a = Math.atan2(10, -100) + (k / 20) * (Math.atan2(-100, -10) + 2 * Math.PI - Math.atan2(10, -100));
      path.push([100.5 * Math.cos(a), 100.5 * Math.sin(a), 0]);
    }
    const steps = stepsAlong(kin, from, path, 30);
    const turnRad = Math.atan2(path[19]![1], path[19]![0]) + 2 * Math.PI - Math.atan2(10, -100);
    expect(steps[2]).toBe(Math.round(turnRad / BED_STEP_RAD));
    expect(steps[0]).toBe(Math.round((100.5 - Math.hypot(-100, 10)) / 0.0125));
  });

  it('steps: a straight move off the centre', () => {
    const kin = polar();
    const from: [number, number, number] = [100, 0, 5];
    const to: [number, number, number] = [20, 150, 9];
    expect(stepsAlong(kin, from, [to])).toEqual(expectedSteps(kin, from, to));
  });

  it('limits: the arm disc and Z; unhomed moves refused; max_angular_velocity slows moves near the centre', () => {
    expect(() => moveTo(polar(), [100, 0, 5], [150, 0, 5])).toThrow(/Must home axis first/);
    const th = new Toolhead({ kinematics: polar(), maxVelocityMmS: 300, maxAccelMmS2: 3000 });
    th.setPosition([100, 0, 5, 0], 'xyz');
    expect(() => th.move([250, 170, 5, 0], 50)).toThrow(/Move out of range/); // radius 302
    expect(() => th.move([100, 0, 201, 0], 50)).toThrow(/Move out of range/);
    expect(() => th.move([210, 210, 5, 0], 50)).not.toThrow(); // radius 297
    const slow = polar({ maxAngularVelocityRadS: 2 });
    expect(slow.axisMaximum()).toEqual([300, 300, 200]);
    slow.setPosition([100, -10, 5, 0], 'xyz');
    const near = new Move(LIMITS, [100, -10, 5, 0], [100, 10, 5, 0], 250); // passes 100 mm from the centre
    const through = new Move(LIMITS, [100, 10, 5, 0], [-100, 10, 5, 0], 250); // passes 10 mm from it
    slow.checkMove(near);
    slow.checkMove(through);
    expect(Math.sqrt(near.maxCruiseV2)).toBeCloseTo(200, 6); // 2 rad/s at 100 mm
    expect(Math.sqrt(through.maxCruiseV2)).toBeCloseTo(20, 6);
  });
});

describe('winch', () => {
  it('each cable is the distance from its anchor; forward solves it back', () => {
    const kin = winch();
    const r = kin.railPositions(0, 0, 0);
    expect(r[0]).toBeCloseTo(Math.sqrt(2000 ** 2 + 100 ** 2), 9);
    expect(r[3]).toBeCloseTo(3000, 12);
    expectRoundTrip(kin, [
      [0, 0, 0],
      [100, -50, 20],
      [-300, 200, 500],
      [10, 10, 2000],
    ]);
    expect(kin.axisMinimum()).toEqual([-2000, -2000, -100]);
    expect(kin.axisMaximum()).toEqual([2000, 1000, 3000]);
    expect(kin.homedAxes).toBe('xyz');
  });

  it("the fourth cable picks the side of the first three anchors' plane", () => {
    // Anchors a, b, c in the z = 0 plane: the origin gives no side; stepper_d above decides.
    const flat = new WinchKinematics(
      [
        [0, -1000, 0],
        [1000, 500, 0],
        [-1000, 500, 0],
        [0, 0, 1500],
      ].map(([x, y, z], i) => ({ steppers: [stepper(`stepper_${'abcd'[i]}`)], x: x!, y: y!, z: z! })),
    );
    expectRoundTrip(flat, [
      [10, 20, 50],
      [10, 20, -50],
      [-200, 100, 300],
    ]);
  });

  it('steps: every cable winds by its length change', () => {
    const kin = winch();
    const to: [number, number, number] = [120, -80, 40];
    expect(stepsAlong(kin, [0, 0, 0], [to])).toEqual(expectedSteps(kin, [0, 0, 0], to));
  });
});

describe('deltesian', () => {
  it('carriage height = z + sqrt(arm^2 - (x - tower)^2); towers at -/+ arm_x_length', () => {
    const kin = deltesian();
    const [l, r, y] = kin.railPositions(0, 50, 10);
    expect(l).toBeCloseTo(10 + Math.sqrt(217 ** 2 - 160 ** 2), 12);
    expect(r).toBeCloseTo(l!, 12);
    expect(y).toBe(50);
    const [l2, r2] = kin.railPositions(30, 0, 0);
    expect(l2).toBeCloseTo(Math.sqrt(217 ** 2 - 190 ** 2), 12);
    expect(r2).toBeCloseTo(Math.sqrt(217 ** 2 - 130 ** 2), 12);
    expectRoundTrip(kin, [
      [0, 0, 0],
      [30, 20, 5],
      [-50, 199, 60],
      [55, 3, 100],
    ]);
    // Both carriages at their endstops: the effector on the centre line, position_endstop below.
    expect(kin.homeXZ[0]).toBeCloseTo(0, 12);
    expect(kin.homeXZ[1]).toBeCloseTo(268, 9);
  });

  it('limits: X from the arms at min_angle 5 degrees (or print_width), Z up to the lower pillar top', () => {
    const kin = deltesian();
    // min(160, 217 cos 5deg - 160 = 56.17) each side, rounded inwards.
    expect(kin.limits[0]).toEqual([-56, 56]);
    // At x = +-56 the near tower's arm stands steepest (56 - 160 = -104 mm across): its carriage
    // reaches the endstop first.
    const zMax = 268 + Math.sqrt(217 ** 2 - 160 ** 2) - Math.sqrt(217 ** 2 - (160 - 56) ** 2);
    expect(kin.limits[2][1]).toBeCloseTo(zMax, 9);
    expect(deltesian({ printWidthMm: 80 }).limits[0]).toEqual([-40, 40]);
    expect(() => moveTo(kin, [0, 10, 5], [10, 10, 5])).toThrow(/Must home axis first/);
    const th = new Toolhead({ kinematics: kin, maxVelocityMmS: 300, maxAccelMmS2: 3000 });
    th.setPosition([0, 10, 5, 0], 'xyz');
    expect(() => th.move([57, 10, 5, 0], 50)).toThrow(/Move out of range/);
    expect(() => th.move([56, 10, 5, 0], 50)).not.toThrow();
    expect(() => th.move([56, 10, zMax + 0.01, 0], 50)).toThrow(/Move out of range/);
    expect(() => th.move([56, 10, zMax, 0], 50)).not.toThrow();
    // Above the Z limit (G28 ends at z 268) only where no carriage passes its endstop: at x 40
    // the right arm (120 mm across) would lift its carriage to 260 + 180.8 > 414.6.
    expect(() => th.move([0, 10, 260, 0], 50)).not.toThrow();
    expect(() => th.move([1, 10, 260, 0], 50)).not.toThrow();
    expect(() => th.move([40, 10, 260, 0], 50)).toThrow(/Move out of range/);
  });

  it('steps: both towers and Y follow an XZ diagonal', () => {
    const kin = deltesian();
    const from: [number, number, number] = [-40, 20, 5];
    const to: [number, number, number] = [45, 150, 80];
    expect(stepsAlong(kin, from, [to])).toEqual(expectedSteps(kin, from, to));
  });
});
