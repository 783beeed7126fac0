// Kinematics whose rails are fixed linear combinations of x, y, z: cartesian, corexy, corexz.
// Limits are per cartesian axis (position_min/max of the matching rail); moves with Z are
// slowed to max_z_velocity / max_z_accel scaled by the move's length over its Z length.

import { MoveError, type Move } from '../move.js';
import type { MotionStepper } from '../stepper.js';
import type { TrapQ } from '../trapq.js';
import type { AxisName, Kinematics, RailConfig } from './kinematics.js';

export interface LinearKinematicsOptions {
  rails: RailConfig[];
  /** Default: the toolhead's max_velocity (set through setToolheadLimits). */
  maxZVelocityMmS?: number;
  maxZAccelMmS2?: number;
}

const AXES: AxisName[] = ['x', 'y', 'z'];

export class LinearKinematics implements Kinematics {
  readonly name: string;
  readonly steppers: MotionStepper[];
  private readonly rails: RailConfig[];
  /** Row i: rail i position = m[i][0]*x + m[i][1]*y + m[i][2]*z; inv is its inverse. */
  private readonly m: number[][];
  private readonly inv: number[][];
  /** [min, max] per axis; min > max means not homed. */
  private readonly limits: [number, number][] = [
    [1, -1],
    [1, -1],
    [1, -1],
  ];
  private maxZVelocityMmS: number;
  private maxZAccelMmS2: number;
  private readonly zLimitsGiven: boolean;

  constructor(name: string, matrix: number[][], o: LinearKinematicsOptions) {
    this.name = name;
    const rails = AXES.map((a) => {
      const r = o.rails.find((x) => x.axis === a);
      if (!r) throw new Error(`${name} kinematics needs a rail for axis ${a}`);
      if (r.steppers.length === 0) throw new Error(`rail ${a} has no stepper`);
      return r;
    });
    this.rails = rails;
    this.m = matrix;
    this.inv = invert3(matrix);
    this.steppers = rails.flatMap((r) => r.steppers);
    this.maxZVelocityMmS = o.maxZVelocityMmS ?? Infinity;
    this.maxZAccelMmS2 = o.maxZAccelMmS2 ?? Infinity;
    this.zLimitsGiven = o.maxZVelocityMmS !== undefined && o.maxZAccelMmS2 !== undefined;
  }

  setToolheadLimits(maxVelocityMmS: number, maxAccelMmS2: number): void {
    // Klipper's defaults: max_z_velocity = max_velocity, max_z_accel = max_accel.
    if (!this.zLimitsGiven) {
      if (this.maxZVelocityMmS === Infinity) this.maxZVelocityMmS = maxVelocityMmS;
      if (this.maxZAccelMmS2 === Infinity) this.maxZAccelMmS2 = maxAccelMmS2;
    }
  }

  attach(trapq: TrapQ): void {
    this.rails.forEach((rail, i) => {
      const row = this.m[i]!;
      for (const s of rail.steppers) s.setLinearKinematics(trapq, row[0]!, row[1]!, row[2]!);
    });
  }

  checkMove(move: Move): void {
    const lim = this.limits;
    const end = move.endPos;
    if (end[0]! < lim[0]![0] || end[0]! > lim[0]![1] || end[1]! < lim[1]![0] || end[1]! > lim[1]![1]) {
      this.checkEndstops(move);
    }
    const dz = move.axesD[2]!;
    if (!dz) return;
    this.checkEndstops(move);
    const zRatio = move.moveDMm / Math.abs(dz);
    move.limitSpeed(this.maxZVelocityMmS * zRatio, this.maxZAccelMmS2 * zRatio);
  }

  private checkEndstops(move: Move): void {
    for (let i = 0; i < 3; i++) {
      const [min, max] = this.limits[i]!;
      const p = move.endPos[i]!;
      if (move.axesD[i] && (p < min || p > max)) {
        if (min > max) throw move.moveError('Must home axis first');
        throw move.moveError();
      }
    }
  }

  setPosition(pos: ArrayLike<number>, homingAxes: string): void {
    for (const s of this.steppers) s.setPosition(pos[0]!, pos[1]!, pos[2]!);
    for (let i = 0; i < 3; i++) {
      if (homingAxes.includes(AXES[i]!)) {
        const r = this.rails[i]!;
        this.limits[i] = [r.positionMinMm, r.positionMaxMm];
      }
    }
  }

  /** [dual_carriage]: the axis's range is the active carriage's (null: not homed). */
  setAxisRange(axisIndex: number, range: [number, number] | null): void {
    this.limits[axisIndex] = range ? [range[0], range[1]] : [1, -1];
  }

  clearHomingState(axes: string): void {
    for (let i = 0; i < 3; i++) if (axes.includes(AXES[i]!)) this.limits[i] = [1, -1];
  }

  get homedAxes(): string {
    return AXES.filter((_, i) => this.limits[i]![0] <= this.limits[i]![1]).join('');
  }

  railPositions(x: number, y: number, z: number): number[] {
    return this.m.map((r) => r[0]! * x + r[1]! * y + r[2]! * z);
  }

  cartesianPosition(rail: ArrayLike<number>): [number, number, number] {
    const v = this.inv.map((r) => r[0]! * rail[0]! + r[1]! * rail[1]! + r[2]! * rail[2]!);
    return [v[0]!, v[1]!, v[2]!];
  }

  calcPosition(): [number, number, number] {
    return this.cartesianPosition(this.rails.map((r) => r.steppers[0]!.commandedPositionMm));
  }

  axisMinimum(): [number, number, number] {
    const r = this.rails;
    return [r[0]!.positionMinMm, r[1]!.positionMinMm, r[2]!.positionMinMm];
  }

  axisMaximum(): [number, number, number] {
    const r = this.rails;
    return [r[0]!.positionMaxMm, r[1]!.positionMaxMm, r[2]!.positionMaxMm];
  }
}

function invert3(m: number[][]): number[][] {
  const [a, b, c] = m[0]!;
  const [d, e, f] = m[1]!;
  const [g, h, i] = m[2]!;
  const A = e! * i! - f! * h!;
  const B = -(d! * i! - f! * g!);
  const C = d! * h! - e! * g!;
  const det = a! * A + b! * B + c! * C;
  if (det === 0) throw new Error('kinematics matrix is singular');
  const k = 1 / det;
  return [
    [A * k, -(b! * i! - c! * h!) * k, (b! * f! - c! * e!) * k],
    [B * k, (a! * i! - c! * g!) * k, -(a! * f! - c! * d!) * k],
    [C * k, -(a! * h! - b! * g!) * k, (a! * e! - b! * d!) * k],
  ];
}

/** stepper_x moves X, stepper_y Y, stepper_z Z. */
export class CartesianKinematics extends LinearKinematics {
  constructor(o: LinearKinematicsOptions) {
    super(
      'cartesian',
      [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
      o,
    );
  }
}

/** stepper_x is motor A = x + y, stepper_y is motor B = x - y. */
export class CoreXYKinematics extends LinearKinematics {
  constructor(o: LinearKinematicsOptions) {
    super(
      'corexy',
      [
        [1, 1, 0],
        [1, -1, 0],
        [0, 0, 1],
      ],
      o,
    );
  }
}

/** stepper_x is motor A = x + z, stepper_z is motor B = x - z, stepper_y moves Y. */
export class CoreXZKinematics extends LinearKinematics {
  constructor(o: LinearKinematicsOptions) {
    super(
      'corexz',
      [
        [1, 0, 1],
        [0, 1, 0],
        [1, 0, -1],
      ],
      o,
    );
  }
}

export { MoveError };
