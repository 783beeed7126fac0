// Pressure advance (Klipper's Kinematics.md, "Pressure advance"): the extruder runs ahead of the
// nominal filament position by pressure_advance x the filament velocity, on moves that extrude
// (positive E) while moving in XY, and that position is smoothed by a weighted average over a
// window of pressure_advance_smooth_time centred on t, the weight falling linearly from the
// centre to zero at the window's ends (a triangle of half-width h = smooth_time / 2):
//
//   f(u) = E(u) + pa * E'(u)   (pa = 0 on moves without XY motion or with E <= 0)
//   S(t) = 1/h^2 * integral over u in [t-h, t+h] of (h - |u - t|) * f(u) du
//   S'(t) = 1/h^2 * (integral over [t, t+h] of f - integral over [t-h, t] of f)
//
// (the weights integrate to h^2; S' follows from d/dt of the weight, -sign(u - t), so it also
// holds where f jumps at the start or end of an advanced move). On each trapq segment f is a
// quadratic; written around t as c0 + c1*s + c2*s^2 (s = u - t) both integrals are closed forms.
//
// The extruder trapq carries, per segment, E in the x column and the "pressure advance applies"
// flag (1 or 0) in axesRY (see ExtruderMotion.processMove).

import { ActiveRanges, type RailFunction } from './rail-function.js';
import type { TrapQ } from './trapq.js';

export class PressureAdvanceRail implements RailFunction {
  readonly scanWindowS: number;
  pos = 0;
  vel = 0;
  rangeStartS = 0;
  rangeEndS = 0;
  private readonly halfS: number;
  private readonly invH2: number;
  private readonly ranges: ActiveRanges;
  /** Cursor: the first segment that may overlap the next window. */
  private seq = 0;
  private acc = 0;
  private signedInt = 0;

  constructor(
    private readonly tq: TrapQ,
    readonly advanceS: number,
    readonly smoothTimeS: number,
  ) {
    if (!(advanceS > 0) || !(smoothTimeS > 0)) throw new Error('pressure advance needs advance > 0 and smooth_time > 0');
    this.halfS = smoothTimeS * 0.5;
    this.invH2 = 1 / (this.halfS * this.halfS);
    this.scanWindowS = this.halfS;
    this.ranges = new ActiveRanges(tq, this.halfS, () => true);
  }

  nextActiveRange(t: number, untilS: number): boolean {
    if (!this.ranges.next(t, untilS)) return false;
    this.rangeStartS = this.ranges.startS;
    this.rangeEndS = this.ranges.endS;
    return true;
  }

  /** Adds piece c0 + c1*s + c2*s^2 over s in [a, b] (relative to t, inside [-h, h]). */
  private addPiece(c0: number, c1: number, c2: number, a: number, b: number): void {
    const h = this.halfS;
    const hc0 = h * c0;
    const q1 = c1 / 2;
    const q2 = c2 / 3;
    if (a < 0) {
      // Left half, weight h + s: antiderivative s*(h*c0 + s*(k1 + s*(k2 + s*k3))).
      const e = b < 0 ? b : 0;
      const k1 = (h * c1 + c0) / 2;
      const k2 = (h * c2 + c1) / 3;
      const k3 = c2 / 4;
      this.acc += e * (hc0 + e * (k1 + e * (k2 + e * k3))) - a * (hc0 + a * (k1 + a * (k2 + a * k3)));
      this.signedInt -= e * (c0 + e * (q1 + e * q2)) - a * (c0 + a * (q1 + a * q2));
    }
    if (b > 0) {
      // Right half, weight h - s.
      const st = a > 0 ? a : 0;
      const k1 = (h * c1 - c0) / 2;
      const k2 = (h * c2 - c1) / 3;
      const k3 = -c2 / 4;
      this.acc += b * (hc0 + b * (k1 + b * (k2 + b * k3))) - st * (hc0 + st * (k1 + st * (k2 + st * k3)));
      this.signedInt += b * (c0 + b * (q1 + b * q2)) - st * (c0 + st * (q1 + st * q2));
    }
  }

  evaluate(t: number): void {
    const tq = this.tq;
    const h = this.halfS;
    const lo = t - h;
    const hi = t + h;
    this.acc = 0;
    this.signedInt = 0;
    // First segment ending after lo (the cursor only moves back when t does).
    let s = this.seq < tq.headSeq ? tq.headSeq : this.seq;
    while (s > tq.headSeq && tq.printTimeS[(s - 1) & tq.mask]! + tq.durationS[(s - 1) & tq.mask]! > lo) s--;
    while (s < tq.tailSeq && tq.printTimeS[s & tq.mask]! + tq.durationS[s & tq.mask]! <= lo) s++;
    this.seq = s;
    // The filament rests where the previous segment ended (or where the first one starts).
    let rest: number;
    if (s > tq.headSeq) rest = this.endPosition((s - 1) & tq.mask);
    else if (s < tq.tailSeq) rest = tq.startX[s & tq.mask]!;
    else rest = tq.restPosition(0);
    let cur = lo;
    for (; s < tq.tailSeq && cur < hi; s++) {
      const i = s & tq.mask;
      const t0 = tq.printTimeS[i]!;
      if (t0 > cur) {
        const e = t0 < hi ? t0 : hi;
        this.addPiece(rest, 0, 0, cur - t, e - t);
        cur = e;
        if (cur >= hi) break;
      }
      const t1 = t0 + tq.durationS[i]!;
      const e = t1 < hi ? t1 : hi;
      const r = tq.axesRX[i]!;
      const v0 = tq.startVMmS[i]!;
      const ha = tq.halfAccelMmS2[i]!;
      const k = tq.axesRY[i]! ? this.advanceS : 0;
      const st = t - t0;
      const ePos = tq.startX[i]! + r * (v0 + ha * st) * st;
      const eVel = r * (v0 + 2 * ha * st);
      this.addPiece(ePos + k * eVel, eVel + 2 * k * r * ha, r * ha, cur - t, e - t);
      cur = e;
      rest = this.endPosition(i);
    }
    if (cur < hi) this.addPiece(rest, 0, 0, cur - t, h);
    this.pos = this.acc * this.invH2;
    this.vel = this.signedInt * this.invH2;
  }

  private endPosition(i: number): number {
    const tq = this.tq;
    const d = tq.durationS[i]!;
    return tq.startX[i]! + tq.axesRX[i]! * (tq.startVMmS[i]! + tq.halfAccelMmS2[i]! * d) * d;
  }
}
