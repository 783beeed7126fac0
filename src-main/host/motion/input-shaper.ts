// Input shaping: the toolhead's x (and y) commanded to the motors is a weighted sum of the
// planned position at a few shifted times, sum A_i * x(t - T_i), a train of impulses whose
// responses cancel the ringing of a resonance at the shaper frequency (Singer & Seering, "Preshaping
// command inputs to reduce system vibration", 1990; Singhose et al., "Vibration reduction using
// multi-hump input shapers", 1997). Like Klipper, the pulse times are shifted so their
// amplitude-weighted mean is 0: the shaped motion has no average delay.
//
// Pulse trains, for natural frequency f and damping ratio z (w = 2 pi f, damped period
// Td = 1 / (f sqrt(1 - z^2)), K = exp(-z pi / sqrt(1 - z^2)) = the decay over half a damped period):
//  - zv:  amplitudes 1, K at 0, Td/2 (the second cancels the first's vibration at phase pi).
//  - zvd: 1, 2K, K^2 at 0, Td/2, Td (zv convolved with itself: zero slope of vibration at f too).
//  - mzv: three pulses spaced 3/8 Td (phase 3pi/4). Zero vibration needs 1 + c e^(i th) + e^(2i th)
//    = 0, so c = -2 cos(3pi/4) = sqrt 2: amplitudes 1, sqrt2, 1 times the decay K^(3/4) per step.
//  - ei, 2hump_ei, 3hump_ei: Singhose's extra-insensitive shapers for a vibration tolerance V =
//    5% (the one Klipper uses), in their closed forms for an undamped system; pulses on the damped
//    period, each scaled by the decay exp(-z w t_i) so the vibration at f is that of the undamped
//    design. (Klipper uses Singhose's curve fits for damping instead: for damping_ratio > 0 these
//    three differ from Klipper's pulses by a little; for zv, mzv, zvd the forms are exact.)
//  - custom: shaper_a / shaper_t as given (amplitudes normalised to sum 1).

import { ActiveRanges, segmentSeqAt, type RailFunction } from './rail-function.js';
import type { TrapQ } from './trapq.js';

export const SHAPER_TYPES = ['zv', 'mzv', 'zvd', 'ei', '2hump_ei', '3hump_ei'] as const;
export type ShaperType = (typeof SHAPER_TYPES)[number] | 'custom';

/** Vibration tolerance of the extra-insensitive shapers (5%). */
export const EI_VIBRATION_TOLERANCE = 0.05;

export interface ShaperPulses {
  /** Amplitudes, summing to 1. */
  a: number[];
  /** Times (s), amplitude-weighted mean 0, ascending. */
  tS: number[];
}

/** Normalise amplitudes to sum 1 and centre times on their weighted mean. */
export function centredPulses(a: readonly number[], tS: readonly number[]): ShaperPulses {
  if (a.length !== tS.length || a.length === 0) throw new Error('shaper needs as many amplitudes as times (at least one)');
  const sum = a.reduce((x, y) => x + y, 0);
  if (!(sum > 0)) throw new Error('shaper amplitudes must sum to more than 0');
  const mean = a.reduce((acc, ai, i) => acc + ai * tS[i]!, 0) / sum;
  return { a: a.map((x) => x / sum), tS: tS.map((t) => t - mean) };
}

/** The pulse train of a named shaper at freqHz (> 0) and dampingRatio (0 <= z < 1). */
export function shaperPulses(type: Exclude<ShaperType, 'custom'>, freqHz: number, dampingRatio: number): ShaperPulses {
  if (!(freqHz > 0)) throw new Error('shaper frequency must be above 0');
  if (!(dampingRatio >= 0 && dampingRatio < 1)) throw new Error('damping ratio must be from 0 to below 1');
  const root = Math.sqrt(1 - dampingRatio * dampingRatio);
  const td = 1 / (freqHz * root);
  const k = Math.exp((-dampingRatio * Math.PI) / root);
  const decay = (t: number): number => Math.pow(k, t / (0.5 * td)); // exp(-z w t)
  const V = EI_VIBRATION_TOLERANCE;
  let a: number[];
  let halfPeriods: number[];
  switch (type) {
    case 'zv':
      return centredPulses([1, k], [0, 0.5 * td]);
    case 'zvd':
      return centredPulses([1, 2 * k, k * k], [0, 0.5 * td, td]);
    case 'mzv': {
      const k34 = Math.pow(k, 0.75);
      return centredPulses([1, Math.SQRT2 * k34, k34 * k34], [0, 0.375 * td, 0.75 * td]);
    }
    case 'ei':
      a = [(1 + V) / 4, (1 - V) / 2, (1 + V) / 4];
      halfPeriods = [0, 1, 2];
      break;
    case '2hump_ei': {
      const x = Math.cbrt(V * V * (Math.sqrt(1 - V * V) + 1));
      const a1 = (3 * x * x + 2 * x + 3 * V * V) / (16 * x);
      a = [a1, 0.5 - a1, 0.5 - a1, a1];
      halfPeriods = [0, 1, 2, 3];
      break;
    }
    case '3hump_ei': {
      const a1 = (1 + 3 * V + 2 * Math.sqrt(2 * (V * V + V))) / 16;
      const a2 = (1 - V) / 4;
      a = [a1, a2, 1 - 2 * (a1 + a2), a2, a1];
      halfPeriods = [0, 1, 2, 3, 4];
      break;
    }
  }
  const tS = halfPeriods.map((n) => 0.5 * td * n);
  return centredPulses(
    a.map((ai, i) => ai * decay(tS[i]!)),
    tS,
  );
}

