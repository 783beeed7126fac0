// Linear delta: three towers (stepper_a/b/c) at angles 210/330/90 deg on a circle of
// delta_radius; each carriage hangs the effector on an arm of arm_length. A carriage height is
// z + sqrt(arm^2 - horizontal distance^2). Moves near the edge are slowed (where a small XY move
// makes a tower move much more), and Z limits follow the carriage travel.

import type { Move } from '../move.js';
import type { MotionStepper } from '../stepper.js';
import type { TrapQ } from '../trapq.js';
import type { Kinematics } from './kinematics.js';

export interface DeltaTower {
  steppers: MotionStepper[];
  armLengthMm: number;
  /** position_endstop of the tower's rail (carriage height at its endstop). */
  positionEndstopMm: number;
  /** Default 210, 330, 90 degrees for a, b, c. */
  angleDeg?: number;
}

export interface DeltaKinematicsOptions {
  towers: [DeltaTower, DeltaTower, DeltaTower];
  radiusMm: number;
  printRadiusMm?: number;
  minimumZPositionMm?: number;
  maxVelocityMmS: number;
  maxAccelMmS2: number;
  maxZVelocityMmS?: number;
  maxZAccelMmS2?: number;
}

/** Beyond this tower/XY speed ratio moves run at half speed, beyond twice it at a quarter. */
const SLOW_RATIO = 3;
const DEFAULT_ANGLES = [210, 330, 90];

export class DeltaKinematics implements Kinematics {
  readonly name = 'delta';
  readonly steppers: MotionStepper[];
  readonly towersXY: [number, number][];
  readonly arm2: number[];
  readonly absEndstops: number[];
  readonly homePosition: [number, number, number];
  readonly maxZ: number;
  readonly minZ: number;
  private readonly towers: DeltaTower[];
  private readonly radius: number;
  private readonly limitZ: number;
  private readonly minArmLength: number;
  private readonly slowXY2: number;
  private readonly verySlowXY2: number;
  readonly maxXY2: number;
  private maxVelocityMmS: number;
  private maxAccelMmS2: number;
  private readonly maxZVelocityMmS: number;
  private readonly maxZAccelMmS2: number;
  private needHome = true;
  private limitXY2 = -1;

  constructor(o: DeltaKinematicsOptions) {
    this.towers = o.towers;
    const radius = (this.radius = o.radiusMm);
    this.steppers = o.towers.flatMap((t) => t.steppers);
    this.maxVelocityMmS = o.maxVelocityMmS;
    this.maxAccelMmS2 = o.maxAccelMmS2;
    this.maxZVelocityMmS = o.maxZVelocityMmS ?? o.maxVelocityMmS;
    this.maxZAccelMmS2 = o.maxZAccelMmS2 ?? o.maxAccelMmS2;
    const arms = o.towers.map((t) => t.armLengthMm);
    for (const a of arms) if (!(a > radius)) throw new Error('delta arm_length must be above delta_radius');
    this.arm2 = arms.map((a) => a * a);
    this.absEndstops = o.towers.map((t, i) => t.positionEndstopMm + Math.sqrt(this.arm2[i]! - radius * radius));
    this.towersXY = o.towers.map((t, i) => {
      const a = ((t.angleDeg ?? DEFAULT_ANGLES[i]!) * Math.PI) / 180;
      return [Math.cos(a) * radius, Math.sin(a) * radius] as [number, number];
    });
    this.homePosition = this.cartesianPosition(this.absEndstops);
    this.maxZ = Math.min(...o.towers.map((t) => t.positionEndstopMm));
    this.minZ = o.minimumZPositionMm ?? 0;
    this.limitZ = Math.min(...this.absEndstops.map((ep, i) => ep - arms[i]!));
    const minArm = (this.minArmLength = Math.min(...arms));
    const halfMinStep = 0.5 * Math.min(...this.steppers.map((s) => s.stepDistMm));
    const ratioToXY = (ratio: number): number =>
      ratio * Math.sqrt((minArm * minArm) / (ratio * ratio + 1) - halfMinStep * halfMinStep) + halfMinStep - radius;
    this.slowXY2 = ratioToXY(SLOW_RATIO) ** 2;
    this.verySlowXY2 = ratioToXY(2 * SLOW_RATIO) ** 2;
    this.maxXY2 = Math.min(o.printRadiusMm ?? radius, minArm - radius, ratioToXY(4 * SLOW_RATIO)) ** 2;
  }

  setToolheadLimits(maxVelocityMmS: number, maxAccelMmS2: number): void {
    this.maxVelocityMmS = maxVelocityMmS;
    this.maxAccelMmS2 = maxAccelMmS2;
  }

  attach(trapq: TrapQ): void {
    this.towers.forEach((t, i) => {
      const [tx, ty] = this.towersXY[i]!;
      for (const s of t.steppers) s.setDeltaKinematics(trapq, tx, ty, t.armLengthMm);
    });
  }

