// The host side of the reliable link (PROTOCOL.md 1.4): 4-bit sequence numbers over a 64-bit
// counter, acks carried by every MCU block, NAK-triggered fast retransmit, an RFC 6298 style
// retransmission timer, at most 12 blocks / RECEIVE_WINDOW bytes in flight, and scheduling of
// queued commands by req_clock with min_clock respected, against the MCU clock estimate.
// Move-queue entries are given an MCU move-queue slot as they are sent (lowest req_clock first
// across queues), so at most move_count are outstanding and they take slots in time order.

import {
  BlockReceiver,
  MESSAGE_HEADER_SIZE,
  MESSAGE_MAX,
  MESSAGE_MIN,
  MESSAGE_PAYLOAD_MAX,
  MESSAGE_SEQ_MASK,
  MESSAGE_SYNC,
  MESSAGE_TRAILER_SIZE,
  sealBlock,
} from './codec';
import { headReadyClock, QueueSet, type CommandQueue, type SentCallback } from './command-queue';
import type { ByteTransport } from './transport';

export const MAX_PENDING_BLOCKS = 12;
export const MIN_RTO_S = 0.025;
export const MAX_RTO_S = 5.0;
/** A queued command is sent once its req_clock is this close to the estimated MCU clock. */
export const MIN_REQTIME_DELTA_S = 0.1;
/** How often to look again when the window is full and no ack arrives. */
const BLOCKED_RECHECK_S = 0.25;

export interface SerialQueueOptions {
  /** MCU receive buffer (RECEIVE_WINDOW constant); unacked bytes stay below it. */
  receiveWindow?: number;
  /** Wire speed for the transmit-time model (SERIAL_BAUD); 0 = no model (USB, pty). */
  baud?: number;
  /** Host monotonic time in seconds. */
  now: () => number;
  /** Called for each MCU block that carries messages: payload is block[start, end). */
  onMessages: (block: Uint8Array, start: number, end: number, sentTimeS: number, receiveTimeS: number, ackSeq: number) => void;
}

export interface SerialQueueStats {
  bytesWrite: number;
  bytesRead: number;
  bytesRetransmit: number;
  bytesInvalid: number;
  retransmits: number;
  /** Retransmits triggered by a NAK rather than the timer. */
  fastRetransmits: number;
  sendSeq: number;
  receiveSeq: number;
  srttS: number;
  rttvarS: number;
  rtoS: number;
  readyBytes: number;
  upcomingBytes: number;
}

interface Inflight {
  block: Uint8Array;
  seq: number;
  sentTime: number;
  retransmitted: boolean;
}

export class SerialQueue extends QueueSet {
  /** Unscheduled commands (queries, config): min_clock = req_clock = 0. */
  readonly defaultQueue: CommandQueue;
  private readonly receiver: BlockReceiver;
  private readonly inflight: Inflight[] = [];
  private inflightBytes = 0;
  private sendSeq = 1;
  private receiveSeq = 1;
  private ignoreNakSeq = 0;
  private lastRxSeq = -1;
  private lastRxHadPayload = false;
  private readonly sentTimes = new Float64Array(16);
  private readonly sentSeqs = new Float64Array(16).fill(-1);
  private srtt = 0;
  private rttvar = 0;
  private rto = MIN_RTO_S;
  private rtoDeadline = 0;
  /** Host time at which everything written so far has left the wire (transmit model). */
  private idleTime = 0;
  private baudAdjust: number;
  private receiveWindow: number;
  // MCU clock estimate for scheduling: clock = estClock + (t - estTime) * freq.
  private freq = 0;
  private estTime = 0;
  private estClock = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private kickPending = false;
  private closed = false;
  private readonly writeList: Uint8Array[] = [];
  private readonly sentCallbacks: SentCallback[] = [];
  private readonly sentCallbackSeqs: number[] = [];
  private readonly stats = { bytesWrite: 0, bytesRead: 0, bytesRetransmit: 0, retransmits: 0, fastRetransmits: 0 };
  private readonly flushWaiters: (() => void)[] = [];

  constructor(
    private readonly transport: ByteTransport,
    private readonly opts: SerialQueueOptions,
  ) {
    super();
    this.receiveWindow = opts.receiveWindow ?? 192;
    this.baudAdjust = opts.baud ? 10 / opts.baud : 0;
    this.defaultQueue = this.allocCommandQueue();
    this.receiver = new BlockReceiver((block, seq) => this.handleBlock(block, seq));
    transport.onData((data) => {
      this.stats.bytesRead += data.length;
      this.receiver.push(data);
    });
  }

  setReceiveWindow(bytes: number): void {
    this.receiveWindow = bytes;
  }

  /** Wire speed for the transmit-time model (10 bits a byte); 0 turns the model off. */
  setBaud(baud: number): void {
    this.baudAdjust = baud > 0 ? 10 / baud : 0;
  }

  /** From clock sync: MCU clock = clock + (t - timeS) * freq. */
  setClockEstimate(freq: number, timeS: number, clock: number): void {
    this.freq = freq;
    this.estTime = timeS;
    this.estClock = clock;
    this.kick();
  }

