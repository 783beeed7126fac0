// The MCU's move queue holds `move_count` entries (queue_step, queue_digital_out). The host
// tracks, for each slot, the MCU clock at which it frees up, in a min-heap: a new entry takes
// the earliest slot, may not be sent before that slot frees (its minClock), and occupies the
// slot until the MCU loads it (its moveClock). PROTOCOL.md 1.4.

import { resolvesToPseudoPort } from './transport';

/**
 * A slot counts as free only this long (MCU time) after the clock at which the MCU frees it:
 * the host's estimate of the MCU clock may run ahead of the MCU, and an entry sent early
 * overflows the MCU's queue ("Move queue overflow"). It costs the entries the MCU runs in that
 * time out of the queue's lookahead (on a 2560's 309 entries at 1000 entries/s, 0.2 s costs 200).
 * An MCU behind a pty is a process on this machine (our sim, simavr, Klipper's linux MCU): a
 * loaded machine holds it back 100-200 ms behind the host's estimate, and it then catches up.
 */
export const SLOT_MARGIN_S = 0.2;
/** A real board runs on its own crystal: the clock sync's error is microseconds. */
export const DEVICE_SLOT_MARGIN_S = 0.025;

/** The slot margin for an MCU on `serialPath` (no path: a custom transport, the cautious one). */
export function slotMarginForPort(serialPath: string | undefined): number {
  return serialPath && !resolvesToPseudoPort(serialPath) ? DEVICE_SLOT_MARGIN_S : SLOT_MARGIN_S;
}

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
