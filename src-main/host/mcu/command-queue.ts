// A command queue: encoded messages waiting to go to the MCU, in FIFO order, each with the
// clock it may not be sent before (minClock) and the clock it must reach the MCU by (reqClock).
// Storage is typed arrays so the step compressor can encode straight into it (reserve, write,
// commit) without allocating per message.
//
// Move-queue entries (queue_step, queue_digital_out) also carry the clock at which the MCU loads
// them (moveClock): the link gives them an MCU move-queue slot only when it sends them, lowest
// req_clock first across all queues, so the slot accounting follows time order however the
// steppers' messages were queued (PROTOCOL.md 1.4).

import { MoveQueueSlots } from './move-queue';

/** moveClock of a message that takes no move-queue slot. */
export const NO_MOVE_SLOT = -1;

/** What a queue tells its link (serial queue or file output) when a message is added. */
export interface QueueLink {
  onPush(queue: CommandQueue, bytes: number): void;
}

/** Called with the host time the block carrying a message was written and that block's sequence number. */
export type SentCallback = (sentTimeS: number, blockSeq: number) => void;

export class CommandQueue {
  /** Encoded bytes; message i lives in bytes[starts[i], ends[i]). May be replaced by reserve(). */
  bytes = new Uint8Array(4096);
  starts = new Int32Array(256);
  ends = new Int32Array(256);
  minClocks = new Float64Array(256);
  reqClocks = new Float64Array(256);
  /** MCU clock at which a move-queue entry frees its slot; NO_MOVE_SLOT for other messages. */
  moveClocks = new Float64Array(256);
  private notify: (SentCallback | undefined)[] = [];
  private hasNotify = false;
  /** Index of the first waiting message and one past the last. */
  head = 0;
  tail = 0;
  /** Bytes of all waiting messages. */
  pendingBytes = 0;
  private byteTail = 0;

  constructor(
    readonly id: number,
    private link: QueueLink | null,
  ) {}

  /** Binds the queue to the link that drains it (queues may be created before connect). */
  attach(link: QueueLink): void {
    this.link = link;
  }

  get length(): number {
    return this.tail - this.head;
  }

  /** Makes room for `n` more bytes; returns the offset to write at in `this.bytes`. */
  reserve(n: number): number {
    if (this.byteTail + n > this.bytes.length) this.makeRoom(n);
    return this.byteTail;
  }

  /**
   * Adds the message written at the offset reserve() returned, ending at `end`.
   * `onSent` (rare: queries, clock sync) learns when its block was written. `moveClock` >= 0
   * marks a move-queue entry the MCU holds until that clock (it then waits for a free slot).
   */
  commit(end: number, minClock: number, reqClock: number, onSent?: SentCallback, moveClock = NO_MOVE_SLOT): void {
    if (this.tail === this.starts.length) this.growMeta();
    const i = this.tail++;
    const len = end - this.byteTail;
    this.starts[i] = this.byteTail;
    this.ends[i] = end;
    this.minClocks[i] = minClock;
    this.reqClocks[i] = reqClock;
    this.moveClocks[i] = moveClock;
    if (onSent) {
      this.hasNotify = true;
      this.notify[i] = onSent;
    }
    this.byteTail = end;
    this.pendingBytes += len;
    if (this.link === null) throw new Error('command queue used before the MCU connected');
    this.link.onPush(this, len);
  }

  /** Copies an encoded message in (src[start, end)). */
  push(
    src: Uint8Array,
    start: number,
    end: number,
    minClock: number,
    reqClock: number,
    onSent?: SentCallback,
    moveClock = NO_MOVE_SLOT,
  ): void {
    const pos = this.reserve(end - start);
    this.bytes.set(src.subarray(start, end), pos);
    this.commit(pos + end - start, minClock, reqClock, onSent, moveClock);
  }

  /** Removes the head message; returns its sent-callback, if any. */
  shift(): SentCallback | undefined {
    const i = this.head++;
    this.pendingBytes -= this.ends[i] - this.starts[i];
    let cb: SentCallback | undefined;
    if (this.hasNotify) {
      cb = this.notify[i];
      if (cb) this.notify[i] = undefined;
    }
    if (this.head === this.tail) {
      // Empty: start over at the front, which keeps the arrays from creeping.
      this.head = this.tail = 0;
      this.byteTail = 0;
      if (this.hasNotify) {
        this.notify.length = 0;
        this.hasNotify = false;
      }
    }
    return cb;
  }

  private makeRoom(n: number): void {
    const live = this.head < this.tail ? this.starts[this.head] : this.byteTail;
    const used = this.byteTail - live;
    let target = this.bytes;
    if (used + n > this.bytes.length / 2) {
      let size = this.bytes.length * 2;
      while (used + n > size / 2) size *= 2;
      target = new Uint8Array(size);
    }
    target.set(this.bytes.subarray(live, this.byteTail), 0);
    for (let i = this.head; i < this.tail; i++) {
      this.starts[i] -= live;
      this.ends[i] -= live;
    }
    this.bytes = target;
    this.byteTail = used;
  }

