// Deltesian: two towers on the left and right (stepper_left, stepper_right) whose carriages hold
// the effector on arms in the XZ plane, plus a cartesian Y (stepper_y). As Klipper: the left
// tower stands at x = -arm_x_length of stepper_left, the right at x = +arm_x_length of
// stepper_right; a carriage's height is z + sqrt(arm^2 - (x - tower_x)^2). X limits come from the
// arms (print_width or the min_angle the arms may reach), Z from the lower of the two carriages'
// endstops at the X limits; above that, wherever neither carriage would pass its endstop. G28 homes the two towers
// together up to their endstops (then Y like a cartesian rail): homing-delta.ts.

import type { Move } from '../move.js';
import type { MotionStepper, RailGeometry } from '../stepper.js';
import type { TrapQ } from '../trapq.js';
import type { Kinematics } from './kinematics.js';

/** Klipper's default min_angle (degrees): the flattest the arms may go. */
export const DELTESIAN_MIN_ANGLE_DEG = 5;

/** Carriage height of a tower at towerX: z + sqrt(arm^2 - (x - towerX)^2). */
export class DeltesianArmGeometry implements RailGeometry {
  pos = 0;
  vel = 0;
  constructor(
    readonly towerX: number,
    readonly arm2: number,
  ) {}
  evaluate(x: number, _y: number, z: number, vx: number, _vy: number, vz: number): void {
    const dx = x - this.towerX;
    const root = Math.sqrt(this.arm2 - dx * dx);
    this.pos = z + root;
    this.vel = vz - (dx * vx) / root;
  }
}

export interface DeltesianTower {
  steppers: MotionStepper[];
  armLengthMm: number;
  armXLengthMm: number;
  positionEndstopMm: number;
}

export interface DeltesianKinematicsOptions {
  left: DeltesianTower;
  right: DeltesianTower;
  y: { steppers: MotionStepper[]; positionMinMm: number; positionMaxMm: number };
  minAngleDeg?: number;
  printWidthMm?: number;
  minimumZPositionMm?: number;
  maxZVelocityMmS: number;
  maxZAccelMmS2: number;
}

export class DeltesianKinematics implements Kinematics {
  readonly name = 'deltesian';
  /** Rail order: left, right, y. */
  readonly steppers: MotionStepper[];
  readonly towerX: [number, number];
  readonly arm2: [number, number];
  /** Carriage heights at the endstops (rail coordinates). */
  readonly absEndstops: [number, number];
  /** Where the effector is with both carriages at their endstops: [x, z]. */
  readonly homeXZ: [number, number];
  readonly limits: [[number, number], [number, number], [number, number]];
  private readonly o: DeltesianKinematicsOptions;
  /** Axes (of 'xyz') homed: x and z go together. */
  private homed = { xz: false, y: false };

  constructor(o: DeltesianKinematicsOptions) {
    this.o = o;
    const { left, right } = o;
    for (const t of [left, right]) {
      if (!(t.armLengthMm > t.armXLengthMm)) throw new Error('deltesian arm_length must be above arm_x_length');
    }
    this.steppers = [...left.steppers, ...right.steppers, ...o.y.steppers];
    this.towerX = [-left.armXLengthMm, right.armXLengthMm];
    this.arm2 = [left.armLengthMm ** 2, right.armLengthMm ** 2];
    this.absEndstops = [
      left.positionEndstopMm + Math.sqrt(this.arm2[0] - left.armXLengthMm ** 2),
      right.positionEndstopMm + Math.sqrt(this.arm2[1] - right.armXLengthMm ** 2),
    ];
    this.homeXZ = this.effectorXZ(this.absEndstops[0], this.absEndstops[1]);
    // X: as far as the arms reach without going flatter than min_angle (or print_width).
    const cosA = Math.cos(((o.minAngleDeg ?? DELTESIAN_MIN_ANGLE_DEG) * Math.PI) / 180);
    const xMin = Math.ceil(-Math.min(left.armXLengthMm, cosA * right.armLengthMm - right.armXLengthMm));
    const xMax = Math.floor(Math.min(right.armXLengthMm, cosA * left.armLengthMm - left.armXLengthMm));
    const xLimits: [number, number] = o.printWidthMm ? [-o.printWidthMm / 2, o.printWidthMm / 2] : [xMin, xMax];
    const zMax = Math.min(this.pillarsZMax(xLimits[0]), this.pillarsZMax(xLimits[1]));
    const zMin = o.minimumZPositionMm ?? 0;
    if (zMin > zMax) throw new Error(`deltesian minimum_z_position must be at most ${zMax.toFixed(3)}`);
    this.limits = [xLimits, [o.y.positionMinMm, o.y.positionMaxMm], [zMin, zMax]];
  }

