// Two independent carriages on one axis (IDEX, Klipper's [dual_carriage]) on top of a linear
// kinematics (cartesian, hybrid_corexy, hybrid_corexz). Each carriage's position is a linear
// function of the toolhead's axis position x:
//   carriage = k * x + base
// with k = 1 for the PRIMARY carriage (base 0: the toolhead is that carriage), 1 for a COPY
// carriage, -1 for a MIRROR one and 0 for an INACTIVE one (it stays at base). A carriage's motors
// turn as the axis's rail does with the carriage in the toolhead's place: on hybrid_corexy
// motor = carriage - y (so an inactive carriage's motor still follows Y), on cartesian
// motor = carriage. The steppers are driven with the law scaled by k; row[axis] * base is kept
// outside it (the stepper's frameOffsetMm, reported by GET_POSITION). Only a mode change moves a
// base; setPosition shifts the toolhead frame and the followers with it, as Klipper's
// dual-carriage stepper transform does.

import type { Move } from '../move.js';
import type { MotionStepper } from '../stepper.js';
import type { TrapQ } from '../trapq.js';
import type { Kinematics } from './kinematics.js';
import type { LinearKinematics } from './linear.js';

export type CarriageMode = 'PRIMARY' | 'COPY' | 'MIRROR' | 'INACTIVE';

export interface Carriage {
  /** The carriage's motors: [stepper_x]'s (and its extra ones), or [dual_carriage]'s. */
  steppers: MotionStepper[];
  positionMinMm: number;
  positionMaxMm: number;
}

export interface DualCarriageOptions {
  /** 0 = X, 1 = Y. */
  axisIndex: 0 | 1;
  /** Carriage 0 is the main rail's ([stepper_x]), carriage 1 [dual_carriage]'s. */
  carriages: [Carriage, Carriage];
  /** Refuse moves that bring the carriages closer than this (0: no check). */
  safeDistanceMm: number;
  /** Which carriage sits at the low end of the axis (the other is always above it). */
  lowCarriage: 0 | 1;
  /** The section named in messages. */
  sectionName?: string;
}

const COEFFICIENT: Record<CarriageMode, number> = { PRIMARY: 1, COPY: 1, MIRROR: -1, INACTIVE: 0 };
/** Float slack for range and distance checks (mm). */
const EPSILON_MM = 1e-9;

export class DualCarriageKinematics implements Kinematics {
  readonly name: string;
  readonly steppers: readonly MotionStepper[];
  readonly axisIndex: 0 | 1;
  readonly safeDistanceMm: number;
  private readonly carriages: [Carriage, Carriage];
  private readonly lowCarriage: 0 | 1;
  private readonly sectionName: string;
  private modesNow: [CarriageMode, CarriageMode] = ['PRIMARY', 'INACTIVE'];
  private readonly base = [0, 0];
  private readonly homed = [false, false];
  private trapq: TrapQ | null = null;
  /** The axis's rail law: rail = row[0]*x + row[1]*y + row[2]*z (hybrid_corexy X: [1, -1, 0]). */
  private readonly row: [number, number, number];

  constructor(
    private readonly inner: LinearKinematics,
    o: DualCarriageOptions,
  ) {
    this.name = inner.name;
    this.axisIndex = o.axisIndex;
    this.carriages = o.carriages;
    this.safeDistanceMm = o.safeDistanceMm;
    this.lowCarriage = o.lowCarriage;
    this.sectionName = o.sectionName ?? 'dual_carriage';
    const own = new Set(inner.steppers);
    this.steppers = [...inner.steppers, ...o.carriages[1].steppers.filter((s) => !own.has(s))];
    const unit = (i: number) => inner.railPositions(i === 0 ? 1 : 0, i === 1 ? 1 : 0, i === 2 ? 1 : 0)[o.axisIndex]!;
    this.row = [unit(0), unit(1), unit(2)];
  }

  get modes(): readonly [CarriageMode, CarriageMode] {
    return this.modesNow;
  }

  /** The carriage the toolhead's axis position is (the PRIMARY one). */
  get primary(): 0 | 1 {
    return this.modesNow[0] === 'PRIMARY' ? 0 : 1;
  }

  isHomed(carriage: 0 | 1): boolean {
    return this.homed[carriage]!;
  }

  /** Where the carriage is when the toolhead's axis position is axisMm. */
  carriagePosition(carriage: 0 | 1, axisMm: number): number {
    return COEFFICIENT[this.modesNow[carriage]] * axisMm + this.base[carriage]!;
  }

  carriageRange(carriage: 0 | 1): [number, number] {
    const c = this.carriages[carriage];
    return [c.positionMinMm, c.positionMaxMm];
  }