  railPositions(x: number, y: number, z: number): number[] {
    return this.towersXY.map(([tx, ty], i) => z + Math.sqrt(this.arm2[i]! - (x - tx) ** 2 - (y - ty) ** 2));
  }

  /** Trilateration: the point at arm length from the three carriages (the lower solution). */
  cartesianPosition(rail: ArrayLike<number>): [number, number, number] {
    const p = this.towersXY.map(([x, y], i) => [x, y, rail[i]!] as [number, number, number]);
    const [p1, p2, p3] = p as [[number, number, number], [number, number, number], [number, number, number]];
    const sub = (a: number[], b: number[]): number[] => [a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!];
    const dot = (a: number[], b: number[]): number => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
    const scale = (a: number[], k: number): number[] => [a[0]! * k, a[1]! * k, a[2]! * k];
    const cross = (a: number[], b: number[]): number[] => [
      a[1]! * b[2]! - a[2]! * b[1]!,
      a[2]! * b[0]! - a[0]! * b[2]!,
      a[0]! * b[1]! - a[1]! * b[0]!,
    ];
    const s21 = sub(p2, p1);
    const s31 = sub(p3, p1);
    const d = Math.sqrt(dot(s21, s21));
    const ex = scale(s21, 1 / d);
    const i = dot(ex, s31);
    const vecEy = sub(s31, scale(ex, i));
    const ey = scale(vecEy, 1 / Math.sqrt(dot(vecEy, vecEy)));
    const ez = cross(ex, ey);
    const j = dot(ey, s31);
    const [r1, r2, r3] = this.arm2 as [number, number, number];
    const x = (r1 - r2 + d * d) / (2 * d);
    const y = (r1 - r3 - x * x + (x - i) ** 2 + j * j) / (2 * j);
    const z = -Math.sqrt(Math.max(r1 - x * x - y * y, 0));
    const out = [0, 1, 2].map((k) => p1[k]! + ex[k]! * x + ey[k]! * y + ez[k]! * z);
    return [out[0]!, out[1]!, out[2]!];
  }

  calcPosition(): [number, number, number] {
    return this.cartesianPosition(this.towers.map((t) => t.steppers[0]!.commandedPositionMm));
  }

  setPosition(pos: ArrayLike<number>, homingAxes: string): void {
    for (const s of this.steppers) s.setPosition(pos[0]!, pos[1]!, pos[2]!);
    this.limitXY2 = -1;
    if (homingAxes.includes('x') && homingAxes.includes('y') && homingAxes.includes('z')) this.needHome = false;
  }

  clearHomingState(axes: string): void {
    if (axes) {
      this.limitXY2 = -1;
      this.needHome = true;
    }
  }

  get homedAxes(): string {
    return this.needHome ? '' : 'xyz';
  }

  checkMove(move: Move): void {
    const end = move.endPos;
    const endXY2 = end[0]! ** 2 + end[1]! ** 2;
    if (endXY2 <= this.limitXY2 && !move.axesD[2]) return; // plain XY move inside the safe zone
    if (this.needHome) throw move.moveError('Must home first');
    const endZ = end[2]!;
    let limitXY2 = this.maxXY2;
    if (endZ > this.limitZ) {
      // Above limit_z the arms tilt: the reachable radius shrinks.
      const above = endZ - this.limitZ;
      const allowed = this.radius - Math.sqrt(this.minArmLength ** 2 - (this.minArmLength - above) ** 2);
      limitXY2 = Math.min(limitXY2, allowed * allowed);
    }
    if (endXY2 > limitXY2 || endZ > this.maxZ || endZ < this.minZ) {
      // Out of range, unless it is the move to the home position.
      const h = this.homePosition;
      if (end[0] !== h[0] || end[1] !== h[1] || endZ < this.minZ || endZ > h[2]) throw move.moveError();
      limitXY2 = -1;
    }
    if (move.axesD[2]) {
      const zRatio = move.moveDMm / Math.abs(move.axesD[2]!);
      move.limitSpeed(this.maxZVelocityMmS * zRatio, this.maxZAccelMmS2 * zRatio);
      limitXY2 = -1;
    }
    const extremeXY2 = Math.max(endXY2, move.startPos[0]! ** 2 + move.startPos[1]! ** 2);
    if (extremeXY2 > this.slowXY2) {
      const r = extremeXY2 > this.verySlowXY2 ? 0.25 : 0.5;
      move.limitSpeed(this.maxVelocityMmS * r, this.maxAccelMmS2 * r);
      limitXY2 = -1;
    }
    this.limitXY2 = Math.min(limitXY2, this.slowXY2);
  }

  axisMinimum(): [number, number, number] {
    const r = Math.sqrt(this.maxXY2);
    return [-r, -r, this.minZ];
  }

  axisMaximum(): [number, number, number] {
    const r = Math.sqrt(this.maxXY2);
    return [r, r, this.maxZ];
  }
}
