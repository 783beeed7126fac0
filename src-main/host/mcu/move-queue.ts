// The MCU's move queue holds `move_count` entries (queue_step, queue_digital_out). The host
// tracks, for each slot, the MCU clock at which it frees up, in a min-heap: a new entry takes
// the earliest slot, may not be sent before that slot frees (its minClock), and occupies the
// slot until the MCU loads it (its moveClock). PROTOCOL.md 1.4.

/**
 * A slot counts as free only this long (MCU time) after the clock at which the MCU frees it:
 * the host's estimate of the MCU clock may run ahead of the MCU (clock sync's error, a loaded
 * machine, a simulator held back and catching up), and an entry sent early overflows the MCU's
 * queue ("Move queue overflow"). Costs nothing but this much of the queue's lookahead.
 */
export const SLOT_MARGIN_S = 0.2;

export class MoveQueueSlots {
  private readonly heap: Float64Array;

  constructor(readonly moveCount: number) {
    if (!Number.isInteger(moveCount) || moveCount < 1) throw new RangeError(`move_count ${moveCount} must be a positive integer`);
    this.heap = new Float64Array(moveCount);
  }

  /** Clock at which the earliest slot frees. */
  get earliestFreeClock(): number {
    return this.heap[0];
  }

  /**
   * Takes the earliest slot for an entry the MCU loads at `moveClock`; returns the clock the
   * slot frees at (the entry's minClock).
   */
  take(moveClock: number): number {
    const heap = this.heap;
    const freeClock = heap[0];
    // Replace the root and sift it down.
    const n = heap.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && heap[r] < heap[l] ? r : l;
      if (heap[c] >= moveClock) break;
      heap[i] = heap[c];
      i = c;
    }
    heap[i] = moveClock;
    return freeClock;
  }
}
