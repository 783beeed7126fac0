// Step compression: exact step clocks -> queue_step(interval, count, add) runs.
// The MCU replays a run as: step k (k = 1..count) at start + k*interval + add*k*(k-1)/2, where
// start is the clock of the step before the run. Every replayed step must land inside its
// window [exact - min(maxError, half the gap to the previous exact step), exact]: early by a
// bounded amount, never late (PROTOCOL.md 1.9).
//
// Search (ours, not Klipper's bisection): for a fixed `add` the allowed intervals form a range
// that only narrows step by step, so one linear pass gives the longest run and the latest
// interval. We try add=0, then adds estimated from the second difference of the step times over
// the run length found so far, refine twice, and keep the longest run (add=0 preferred when within
// 1/16 of it). Every emitted run is re-decoded and checked before it leaves.

import type { StepSink } from './step-sink.js';

/** A step this far after the previous one is sent alone (count=1), as Klipper does. */
export const FAR_STEP_TICKS = 3 * 2 ** 28;
const MAX_COUNT = 65535;
const MIN_ADD = -32768;
const MAX_ADD = 32767;
const MAX_INTERVAL = 0xffffffff;

export class StepCompressError extends Error {
  override name = 'StepCompressError';
}

export class StepCompressor {
  /** Pending exact step clocks (whole ticks), indices [head, tail). */
  q: Float64Array;
  head = 0;
  tail = 0;
  /** Clock of the last step the MCU will take (decoded, not exact). */
  lastStepClock = 0;
  readonly maxErrorTicks: number;
  queueStepCount = 0;
  /** Check every emitted run step by step (cheap; on by default). */
  verify = true;
  private sink: StepSink;
  // Result of the last scan (kept in fields so the hot path allocates nothing).
  private scanCount = 0;
  private scanInterval = 0;

  constructor(sink: StepSink, maxErrorTicks: number, capacity = 1 << 17) {
    this.sink = sink;
    this.maxErrorTicks = Math.floor(maxErrorTicks);
    this.q = new Float64Array(capacity);
  }

  setSink(sink: StepSink): void {
    this.sink = sink;
  }

  get pending(): number {
    return this.tail - this.head;
  }

  /** Room for n more steps at the tail (compresses complete runs and compacts if needed). */
  reserve(n: number): void {
    if (this.tail + n <= this.q.length) return;
    this.emitRuns(-Infinity);
    if (this.tail + n > this.q.length) this.compact();
    if (this.tail + n > this.q.length) {
      // Still no room: the pending steps are one long unfinished run; send part of it.
      this.emitRuns(Infinity, this.q.length >> 1);
      this.compact();
    }
    if (this.tail + n > this.q.length) {
      const next = new Float64Array(Math.max(this.q.length * 2, this.pending + n));
      next.set(this.q.subarray(this.head, this.tail));
      this.tail -= this.head;
      this.head = 0;
      this.q = next;
    }
  }

  private compact(): void {
    if (this.head === 0) return;
    this.q.copyWithin(0, this.head, this.tail);
    this.tail -= this.head;
    this.head = 0;
  }

  /** Announce a direction change (callers send every pending run first). */
  setSinkDir(dir: 0 | 1): void {
    this.sink.setNextStepDir(dir);
  }

  /** Queue one exact step clock (callers reserve() first; step clocks never decrease). */
  push(clock: number): void {
    const prev = this.tail > this.head ? this.q[this.tail - 1]! : this.lastStepClock;
    if (clock - prev >= FAR_STEP_TICKS) {
      this.emitRuns(Infinity);
      this.emitFar(clock);
      return;
    }
    this.q[this.tail++] = clock;
  }

  /** A long gap: send everything pending, then this step on its own. */
  emitFar(clock: number): void {
    const start = this.lastStepClock;
    const interval = clock - start;
    this.sink.queueStep(interval, 1, 0, start, clock);
    this.queueStepCount++;
    this.lastStepClock = clock;
  }

  /**
   * Emit runs. Runs that end because the next step does not fit are always sent; a run that
   * reaches the end of the pending steps (it might grow with more steps) is sent only while
   * lastStepClock < untilClock. untilClock = Infinity sends everything, -Infinity only
   * finished runs. stopAfterSteps limits the work (used when the buffer is full).
   */
  emitRuns(untilClock: number, stopAfterSteps = Infinity): void {
    let sent = 0;
    while (this.tail > this.head && sent < stopAfterSteps) {
      const avail = Math.min(this.tail - this.head, MAX_COUNT);
      this.bestRun(avail);
      const count = this.bestCount;
      if (count === this.tail - this.head && count < MAX_COUNT && !(this.lastStepClock < untilClock)) {
        break;
      }
      this.emit(this.bestInterval, count, this.bestAdd);
      sent += count;
    }
    if (this.head === this.tail) {
      this.head = 0;
      this.tail = 0;
    }
  }

  private bestCount = 0;
  private bestInterval = 0;
  private bestAdd = 0;