/** The identity: one pulse, no shift (an axis whose shaper is off). */
export const NO_SHAPING: ShaperPulses = { a: [1], tS: [0] };

export function isShaping(p: ShaperPulses): boolean {
  return p.a.length > 1 || p.tS[0] !== 0;
}

/**
 * Residual vibration of a damped oscillator (frequency freqHz, damping z) after the pulse train,
 * relative to one unit impulse: e^(-z w tN) |sum A_i e^(z w t_i) e^(i wd t_i)|. For tests and docs.
 */
export function residualVibration(p: ShaperPulses, freqHz: number, dampingRatio: number): number {
  const w = 2 * Math.PI * freqHz;
  const wd = w * Math.sqrt(1 - dampingRatio * dampingRatio);
  const tN = p.tS[p.tS.length - 1]!;
  let re = 0;
  let im = 0;
  p.a.forEach((ai, i) => {
    const ti = p.tS[i]!;
    const m = ai * Math.exp(dampingRatio * w * (ti - tN));
    re += m * Math.cos(wd * ti);
    im += m * Math.sin(wd * ti);
  });
  return Math.hypot(re, im);
}

/**
 * A linear-kinematics rail (cx*x + cy*y + cz*z) with x and y shaped:
 * cx * sum a_i x(t - T_i) + cy * sum b_j y(t - U_j) + cz * z(t).
 */
export class ShapedLinearRail implements RailFunction {
  readonly scanWindowS: number;
  pos = 0;
  vel = 0;
  rangeStartS = 0;
  rangeEndS = 0;
  private readonly ranges: ActiveRanges;
  /** Per pulse: a segment cursor (x pulses, then y pulses, then z). */
  private readonly cursors: number[];
  private ap = 0;
  private av = 0;

  constructor(
    private readonly tq: TrapQ,
    private readonly cx: number,
    private readonly cy: number,
    private readonly cz: number,
    private readonly px: ShaperPulses,
    private readonly py: ShaperPulses,
  ) {
    let w = 0;
    if (cx) for (const t of px.tS) w = Math.max(w, Math.abs(t));
    if (cy) for (const t of py.tS) w = Math.max(w, Math.abs(t));
    this.scanWindowS = w;
    this.cursors = new Array<number>(px.a.length + py.a.length + 1).fill(0);
    this.ranges = new ActiveRanges(
      tq,
      w,
      (i) => (cx !== 0 && tq.axesRX[i] !== 0) || (cy !== 0 && tq.axesRY[i] !== 0) || (cz !== 0 && tq.axesRZ[i] !== 0),
    );
  }

  nextActiveRange(t: number, untilS: number): boolean {
    if (!this.ranges.next(t, untilS)) return false;
    this.rangeStartS = this.ranges.startS;
    this.rangeEndS = this.ranges.endS;
    return true;
  }

  /** One axis of the trapq at time t into ap/av (axis 0, 1, 2), with the cursor of slot k. */
  private axisAt(axis: number, t: number, k: number): void {
    const tq = this.tq;
    const s = segmentSeqAt(tq, t, this.cursors[k]!);
    this.cursors[k] = s;
    const start = axis === 0 ? tq.startX : axis === 1 ? tq.startY : tq.startZ;
    if (s < tq.headSeq) {
      this.ap = tq.tailSeq > tq.headSeq ? start[tq.headSeq & tq.mask]! : tq.restPosition(axis);
      this.av = 0;
      return;
    }
    const i = s & tq.mask;
    const r = axis === 0 ? tq.axesRX[i]! : axis === 1 ? tq.axesRY[i]! : tq.axesRZ[i]!;
    const dur = tq.durationS[i]!;
    let st = t - tq.printTimeS[i]!;
    const v0 = tq.startVMmS[i]!;
    const ha = tq.halfAccelMmS2[i]!;
    if (st >= dur) {
      st = dur;
      this.av = 0;
    } else this.av = r * (v0 + 2 * ha * st);
    this.ap = start[i]! + r * (v0 + ha * st) * st;
  }

  evaluate(t: number): void {
    let p = 0;
    let v = 0;
    let k = 0;
    if (this.cx !== 0) {
      const a = this.px.a;
      const ts = this.px.tS;
      let sp = 0;
      let sv = 0;
      for (let j = 0; j < a.length; j++) {
        this.axisAt(0, t - ts[j]!, k++);
        sp += a[j]! * this.ap;
        sv += a[j]! * this.av;
      }
      p += this.cx * sp;
      v += this.cx * sv;
    } else k += this.px.a.length;
    if (this.cy !== 0) {
      const a = this.py.a;
      const ts = this.py.tS;
      let sp = 0;
      let sv = 0;
      for (let j = 0; j < a.length; j++) {
        this.axisAt(1, t - ts[j]!, k++);
        sp += a[j]! * this.ap;
        sv += a[j]! * this.av;
      }
      p += this.cy * sp;
      v += this.cy * sv;
    } else k += this.py.a.length;
    if (this.cz !== 0) {
      this.axisAt(2, t, k);
      p += this.cz * this.ap;
      v += this.cz * this.av;
    }
    this.pos = p;
    this.vel = v;
  }
}