  private growMeta(): void {
    const count = this.tail - this.head;
    const size = count * 2 > this.starts.length ? this.starts.length * 2 : this.starts.length;
    const move = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      if (size === a.length) {
        a.copyWithin(0, this.head, this.tail);
        return a;
      }
      const b = make(size);
      b.set(a.subarray(this.head, this.tail), 0);
      return b;
    };
    this.starts = move(this.starts, (k) => new Int32Array(k));
    this.ends = move(this.ends, (k) => new Int32Array(k));
    this.minClocks = move(this.minClocks, (k) => new Float64Array(k));
    this.reqClocks = move(this.reqClocks, (k) => new Float64Array(k));
    this.moveClocks = move(this.moveClocks, (k) => new Float64Array(k));
    if (this.hasNotify) this.notify = this.notify.slice(this.head, this.tail);
    this.head = 0;
    this.tail = count;
  }
}

/**
 * The clock before which a queue's head may not be sent: its minClock, and for a move-queue
 * entry also the clock at which the MCU frees a slot (`slotFreeClock`).
 */
export function headReadyClock(q: CommandQueue, slotFreeClock: number): number {
  const h = q.head;
  const m = q.minClocks[h];
  return q.moveClocks[h] >= 0 && slotFreeClock > m ? slotFreeClock : m;
}

/**
 * The queue whose head message may be sent (see headReadyClock) with the lowest reqClock, or
 * null. Ties go to the queue listed first.
 */
export function pickQueue(queues: readonly CommandQueue[], readyClock: number, slotFreeClock = -Infinity): CommandQueue | null {
  let best: CommandQueue | null = null;
  let bestReq = Infinity;
  for (let k = 0; k < queues.length; k++) {
    const q = queues[k];
    if (q.head === q.tail) continue;
    if (headReadyClock(q, slotFreeClock) > readyClock) continue;
    const r = q.reqClocks[q.head];
    if (best === null || r < bestReq) {
      best = q;
      bestReq = r;
    }
  }
  return best;
}

/**
 * The command queues one link drains, and the packing rule both links share: lowest req_clock
 * first among messages whose min_clock has passed and, for move-queue entries, for which the
 * MCU has a free move-queue slot.
 */
export abstract class QueueSet implements QueueLink {
  protected readonly queues: CommandQueue[] = [];
  /** The MCU's move queue (null: not known yet, entries are not held back). */
  protected moveSlots: MoveQueueSlots | null = null;
  private slotMarginTicks = 0;

  /**
   * The MCU's move_count (from get_config): at most this many entries outstanding. A slot is
   * used again only `slotMarginTicks` after it frees (see SLOT_MARGIN_S).
   */
  setMoveCount(moveCount: number, slotMarginTicks = 0): void {
    this.moveSlots = new MoveQueueSlots(moveCount);
    this.slotMarginTicks = slotMarginTicks;
  }

  get moveCount(): number {
    return this.moveSlots?.moveCount ?? 0;
  }

  /** Clock from which the earliest move-queue slot may be used again (-Infinity: no limit known). */
  protected get slotFreeClock(): number {
    return this.moveSlots ? this.moveSlots.earliestFreeClock + this.slotMarginTicks : -Infinity;
  }

  abstract onPush(queue: CommandQueue, bytes: number): void;

  allocCommandQueue(): CommandQueue {
    return this.adoptQueue(new CommandQueue(this.queues.length, this));
  }

  /** Drains a queue created elsewhere (by the Mcu before this link existed). */
  adoptQueue(q: CommandQueue): CommandQueue {
    q.attach(this);
    this.queues.push(q);
    return q;
  }

  /**
   * Moves messages into out[pos, limit) in packing order; returns the end position. Sent
   * callbacks of the moved messages are passed to `onSent` (if any).
   */
  protected fillPayload(out: Uint8Array, pos: number, limit: number, readyClock: number, onSent?: (cb: SentCallback) => void): number {
    const queues = this.queues;
    const slots = this.moveSlots;
    let q = pickQueue(queues, readyClock, this.slotFreeClock);
    while (q !== null) {
      const h = q.head;
      const start = q.starts[h];
      const end = q.ends[h];
      if (pos + end - start > limit) break;
      const src = q.bytes;
      for (let i = start; i < end; i++) out[pos++] = src[i];
      // The entry occupies the slot that freed earliest until the MCU loads it.
      const moveClock = q.moveClocks[h];
      if (moveClock >= 0 && slots) slots.take(moveClock);
      const cb = q.shift();
      if (cb && onSent) onSent(cb);
      this.onShift(end - start);
      q = pickQueue(queues, readyClock, this.slotFreeClock);
    }
    return pos;
  }

  /** Bookkeeping hook for a message taken out of a queue. */
  protected onShift(_bytes: number): void {}
}