  /** Longest run from the head (fields bestCount/bestInterval/bestAdd). */
  private bestRun(avail: number): void {
    this.scan(0, avail);
    const zeroCount = this.scanCount;
    const zeroInterval = this.scanInterval;
    let bestCount = zeroCount;
    let bestInterval = zeroInterval;
    let bestAdd = 0;
    if (zeroCount < avail && avail >= 3) {
      // Estimate add from the curvature of the step times over about the run length; refine.
      let span = Math.max(2 * zeroCount, 4);
      let lastTried = 0;
      for (let iter = 0; iter < 3; iter++) {
        const add = this.estimateAdd(span, avail);
        if (add !== lastTried && add !== 0) {
          this.scan(add, avail);
          if (this.scanCount > bestCount) {
            bestCount = this.scanCount;
            bestInterval = this.scanInterval;
            bestAdd = add;
          }
          lastTried = add;
        } else if (iter > 0) {
          break;
        }
        span = bestCount + (bestCount >> 1) + 2;
      }
      // Neighbours of the best add often reach a little further.
      if (bestAdd !== 0 && bestCount < avail) {
        for (let d = -1; d <= 1; d += 2) {
          const add = bestAdd + d;
          if (add < MIN_ADD || add > MAX_ADD || add === 0) continue;
          this.scan(add, avail);
          if (this.scanCount > bestCount) {
            bestCount = this.scanCount;
            bestInterval = this.scanInterval;
            bestAdd = add;
          }
        }
      }
      if (zeroCount + (zeroCount >> 4) >= bestCount) {
        bestCount = zeroCount;
        bestInterval = zeroInterval;
        bestAdd = 0;
      }
    }
    this.bestCount = bestCount;
    this.bestInterval = bestInterval;
    this.bestAdd = bestAdd;
  }

  /** add ~ second difference of the exact step times over points 1, 1+h, 1+2h. */
  private estimateAdd(span: number, avail: number): number {
    let h = Math.floor(Math.min(span, avail - 1) / 2);
    if (h < 1) h = 1;
    const q = this.q;
    const i = this.head;
    const d2 = q[i + 2 * h]! - 2 * q[i + h]! + q[i]!;
    let add = Math.round(d2 / (h * h));
    if (add < MIN_ADD) add = MIN_ADD;
    else if (add > MAX_ADD) add = MAX_ADD;
    return add;
  }

  /**
   * For a fixed add: the longest run from the head whose every step fits its window, and the
   * latest interval that does it (scanCount, scanInterval). scanCount >= 1 always: a single
   * step fits with interval = its exact offset.
   */
  private scan(add: number, avail: number): void {
    const q = this.q;
    const head = this.head;
    const base = this.lastStepClock;
    const maxErr = this.maxErrorTicks;
    let imin = -Infinity;
    let imax = Infinity;
    let prev = 0;
    let addFactor = 0; // k*(k-1)/2
    let count = 0;
    let interval = 0;
    for (let k = 1; k <= avail; k++) {
      const hi = q[head + k - 1]! - base;
      let err = Math.floor((hi - prev) * 0.5);
      if (err > maxErr) err = maxErr;
      const lo = hi - err;
      const c = add * addFactor;
      if (k * imin + c < lo) imin = Math.ceil((lo - c) / k);
      if (k * imax + c > hi) imax = Math.floor((hi - c) / k);
      if (imin > imax) break;
      count = k;
      interval = imax;
      prev = hi;
      addFactor += k;
    }
    if (interval < 0 || interval > MAX_INTERVAL) {
      // Only possible for absurd inputs (steps before the last sent one, or > 2^32 ticks away).
      throw new StepCompressError(
        `step at clock ${q[head]} cannot follow clock ${base} (interval ${interval} out of range)`,
      );
    }
    this.scanCount = count;
    this.scanInterval = interval;
  }

  private emit(interval: number, count: number, add: number): void {
    const q = this.q;
    const head = this.head;
    const base = this.lastStepClock;
    if (this.verify) {
      let prev = base;
      let t = base;
      let iv = interval;
      for (let k = 0; k < count; k++) {
        t += iv;
        iv += add;
        const exact = q[head + k]!;
        let err = Math.floor((exact - prev) * 0.5);
        if (err > this.maxErrorTicks) err = this.maxErrorTicks;
        if (k === 0) err = Math.min(this.maxErrorTicks, Math.floor((exact - base) * 0.5));
        if (t > exact || t < exact - err) {
          throw new StepCompressError(
            `queue_step interval=${interval} count=${count} add=${add} puts step ${k + 1} at ` +
              `${t}, outside [${exact - err}, ${exact}]`,
          );
        }
        prev = exact;
      }
    }
    const end = base + interval * count + (add * count * (count - 1)) / 2;
    this.sink.queueStep(interval, count, add, base, end);
    this.queueStepCount++;
    this.lastStepClock = end;
    this.head = head + count;
  }
}