  override onPush(): void {
    this.kick();
  }

  /** Runs the send logic soon (once per tick however many messages were queued). */
  kick(): void {
    if (this.kickPending || this.closed) return;
    this.kickPending = true;
    setImmediate(() => {
      this.kickPending = false;
      this.process();
    });
  }

  getStats(): SerialQueueStats {
    let readyBytes = 0;
    let upcomingBytes = 0;
    const clock = this.clockAt(this.opts.now());
    const slotFree = this.slotFreeClock;
    for (const q of this.queues) {
      if (q.length === 0) continue;
      if (headReadyClock(q, slotFree) <= clock) readyBytes += q.pendingBytes;
      else upcomingBytes += q.pendingBytes;
    }
    return {
      ...this.stats,
      bytesInvalid: this.receiver.stats.discardedBytes,
      sendSeq: this.sendSeq,
      receiveSeq: this.receiveSeq,
      srttS: this.srtt,
      rttvarS: this.rttvar,
      rtoS: this.rto,
      readyBytes,
      upcomingBytes,
    };
  }

  /** Current retransmission timeout, seconds. */
  get rtoS(): number {
    return this.rto;
  }

  /** True when nothing waits in any queue and nothing is unacknowledged. */
  isIdle(): boolean {
    return this.inflight.length === 0 && this.queues.every((q) => q.length === 0);
  }

  /** Resolves once every queued message has been sent and acknowledged. */
  flush(): Promise<void> {
    if (this.isIdle() || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.flushWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const w of this.flushWaiters.splice(0)) w();
  }

  private clockAt(t: number): number {
    return this.freq > 0 ? this.estClock + (t - this.estTime) * this.freq : Infinity;
  }

  private timeOfClock(clock: number): number {
    return this.freq > 0 ? this.estTime + (clock - this.estClock) / this.freq : 0;
  }

  // ------------------------------------------------------------ sending

  private process(): void {
    if (this.closed) return;
    const now = this.opts.now();
    if (this.inflight.length && now >= this.rtoDeadline) this.retransmit(now, true);
    let wakeAt = Infinity;
    for (;;) {
      if (this.inflight.length >= MAX_PENDING_BLOCKS || this.inflightBytes + MESSAGE_MIN >= this.receiveWindow) {
        wakeAt = Math.min(wakeAt, now + BLOCKED_RECHECK_S);
        break;
      }
      const sendTime = Math.max(now, this.idleTime);
      const readyClock = this.clockAt(sendTime);
      let readyBytes = 0;
      let bestReq = Infinity;
      let nextMinClock = Infinity;
      const slotFree = this.slotFreeClock;
      for (const q of this.queues) {
        if (q.head === q.tail) continue;
        // A move-queue entry also waits for the MCU to free a slot (the clock its load frees).
        const m = headReadyClock(q, slotFree);
        if (m > readyClock) {
          if (m < nextMinClock) nextMinClock = m;
          continue;
        }
        readyBytes += q.pendingBytes;
        if (q.reqClocks[q.head] < bestReq) bestReq = q.reqClocks[q.head];
      }
      if (nextMinClock !== Infinity) wakeAt = Math.min(wakeAt, this.timeOfClock(nextMinClock));
      if (readyBytes === 0) break;
      const dueClock = readyClock + MIN_REQTIME_DELTA_S * this.freq;
      if (readyBytes < MESSAGE_PAYLOAD_MAX && bestReq > dueClock) {
        wakeAt = Math.min(wakeAt, this.timeOfClock(bestReq) - MIN_REQTIME_DELTA_S);
        break;
      }
      const room = Math.min(MESSAGE_PAYLOAD_MAX, this.receiveWindow - 1 - this.inflightBytes - MESSAGE_MIN);
      if (!this.sendBlock(now, readyClock, room)) {
        wakeAt = Math.min(wakeAt, now + BLOCKED_RECHECK_S);
        break;
      }
    }
    this.flushWrites();
    if (this.inflight.length) wakeAt = Math.min(wakeAt, this.rtoDeadline);
    this.armTimer(wakeAt, now);
    if (this.flushWaiters.length && this.isIdle()) for (const w of this.flushWaiters.splice(0)) w();
  }

  /** Sends one block of at most `room` payload bytes; false if not even one message fits. */
  private sendBlock(now: number, readyClock: number, room: number): boolean {
    const block = new Uint8Array(MESSAGE_MAX);
    const end = this.fillPayload(block, MESSAGE_HEADER_SIZE, MESSAGE_HEADER_SIZE + room, readyClock, (cb) => {
      this.sentCallbacks.push(cb);
      this.sentCallbackSeqs.push(this.sendSeq);
    });
    if (end === MESSAGE_HEADER_SIZE) return false;
    const seq = this.sendSeq++;
    const total = sealBlock(block, 0, end, seq);
    const bytes = block.subarray(0, total);
    if (this.inflight.length === 0) this.rtoDeadline = Math.max(now, this.idleTime) + total * this.baudAdjust + this.rto;
    this.inflight.push({ block: bytes, seq, sentTime: now, retransmitted: false });
    this.inflightBytes += total;
    this.sentTimes[seq & MESSAGE_SEQ_MASK] = now;
    this.sentSeqs[seq & MESSAGE_SEQ_MASK] = seq;
    this.writeList.push(bytes);
    this.stats.bytesWrite += total;
    this.idleTime = Math.max(now, this.idleTime) + total * this.baudAdjust;
    return true;
  }