  /** The X range allowed by the arms (without print_width): for config checks. */
  static xRange(left: { arm: number; armX: number }, right: { arm: number; armX: number }, minAngleDeg: number): number {
    const cosA = Math.cos((minAngleDeg * Math.PI) / 180);
    const xMin = Math.ceil(-Math.min(left.armX, cosA * right.arm - right.armX));
    const xMax = Math.floor(Math.min(right.armX, cosA * left.arm - left.armX));
    return Math.min(xMax - xMin, xMax * 2, -xMin * 2);
  }

  /** Highest Z at x with both carriages at or below their endstops. */
  private pillarsZMax(x: number): number {
    return Math.min(...[0, 1].map((i) => this.absEndstops[i]! - Math.sqrt(this.arm2[i]! - (x - this.towerX[i]!) ** 2)));
  }

  /** Effector [x, z] from the two carriage heights: the lower intersection of the arm circles. */
  effectorXZ(left: number, right: number): [number, number] {
    const [x0, x1] = this.towerX;
    const dx = x1 - x0;
    const dz = right - left;
    const d2 = dx * dx + dz * dz;
    const d = Math.sqrt(d2);
    const a = 0.5 * (1 + (this.arm2[0] - this.arm2[1]) / d2);
    const h = Math.sqrt(Math.max(this.arm2[0] - a * a * d2, 0));
    const mx = x0 + a * dx;
    const mz = left + a * dz;
    // Rotating (dx, dz) clockwise points down for a left-to-right pivot line.
    return [mx + (h * dz) / d, mz - (h * dx) / d];
  }

  attach(trapq: TrapQ): void {
    [this.o.left, this.o.right].forEach((t, i) => {
      for (const s of t.steppers) s.setGeometry(trapq, new DeltesianArmGeometry(this.towerX[i]!, this.arm2[i]!));
    });
    for (const s of this.o.y.steppers) s.setLinearKinematics(trapq, 0, 1, 0);
  }

  railPositions(x: number, y: number, z: number): number[] {
    return [0, 1].map((i) => z + Math.sqrt(this.arm2[i]! - (x - this.towerX[i]!) ** 2)).concat(y);
  }

  cartesianPosition(rail: ArrayLike<number>): [number, number, number] {
    const [x, z] = this.effectorXZ(rail[0]!, rail[1]!);
    return [x, rail[2]!, z];
  }

  calcPosition(): [number, number, number] {
    const o = this.o;
    return this.cartesianPosition([o.left.steppers[0]!, o.right.steppers[0]!, o.y.steppers[0]!].map((s) => s.commandedPositionMm));
  }

  setPosition(pos: ArrayLike<number>, homingAxes: string): void {
    for (const s of this.steppers) s.setPosition(pos[0]!, pos[1]!, pos[2]!);
    if (homingAxes.includes('x') || homingAxes.includes('z')) this.homed.xz = true;
    if (homingAxes.includes('y')) this.homed.y = true;
  }

  clearHomingState(axes: string): void {
    if (axes.includes('x') || axes.includes('z')) this.homed.xz = false;
    if (axes.includes('y')) this.homed.y = false;
  }

  get homedAxes(): string {
    return (this.homed.xz ? 'x' : '') + (this.homed.y ? 'y' : '') + (this.homed.xz ? 'z' : '');
  }

  checkMove(move: Move): void {
    const end = move.endPos;
    const zMax = this.limits[2][1];
    // Above the Z limit (where G28 leaves the head) the carriages' endstops are the limit.
    const top = end[2]! > zMax;
    for (let i = 0; i < 3; i++) {
      if (!move.axesD[i]) continue;
      const homed = i === 1 ? this.homed.y : this.homed.xz;
      if (!homed) throw move.moveError('Must home axis first');
      if (i === 2 && top) continue;
      const [min, max] = this.limits[i]!;
      if (end[i]! < min || end[i]! > max) throw move.moveError();
    }
    if (top && (move.axesD[0] || move.axesD[2])) {
      const rails = this.railPositions(end[0]!, end[1]!, end[2]!);
      if (!(rails[0]! <= this.absEndstops[0] + 1e-6 && rails[1]! <= this.absEndstops[1] + 1e-6)) throw move.moveError();
    }
    const dz = move.axesD[2]!;
    if (dz) {
      const zRatio = move.moveDMm / Math.abs(dz);
      move.limitSpeed(this.o.maxZVelocityMmS * zRatio, this.o.maxZAccelMmS2 * zRatio);
    }
  }

  axisMinimum(): [number, number, number] {
    return [this.limits[0][0], this.limits[1][0], this.limits[2][0]];
  }

  axisMaximum(): [number, number, number] {
    return [this.limits[0][1], this.limits[1][1], this.limits[2][1]];
  }
}
