// Lookahead: moves wait here until enough later moves are known to decide how fast each corner
// can be taken. Flushing walks the queue backwards assuming a full stop after the last move,
// and (lazily) releases only the moves whose speeds can no longer change.

import type { Move } from './move.js';
import type { ExtruderJunction } from './move.js';

/** Queue at least this much minimum move time before a lazy flush is tried (s). */
export const LOOKAHEAD_FLUSH_TIME_S = 0.25;

export class LookaheadQueue {
  queue: Move[] = [];
  private junctionFlushS = LOOKAHEAD_FLUSH_TIME_S;
  // Scratch list of moves whose cruise speed waits for an earlier peak (reused, no allocation).
  private delayedMoves: Move[] = [];
  private delayedStartV2: number[] = [];
  private delayedEndV2: number[] = [];

  reset(): void {
    this.queue = [];
    this.junctionFlushS = LOOKAHEAD_FLUSH_TIME_S;
  }

  setFlushTime(seconds: number): void {
    this.junctionFlushS = seconds;
  }

  last(): Move | null {
    return this.queue.length ? this.queue[this.queue.length - 1]! : null;
  }

  /** Queue a move; true when enough is queued that a lazy flush should be tried. */
  add(move: Move, extruder: ExtruderJunction | null): boolean {
    this.queue.push(move);
    const n = this.queue.length;
    if (n === 1) return false;
    move.calcJunction(this.queue[n - 2]!, extruder);
    this.junctionFlushS -= move.minMoveTS;
    return this.junctionFlushS <= 0;
  }

  /**
   * Plan speeds and remove the planned moves from the queue (in order). lazy: release only
   * the moves before the last point where the plan is settled (may release nothing).
   */
  flush(lazy: boolean): Move[] {
    this.junctionFlushS = LOOKAHEAD_FLUSH_TIME_S;
    const queue = this.queue;
    let findingFlushCount = lazy;
    let flushCount = queue.length;
    const dm = this.delayedMoves;
    const ds = this.delayedStartV2;
    const de = this.delayedEndV2;
    let delayed = 0;
    let nextEndV2 = 0;
    let nextSmoothedV2 = 0;
    let peakCruiseV2 = 0;
    for (let i = flushCount - 1; i >= 0; i--) {
      const move = queue[i]!;
      const reachableStartV2 = nextEndV2 + move.deltaV2;
      const startV2 = Math.min(move.maxStartV2, reachableStartV2);
      const reachableSmoothedV2 = nextSmoothedV2 + move.smoothDeltaV2;
      const smoothedV2 = Math.min(move.maxSmoothedV2, reachableSmoothedV2);
      if (smoothedV2 < reachableSmoothedV2) {
        // This move can accelerate (its start is capped by the corner, not by reach).
        if (smoothedV2 + move.smoothDeltaV2 > nextSmoothedV2 || delayed > 0) {
          // It can also decelerate, or it is a full-accel move after a full-decel one: a peak.
          if (findingFlushCount && peakCruiseV2) {
            flushCount = i;
            findingFlushCount = false;
          }
          peakCruiseV2 = Math.min(move.maxCruiseV2, (smoothedV2 + reachableSmoothedV2) * 0.5);
          if (delayed > 0) {
            if (!findingFlushCount && i < flushCount) {
              // The moves waiting for this peak, earliest first.
              let cruiseV2 = peakCruiseV2;
              for (let k = delayed - 1; k >= 0; k--) {
                cruiseV2 = Math.min(cruiseV2, ds[k]!);
                dm[k]!.setJunction(Math.min(ds[k]!, cruiseV2), cruiseV2, Math.min(de[k]!, cruiseV2));
              }
            }
            delayed = 0;
          }
        }
        if (!findingFlushCount && i < flushCount) {
          const cruiseV2 = Math.min((startV2 + reachableStartV2) * 0.5, move.maxCruiseV2, peakCruiseV2);
          move.setJunction(Math.min(startV2, cruiseV2), cruiseV2, Math.min(nextEndV2, cruiseV2));
        }
      } else {
        // Its cruise speed depends on a peak earlier in the queue.
        dm[delayed] = move;
        ds[delayed] = startV2;
        de[delayed] = nextEndV2;
        delayed++;
      }
      nextEndV2 = startV2;
      nextSmoothedV2 = smoothedV2;
    }
    for (let k = 0; k < delayed; k++) dm[k] = undefined as unknown as Move;
    if (findingFlushCount || flushCount === 0) return [];
    return queue.splice(0, flushCount);
  }
}
