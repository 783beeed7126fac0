// Cable winch (a cable robot): each stepper winds a cable from an anchor point to the toolhead,
// so its rail position is the cable length, |toolhead - anchor|. As in Klipper there is no
// homing (G28 declares the toolhead at 0, 0, 0), no range check and no Z speed limit: the axis
// limits reported are the anchors' bounding box.

import type { MotionStepper, RailGeometry } from '../stepper.js';
import type { TrapQ } from '../trapq.js';
import type { Kinematics } from './kinematics.js';

export interface WinchAnchor {
  steppers: MotionStepper[];
  x: number;
  y: number;
  z: number;
}

/** Cable length from an anchor: sqrt((x-ax)^2 + (y-ay)^2 + (z-az)^2). */
export class WinchCableGeometry implements RailGeometry {
  pos = 0;
  vel = 0;
  constructor(
    readonly ax: number,
    readonly ay: number,
    readonly az: number,
  ) {}
  evaluate(x: number, y: number, z: number, vx: number, vy: number, vz: number): void {
    const dx = x - this.ax;
    const dy = y - this.ay;
    const dz = z - this.az;
    const len = Math.sqrt(dx * dx + dy * dy + dz * dz);
    this.pos = len;
    this.vel = len > 0 ? (dx * vx + dy * vy + dz * vz) / len : 0;
  }
}

export class WinchKinematics implements Kinematics {
  readonly name = 'winch';
  readonly steppers: MotionStepper[];
  private readonly anchors: WinchAnchor[];
  private readonly geometries: WinchCableGeometry[];

  constructor(anchors: WinchAnchor[]) {
    if (anchors.length < 3) throw new Error('winch kinematics needs at least 3 anchors (stepper_a, stepper_b, stepper_c)');
    this.anchors = anchors;
    this.geometries = anchors.map((a) => new WinchCableGeometry(a.x, a.y, a.z));
    this.steppers = anchors.flatMap((a) => a.steppers);
  }

  attach(trapq: TrapQ): void {
    this.anchors.forEach((a, i) => {
      for (const s of a.steppers) s.setGeometry(trapq, this.geometries[i]!);
    });
  }

  checkMove(): void {}

  setPosition(pos: ArrayLike<number>): void {
    for (const s of this.steppers) s.setPosition(pos[0]!, pos[1]!, pos[2]!);
  }

  clearHomingState(): void {}

  /** Always homed, as Klipper reports a winch. */
  readonly homedAxes = 'xyz';

  railPositions(x: number, y: number, z: number): number[] {
    return this.anchors.map((a) => Math.hypot(x - a.x, y - a.y, z - a.z));
  }

  /**
   * Trilateration from the first three cables: two mirror solutions about their anchors' plane.
   * A fourth cable picks the one whose distance to its anchor matches; with three, the one on
   * the origin's side of the plane (a winch's working space is between the anchors).
   */
  cartesianPosition(rail: ArrayLike<number>): [number, number, number] {
    const [a, b, c] = this.anchors as [WinchAnchor, WinchAnchor, WinchAnchor];
    const p1 = [a.x, a.y, a.z];
    const sub = (u: number[], v: number[]) => [u[0]! - v[0]!, u[1]! - v[1]!, u[2]! - v[2]!];
    const dot = (u: number[], v: number[]) => u[0]! * v[0]! + u[1]! * v[1]! + u[2]! * v[2]!;
    const scale = (u: number[], k: number) => [u[0]! * k, u[1]! * k, u[2]! * k];
    const cross = (u: number[], v: number[]) => [
      u[1]! * v[2]! - u[2]! * v[1]!,
      u[2]! * v[0]! - u[0]! * v[2]!,
      u[0]! * v[1]! - u[1]! * v[0]!,
    ];
    const s21 = sub([b.x, b.y, b.z], p1);
    const s31 = sub([c.x, c.y, c.z], p1);
    const d = Math.sqrt(dot(s21, s21));
    const ex = scale(s21, 1 / d);
    const i = dot(ex, s31);
    const vy = sub(s31, scale(ex, i));
    const ey = scale(vy, 1 / Math.sqrt(dot(vy, vy)));
    const ez = cross(ex, ey);
    const j = dot(ey, s31);
    const [r1, r2, r3] = [rail[0]! ** 2, rail[1]! ** 2, rail[2]! ** 2];
    const x = (r1 - r2 + d * d) / (2 * d);
    const y = (r1 - r3 - x * x + (x - i) ** 2 + j * j) / (2 * j);
    const z = Math.sqrt(Math.max(r1 - x * x - y * y, 0));
    const at = (zSign: number) => [0, 1, 2].map((k) => p1[k]! + ex[k]! * x + ey[k]! * y + ez[k]! * z * zSign);
    const [up, down] = [at(1), at(-1)];
    const fourth = this.anchors[3];
    let pick: number[];
    if (fourth && rail[3] !== undefined) {
      const miss = (q: number[]) => Math.abs(Math.hypot(q[0]! - fourth.x, q[1]! - fourth.y, q[2]! - fourth.z) - rail[3]!);
      pick = miss(up) <= miss(down) ? up : down;
    } else {
      pick = dot(ez, sub([0, 0, 0], p1)) >= 0 ? up : down;
    }
    return [pick[0]!, pick[1]!, pick[2]!];
  }

  calcPosition(): [number, number, number] {
    return this.cartesianPosition(this.anchors.map((a) => a.steppers[0]!.commandedPositionMm));
  }

  axisMinimum(): [number, number, number] {
    const a = this.anchors;
    return [Math.min(...a.map((p) => p.x)), Math.min(...a.map((p) => p.y)), Math.min(...a.map((p) => p.z))];
  }

  axisMaximum(): [number, number, number] {
    const a = this.anchors;
    return [Math.max(...a.map((p) => p.x)), Math.max(...a.map((p) => p.y)), Math.max(...a.map((p) => p.z))];
  }
}
