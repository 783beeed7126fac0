// Polar: a rotating bed (stepper_bed, in radians, never homed: its angle at G28 defines +X) and
// an arm carrying the toolhead along the bed's radius (stepper_arm, homed) plus Z. As Klipper:
// bed angle = atan2(y, x), arm = sqrt(x^2 + y^2); the reachable disc is the arm's position_max;
// Z moves are slowed to max_z_velocity / max_z_accel. Moves through the centre spin the bed
// half a turn at once (Klipper has the same limit); max_angular_velocity / max_angular_accel
// (rad/s, rad/s^2), when set, slow moves passing close to the centre.

import type { Move } from '../move.js';
import type { MotionStepper, RailGeometry } from '../stepper.js';
import type { TrapQ } from '../trapq.js';
import type { Kinematics } from './kinematics.js';

/** Below this radius (mm) the bed's angle is taken as standing still (the centre has none). */
const CENTRE_MM = 1e-6;

/** The bed's angle (rad) of the toolhead, on the turn nearest the bed's current angle. */
export class PolarBedGeometry implements RailGeometry {
  pos = 0;
  vel = 0;
  evaluate(x: number, y: number, _z: number, vx: number, vy: number, _vz: number, nearRad: number): void {
    const r2 = x * x + y * y;
    if (r2 < CENTRE_MM * CENTRE_MM) {
      this.pos = nearRad;
      this.vel = 0;
      return;
    }
    this.pos = nearestTurn(Math.atan2(y, x), nearRad);
    this.vel = (x * vy - y * vx) / r2;
  }
}

/** The arm's radius. */
export class PolarArmGeometry implements RailGeometry {
  pos = 0;
  vel = 0;
  evaluate(x: number, y: number, _z: number, vx: number, vy: number): void {
    const r = Math.sqrt(x * x + y * y);
    this.pos = r;
    this.vel = r > CENTRE_MM ? (x * vx + y * vy) / r : Math.sqrt(vx * vx + vy * vy);
  }
}

/** angle + k * 2 pi closest to nearRad. */
export function nearestTurn(angleRad: number, nearRad: number): number {
  const turn = 2 * Math.PI;
  return angleRad + Math.round((nearRad - angleRad) / turn) * turn;
}

export interface PolarKinematicsOptions {
  bed: MotionStepper[];
  arm: MotionStepper[];
  z: MotionStepper[];
  /** stepper_arm position_max (mm): the radius of the printable disc. */
  armMaxMm: number;
  zMinMm: number;
  zMaxMm: number;
  maxZVelocityMmS: number;
  maxZAccelMmS2: number;
  maxAngularVelocityRadS?: number;
  maxAngularAccelRadS2?: number;
}

export class PolarKinematics implements Kinematics {
  readonly name = 'polar';
  /** Rail order: arm, z, bed (the homed rails first, as the homing code indexes them). */
  readonly steppers: MotionStepper[];
  private readonly o: PolarKinematicsOptions;
  private limitXY2 = -1;
  private limitZ: [number, number] = [1, -1];

  constructor(o: PolarKinematicsOptions) {
    this.o = o;
    this.steppers = [...o.arm, ...o.z, ...o.bed];
  }

  attach(trapq: TrapQ): void {
    for (const s of this.o.arm) s.setGeometry(trapq, new PolarArmGeometry());
    for (const s of this.o.z) s.setLinearKinematics(trapq, 0, 0, 1);
    for (const s of this.o.bed) s.setGeometry(trapq, new PolarBedGeometry());
  }

  railPositions(x: number, y: number, z: number): number[] {
    const near = this.o.bed[0]!.commandedPositionMm;
    const bed = x * x + y * y < CENTRE_MM * CENTRE_MM ? near : nearestTurn(Math.atan2(y, x), near);
    return [Math.hypot(x, y), z, bed];
  }

  cartesianPosition(rail: ArrayLike<number>): [number, number, number] {
    const [r, z, a] = [rail[0]!, rail[1]!, rail[2]!];
    return [Math.cos(a) * r, Math.sin(a) * r, z];
  }

  calcPosition(): [number, number, number] {
    const first = (s: MotionStepper[]) => s[0]!.commandedPositionMm;
    return this.cartesianPosition([first(this.o.arm), first(this.o.z), first(this.o.bed)]);
  }

  setPosition(pos: ArrayLike<number>, homingAxes: string): void {
    for (const s of this.steppers) s.setPosition(pos[0]!, pos[1]!, pos[2]!);
    if (homingAxes.includes('x') || homingAxes.includes('y')) this.limitXY2 = this.o.armMaxMm ** 2;
    if (homingAxes.includes('z')) this.limitZ = [this.o.zMinMm, this.o.zMaxMm];
  }

  clearHomingState(axes: string): void {
    if (axes.includes('x') || axes.includes('y')) this.limitXY2 = -1;
    if (axes.includes('z')) this.limitZ = [1, -1];
  }

  get homedAxes(): string {
    return (this.limitXY2 >= 0 ? 'xy' : '') + (this.limitZ[0] <= this.limitZ[1] ? 'z' : '');
  }

  checkMove(move: Move): void {
    const end = move.endPos;
    if (move.axesD[0] || move.axesD[1]) {
      if (end[0]! ** 2 + end[1]! ** 2 > this.limitXY2) {
        if (this.limitXY2 < 0) throw move.moveError('Must home axis first');
        throw move.moveError();
      }
      this.limitAngularSpeed(move);
    }
    const dz = move.axesD[2]!;
    if (!dz) return;
    const [zMin, zMax] = this.limitZ;
    if (end[2]! < zMin || end[2]! > zMax) {
      if (zMin > zMax) throw move.moveError('Must home axis first');
      throw move.moveError();
    }
    const zRatio = move.moveDMm / Math.abs(dz);
    move.limitSpeed(this.o.maxZVelocityMmS * zRatio, this.o.maxZAccelMmS2 * zRatio);
  }

  /**
   * The bed turns fastest where the path passes closest to the centre: at speed v and distance
   * d it turns at v / d rad/s (and an acceleration a turns it at about a / d rad/s^2).
   */
  private limitAngularSpeed(move: Move): void {
    const { maxAngularVelocityRadS: w, maxAngularAccelRadS2: wa } = this.o;
    if (w === undefined && wa === undefined) return;
    const [sx, sy] = [move.startPos[0]!, move.startPos[1]!];
    const [dx, dy] = [move.axesD[0]!, move.axesD[1]!];
    const len2 = dx * dx + dy * dy;
    const t = Math.min(1, Math.max(0, -(sx * dx + sy * dy) / len2));
    // Never below 1 mm: a move through the centre still gets a (slow) speed.
    const closest = Math.max(1, Math.hypot(sx + t * dx, sy + t * dy));
    move.limitSpeed(w === undefined ? Infinity : w * closest, wa === undefined ? Infinity : wa * closest);
  }

  axisMinimum(): [number, number, number] {
    return [-this.o.armMaxMm, -this.o.armMaxMm, this.o.zMinMm];
  }

  axisMaximum(): [number, number, number] {
    return [this.o.armMaxMm, this.o.armMaxMm, this.o.zMaxMm];
  }
}
