// A rail whose position is not a plain linear combination of the trapq position at the same
// instant: pressure advance (a smoothed E + advance x velocity) and input shaping (a weighted sum
// of the toolhead's x/y at shifted times). The position at t depends on the trapq within
// scanWindowS either side of t, so step generation for such a rail must stay that far behind the
// planned motion (the toolhead's "kin flush delay"). MotionStepper finds the steps numerically.

import type { TrapQ } from './trapq.js';

/** What MotionStepper's numerical step solver evaluates: a rail's position and velocity at t. */
export interface RailEvaluator {
  pos: number;
  vel: number;
  evaluate(t: number): void;
}

export interface RailFunction extends RailEvaluator {
  /** The position at t depends on the motion in [t - scanWindowS, t + scanWindowS] (s). */
  readonly scanWindowS: number;
  /** Results of evaluate(): rail position (mm) and velocity (mm/s). */
  pos: number;
  vel: number;
  /** Position and velocity at print time t. */
  evaluate(t: number): void;
  /**
   * The first time range in which the rail may move and that ends after t (looking no further
   * than untilS): sets rangeStartS / rangeEndS and returns true, or false when none.
   */
  nextActiveRange(t: number, untilS: number): boolean;
  rangeStartS: number;
  rangeEndS: number;
  /** The steps of this rail have been generated up to t; nothing before it is asked again. */
}

/**
 * Ranges of motion in a trapq, widened by a window either side: a segment moving the rail
 * (`moves(index)`) makes it move from its start - window to its end + window; overlapping
 * ranges merge. `seq` is a cursor kept between calls (times only increase between resets).
 */
export class ActiveRanges {
  startS = 0;
  endS = 0;
  private seq = 0;

  constructor(
    private readonly tq: TrapQ,
    private readonly windowS: number,
    private readonly moves: (index: number) => boolean,
  ) {}

  next(t: number, untilS: number): boolean {
    const tq = this.tq;
    const w = this.windowS;
    if (this.seq < tq.headSeq) this.seq = tq.headSeq;
    let s = this.seq;
    for (; s < tq.tailSeq; s++) {
      const i = s & tq.mask;
      if (tq.printTimeS[i]! + tq.durationS[i]! + w > t && this.moves(i)) break;
    }
    this.seq = s;
    if (s >= tq.tailSeq) return false;
    let i = s & tq.mask;
    this.startS = tq.printTimeS[i]! - w;
    let end = tq.printTimeS[i]! + tq.durationS[i]! + w;
    for (s++; s < tq.tailSeq && end < untilS; s++) {
      i = s & tq.mask;
      if (tq.printTimeS[i]! - w > end) break;
      if (this.moves(i)) end = Math.max(end, tq.printTimeS[i]! + tq.durationS[i]! + w);
    }
    this.endS = end;
    return true;
  }
}

/**
 * Index of the stored segment in effect at t (the last one starting at or before t), searched
 * from a hint; headSeq - 1 when t is before every stored segment.
 */
export function segmentSeqAt(tq: TrapQ, t: number, hintSeq: number): number {
  let s = hintSeq < tq.headSeq ? tq.headSeq : hintSeq >= tq.tailSeq ? tq.tailSeq - 1 : hintSeq;
  if (s < tq.headSeq) return tq.headSeq - 1;
  while (s + 1 < tq.tailSeq && tq.printTimeS[(s + 1) & tq.mask]! <= t) s++;
  while (s >= tq.headSeq && tq.printTimeS[s & tq.mask]! > t) s--;
  return s;
}