  /**
   * New modes (exactly one PRIMARY; COPY/MIRROR only for a follower). The caller has flushed
   * step generation and passes the toolhead's axis position; every carriage stays where it is.
   * Returns the new toolhead axis position (the new primary's), which the caller must then give
   * the toolhead with setPosition so the steppers count from there.
   */
  setModes(modes: [CarriageMode, CarriageMode], axisMm: number): number {
    if (modes.filter((m) => m === 'PRIMARY').length !== 1) throw new Error('dual carriage: exactly one carriage must be PRIMARY');
    const where = [this.carriagePosition(0, axisMm), this.carriagePosition(1, axisMm)];
    this.modesNow = [modes[0], modes[1]];
    const newAxisMm = where[this.primary]!;
    for (const c of [0, 1] as const) this.base[c] = where[c]! - COEFFICIENT[modes[c]] * newAxisMm;
    this.bindSteppers();
    this.updateLimits();
    return newAxisMm;
  }

  setToolheadLimits(maxVelocityMmS: number, maxAccelMmS2: number): void {
    this.inner.setToolheadLimits(maxVelocityMmS, maxAccelMmS2);
  }

  attach(trapq: TrapQ): void {
    this.trapq = trapq;
    this.inner.attach(trapq);
    this.bindSteppers();
  }

  /** Each carriage's motors: the axis's rail law with the axis term scaled by the mode's coefficient. */
  private bindSteppers(): void {
    const tq = this.trapq;
    if (!tq) return;
    const i = this.axisIndex;
    for (const c of [0, 1] as const) {
      const law = [...this.row];
      law[i] = this.row[i] * COEFFICIENT[this.modesNow[c]];
      for (const s of this.carriages[c].steppers) {
        s.setLinearKinematics(tq, law[0]!, law[1]!, law[2]!);
        s.frameOffsetMm = this.row[i] * this.base[c]!;
      }
    }
  }

  checkMove(move: Move): void {
    this.inner.checkMove(move);
    const i = this.axisIndex;
    if (!move.axesD[i]) return;
    const endMm = move.endPos[i]!;
    // A follower must stay inside its own range too.
    for (const c of [0, 1] as const) {
      if (c === this.primary || this.modesNow[c] === 'INACTIVE') continue;
      const p = this.carriagePosition(c, endMm);
      const [min, max] = this.carriageRange(c);
      if (p < min - EPSILON_MM || p > max + EPSILON_MM) {
        throw move.moveError(`Move out of range for carriage ${c} of [${this.sectionName}] (it would reach ${p.toFixed(3)})`);
      }
    }
    const safe = this.safeDistanceMm;
    if (!(safe > 0) || !this.homed[0] || !this.homed[1]) return;
    const before = this.gapMm(move.startPos[i]!);
    const after = this.gapMm(endMm);
    // Moving apart (or keeping the gap) is always allowed, even from too close.
    if (after < safe - EPSILON_MM && after < before - EPSILON_MM) {
      throw move.moveError(
        `Move would bring the carriages of [${this.sectionName}] ${after.toFixed(3)} mm apart, closer than safe_distance ${safe.toFixed(3)} mm; move the other carriage away first`,
      );
    }
  }

  /** Distance from the low carriage up to the high one when the toolhead's axis is at axisMm. */
  gapMm(axisMm: number): number {
    const low = this.lowCarriage;
    const high = (1 - low) as 0 | 1;
    return this.carriagePosition(high, axisMm) - this.carriagePosition(low, axisMm);
  }

  setPosition(pos: ArrayLike<number>, homingAxes: string): void {
    this.inner.setPosition(pos, homingAxes);
    const own = new Set(this.inner.steppers);
    for (const s of this.steppers) if (!own.has(s)) s.setPosition(pos[0]!, pos[1]!, pos[2]!);
    if (homingAxes.includes('xy'[this.axisIndex]!)) this.homed[this.primary] = true;
    this.updateLimits();
  }

  clearHomingState(axes: string): void {
    this.inner.clearHomingState(axes);
    if (axes.includes('xy'[this.axisIndex]!)) {
      this.homed[0] = false;
      this.homed[1] = false;
    }
  }

  /** The axis's range is the primary carriage's, once that carriage is homed. */
  private updateLimits(): void {
    const p = this.primary;
    this.inner.setAxisRange(this.axisIndex, this.homed[p] ? this.carriageRange(p) : null);
  }

  get homedAxes(): string {
    return this.inner.homedAxes;
  }

  railPositions(x: number, y: number, z: number): number[] {
    return this.inner.railPositions(x, y, z);
  }

  cartesianPosition(rail: ArrayLike<number>): [number, number, number] {
    return this.inner.cartesianPosition(rail);
  }

  calcPosition(): [number, number, number] {
    const pos = this.inner.calcPosition();
    // The primary's motor runs the axis's own law (base 0): solve it for the axis with the
    // other axes as the inner kinematics found them (their rails do not involve this axis).
    const i = this.axisIndex;
    const r = this.row;
    let rest = 0;
    for (let j = 0; j < 3; j++) if (j !== i) rest += r[j]! * pos[j]!;
    pos[i] = (this.carriages[this.primary].steppers[0]!.commandedPositionMm - rest) / r[i]!;
    return pos;
  }

  axisMinimum(): [number, number, number] {
    const v = this.inner.axisMinimum();
    v[this.axisIndex] = this.carriageRange(this.primary)[0];
    return v;
  }

  axisMaximum(): [number, number, number] {
    const v = this.inner.axisMaximum();
    v[this.axisIndex] = this.carriageRange(this.primary)[1];
    return v;
  }
}