  /** Resends every unacked block in one burst behind a sync byte. */
  private retransmit(now: number, onTimeout: boolean): void {
    let len = 1;
    for (const f of this.inflight) len += f.block.length;
    const burst = new Uint8Array(len);
    burst[0] = MESSAGE_SYNC;
    let pos = 1;
    for (const f of this.inflight) {
      burst.set(f.block, pos);
      pos += f.block.length;
      f.retransmitted = true;
      this.sentTimes[f.seq & MESSAGE_SEQ_MASK] = now;
    }
    this.writeList.push(burst);
    this.stats.bytesRetransmit += len;
    this.stats.bytesWrite += len;
    this.stats.retransmits++;
    if (!onTimeout) this.stats.fastRetransmits++;
    // NAKs for blocks that were already on their way are stale: ignore them until progress.
    this.ignoreNakSeq = this.receiveSeq;
    if (onTimeout) this.rto = Math.min(MAX_RTO_S, this.rto * 2);
    this.idleTime = Math.max(now, this.idleTime) + len * this.baudAdjust;
    this.rtoDeadline = this.idleTime + this.rto;
  }

  private flushWrites(): void {
    if (this.writeList.length === 0) return;
    const data = this.writeList.length === 1 ? this.writeList[0] : Buffer.concat(this.writeList);
    this.writeList.length = 0;
    this.transport.write(data);
    if (this.sentCallbacks.length) {
      const sentTime = this.opts.now();
      const cbs = this.sentCallbacks.splice(0);
      const seqs = this.sentCallbackSeqs.splice(0);
      for (let i = 0; i < cbs.length; i++) cbs[i](sentTime, seqs[i]);
    }
  }

  private armTimer(at: number, now: number): void {
    if (at === Infinity) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.timerAt = Infinity;
      return;
    }
    if (this.timer && Math.abs(this.timerAt - at) < 0.0005) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerAt = Infinity;
        this.process();
      },
      Math.max(0, (at - now) * 1000),
    );
  }

  // ------------------------------------------------------------ receiving

  private handleBlock(block: Uint8Array, seq: number): void {
    const now = this.opts.now();
    const hasPayload = block.length > MESSAGE_MIN;
    const delta = (seq - this.receiveSeq) & MESSAGE_SEQ_MASK;
    if (delta !== 0) {
      const rseq = this.receiveSeq + delta;
      if (rseq > this.sendSeq) {
        // An ack for a block never sent: a fresh MCU expecting another sequence (connection
        // start). Count everything sent as delivered and adopt the MCU's numbering.
        this.inflight.length = 0;
        this.inflightBytes = 0;
        this.sendSeq = rseq;
      } else {
        let sample = -1;
        while (this.inflight.length && this.inflight[0].seq < rseq) {
          const f = this.inflight.shift()!;
          this.inflightBytes -= f.block.length;
          sample = f.retransmitted ? -1 : now - f.sentTime;
        }
        if (sample >= 0) this.updateRtt(sample);
      }
      this.receiveSeq = rseq;
      if (this.inflight.length) this.rtoDeadline = Math.max(now, this.idleTime) + this.rto;
    } else if (
      !hasPayload &&
      this.inflight.length &&
      this.receiveSeq > this.ignoreNakSeq &&
      !(this.lastRxSeq === seq && this.lastRxHadPayload)
    ) {
      // A repeated ack is a NAK: the MCU is missing receiveSeq. Fast retransmit. (An empty
      // block right after a response with the same seq is that response's trailing ack.)
      this.retransmit(now, false);
      this.flushWrites();
    }
    this.lastRxSeq = seq;
    this.lastRxHadPayload = hasPayload;
    if (hasPayload) {
      const acked = this.receiveSeq - 1;
      const slot = acked & MESSAGE_SEQ_MASK;
      const sentTime = this.sentSeqs[slot] === acked ? this.sentTimes[slot] : 0;
      this.opts.onMessages(block, MESSAGE_HEADER_SIZE, block.length - MESSAGE_TRAILER_SIZE, sentTime, now, this.receiveSeq);
    }
    this.kick();
  }

  private updateRtt(rtt: number): void {
    if (this.srtt === 0) {
      this.rttvar = rtt / 2;
      this.srtt = rtt * 10;
    } else {
      this.rttvar = (3 * this.rttvar + Math.abs(this.srtt - rtt)) / 4;
      this.srtt = (7 * this.srtt + rtt) / 8;
    }
    const rto = this.srtt + Math.max(4 * this.rttvar, 0.001);
    this.rto = Math.min(MAX_RTO_S, Math.max(MIN_RTO_S, rto));
  }
}
