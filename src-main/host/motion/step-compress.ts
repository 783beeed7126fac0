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
/** Scans per run beyond add=0 (8 reach ~99.9% of the best ratio found with 16+). */
const MAX_PROBES = 8;

export class StepCompressError extends Error {
  override name = 'StepCompressError';
}

export class StepCompressor {
  /** Pending exact step clocks (whole ticks), indices [head, tail). */
  q: Float64Array;
  /**
   * Earliest allowed clock of each pending step: exact - min(maxError, half the gap to the
   * previous exact step). Written with q (one subtraction per step) so the scans, which look at
   * each step several times, do not recompute it. For the first step of a run the gap is to the
   * last sent step instead, which the scan handles itself.
   */
  lo: Float64Array;
  head = 0;
  tail = 0;
  /** Clock of the last step the MCU will take (decoded, not exact). */
  lastStepClock = 0;
  maxErrorTicks = 0;
  private noAddBeyond = 0;
  queueStepCount = 0;
  /** Work done: steps looked at by all scans (tuning figure). */
  scannedSteps = 0;
  /** Check every emitted run step by step (cheap; on by default). */
  verify = true;
  private sink: StepSink;
  // Result of the last scan (kept in fields so the hot path allocates nothing).
  private scanCount = 0;
  private scanInterval = 0;
  private scanNeedsMoreAdd = false;
  private scanReach = 0;

  constructor(sink: StepSink, maxErrorTicks: number, capacity = 1 << 17) {
    this.sink = sink;
    this.setMaxError(maxErrorTicks);
    this.q = new Float64Array(capacity);
    this.lo = new Float64Array(capacity);
  }

  /** The largest early error in ticks (changes with the MCU clock frequency). */
  setMaxError(maxErrorTicks: number): void {
    this.maxErrorTicks = Math.floor(maxErrorTicks);
    this.noAddBeyond = Math.ceil(1.5 * Math.sqrt(this.maxErrorTicks / 0.0858)) + 2;
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
    this.compact();
    // Keep a quarter of the buffer free, or every push would rescan one long unfinished run.
    const room = this.q.length - (this.q.length >> 2);
    if (this.tail + n > room) {
      this.emitRuns(Infinity, this.pending - (this.q.length >> 1));
      this.compact();
    }
    if (this.tail + n > this.q.length) {
      const cap = Math.max(this.q.length * 2, this.pending + n);
      const next = new Float64Array(cap);
      next.set(this.q.subarray(this.head, this.tail));
      const nextLo = new Float64Array(cap);
      nextLo.set(this.lo.subarray(this.head, this.tail));
      this.tail -= this.head;
      this.head = 0;
      this.q = next;
      this.lo = nextLo;
    }
  }

  private compact(): void {
    if (this.head === 0) return;
    this.q.copyWithin(0, this.head, this.tail);
    this.lo.copyWithin(0, this.head, this.tail);
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
    let err = Math.floor((clock - prev) * 0.5);
    if (err > this.maxErrorTicks) err = this.maxErrorTicks;
    this.lo[this.tail] = clock - err;
    this.q[this.tail++] = clock;
  }

  /**
   * A long gap: send everything pending, then this step on its own. The MCU counts time in 32
   * bits, so a gap of 2^32 ticks or more (268 s at 16 MHz, e.g. Z during a long layer) is sent
   * modulo 2^32: last + interval lands on the right 32-bit clock, as with Klipper.
   */
  emitFar(clock: number): void {
    const start = this.lastStepClock;
    const interval = (clock - start) % 4294967296;
    this.sink.queueStep(interval, 1, 0, start, clock);
    this.queueStepCount++;
    this.lastStepClock = clock;
  }

  /**
   * Emit runs. Runs that end because the next step does not fit are always sent; a run that
   * reaches the end of the pending steps (it might grow with more steps) is sent whole only when
   * its last step is before untilClock, else only its steps before untilClock (a prefix of a
   * run fits with the same interval and add) and the rest waits to grow. untilClock = Infinity
   * sends everything, -Infinity only finished runs. stopAfterSteps limits the work (used when
   * the buffer is full).
   */
  emitRuns(untilClock: number, stopAfterSteps = Infinity): void {
    let sent = 0;
    while (this.tail > this.head && sent < stopAfterSteps) {
      const avail = Math.min(this.tail - this.head, MAX_COUNT);
      this.bestRun(avail);
      let count = this.bestCount;
      if (count === this.tail - this.head && count < MAX_COUNT && !(this.q[this.head + count - 1]! < untilClock)) {
        // Judged by the run's own last step: the last *sent* step says nothing about whether
        // this run's steps are due yet (sending them early only costs compression and MCU queue).
        count = this.countBefore(untilClock, count);
        if (count === 0) break;
      }
      this.emit(this.bestInterval, count, this.bestAdd);
      sent += count;
    }
    if (this.head === this.tail) {
      this.head = 0;
      this.tail = 0;
    }
  }

  /** How many of the first `count` pending steps are before untilClock (binary search: clocks never decrease). */
  private countBefore(untilClock: number, count: number): number {
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.q[this.head + mid]! < untilClock) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private bestCount = 0;
  private bestInterval = 0;
  private bestAdd = 0;

  /**
   * Longest run from the head (fields bestCount/bestInterval/bestAdd). Each scan tells on which
   * side of `add` a longer run lies (the step that broke the run came later or earlier than the
   * sequence allows), so the add range is halved around estimates from the step times' curvature.
   */
  private bestRun(avail: number): void {
    this.scan(0, avail);
    const zeroCount = this.scanCount;
    const zeroInterval = this.scanInterval;
    let bestCount = zeroCount;
    let bestInterval = zeroInterval;
    let bestAdd = 0;
    let bestReach = this.scanReach;
    // Two runs that both fit the first n windows (each at most maxError wide) differ by at most
    // maxError there, but any add >= 1 bends away from a line by about 0.0858*add*n^2 at best:
    // beyond noAddBeyond steps no add other than 0 can fit, so there is nothing to search.
    if (zeroCount < avail && avail >= 3 && zeroCount <= this.noAddBeyond) {
      let lowAdd = MIN_ADD;
      let highAdd = MAX_ADD;
      if (this.scanNeedsMoreAdd) lowAdd = 1;
      else highAdd = -1;
      // Start from the add of the best-fitting quadratic, refit over the longest run found,
      // gallop away from a bound until the direction flips, then bisect.
      // A long add=0 run means the best add is small: try the neighbour first.
      let add =
        zeroCount === 1
          ? this.pairAdd()
          : zeroCount >= 32
            ? lowAdd > 0
              ? 1
              : -1
            : this.estimateAdd(2 * zeroCount + 2, avail);
      let stride = 1;
      let lowProbed = false;
      let highProbed = false;
      for (let probe = 0; probe < MAX_PROBES && lowAdd <= highAdd; probe++) {
        if (add < lowAdd) add = lowAdd;
        else if (add > highAdd) add = highAdd;
        this.scan(add, avail);
        const count = this.scanCount;
        if (count > bestCount || (count === bestCount && this.scanReach > bestReach)) {
          bestReach = this.scanReach;
          bestCount = count;
          bestInterval = this.scanInterval;
          bestAdd = add;
        }
        if (count >= avail) break;
        // From a long add=0 run, the neighbouring add already loses: the rest lose more.
        if (probe === 0 && zeroCount >= 32 && count <= zeroCount) break;
        const more = this.scanNeedsMoreAdd;
        if (more) {
          lowAdd = add + 1;
          lowProbed = true;
        } else {
          highAdd = add - 1;
          highProbed = true;
        }
        if (lowAdd > highAdd) break;
        const est = this.estimateAdd(bestCount + (bestCount >> 2) + 1, avail);
        if (est >= lowAdd && est <= highAdd && probe < 2) {
          add = est;
        } else if (lowProbed && highProbed) {
          add = lowAdd + ((highAdd - lowAdd) >> 1);
        } else {
          add = more ? add + stride : add - stride;
          stride *= 2;
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

  /** The add that puts the first two steps at the latest ends of their windows. */
  private pairAdd(): number {
    const q = this.q;
    const t1 = q[this.head]! - this.lastStepClock;
    const t2 = q[this.head + 1]! - this.lastStepClock;
    let add = t2 - 2 * t1;
    if (add < MIN_ADD) add = MIN_ADD;
    else if (add > MAX_ADD) add = MAX_ADD;
    return add;
  }

  /**
   * add of the least-squares quadratic through the last sent step and the centres of the next
   * `span` steps' windows: t_k - start ~ k*interval + add*k*(k-1)/2.
   */
  private estimateAdd(span: number, avail: number): number {
    const n = Math.min(span, avail);
    if (n < 2) return 0;
    const q = this.q;
    const head = this.head;
    const base = this.lastStepClock;
    const maxErr = this.maxErrorTicks;
    let skk = 0;
    let skt = 0;
    let stt = 0;
    let sky = 0;
    let sty = 0;
    let prev = 0;
    let tk = 0; // k*(k-1)/2
    for (let k = 1; k <= n; k++) {
      const hi = q[head + k - 1]! - base;
      let err = (hi - prev) * 0.5;
      if (err > maxErr) err = maxErr;
      const y = hi - 0.5 * err;
      skk += k * k;
      skt += k * tk;
      stt += tk * tk;
      sky += k * y;
      sty += tk * y;
      prev = hi;
      tk += k;
    }
    const det = skk * stt - skt * skt;
    if (!(det > 0)) return 0;
    let add = Math.round((skk * sty - skt * sky) / det);
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
    const loQ = this.lo;
    const head = this.head;
    const base = this.lastStepClock;
    // Step 1: its window is measured from the last sent step; interval alone places it.
    const hi1 = q[head]! - base;
    let err1 = Math.floor(hi1 * 0.5);
    if (err1 > this.maxErrorTicks) err1 = this.maxErrorTicks;
    let imin = hi1 - err1;
    let imax = hi1;
    let count = 1;
    let needMore = false;
    let addFactor = 1; // k*(k-1)/2 for k = 2
    for (let k = 2; k <= avail; k++) {
      const i = head + k - 1;
      const hi = q[i]! - base;
      const lo = loQ[i]! - base;
      const c = add * addFactor;
      if (k * imin + c < lo) {
        const nextMin = Math.ceil((lo - c) / k);
        if (nextMin > imax) {
          needMore = true; // this step comes later than the run can reach
          break;
        }
        imin = nextMin;
      }
      if (k * imax + c > hi) {
        const nextMax = Math.floor((hi - c) / k);
        if (imin > nextMax) {
          needMore = false; // this step comes earlier than the run allows
          break;
        }
        imax = nextMax;
      }
      count = k;
      addFactor += k;
    }
    const interval = imax;
    if (interval < 0 || interval > MAX_INTERVAL) {
      // Only possible for absurd inputs (steps before the last sent one, or > 2^32 ticks away).
      throw new StepCompressError(
        `step at clock ${q[head]} cannot follow clock ${base} (interval ${interval} out of range)`,
      );
    }
    this.scanCount = count;
    this.scannedSteps += count + 1;
    this.scanInterval = interval;
    this.scanNeedsMoreAdd = needMore;
    this.scanReach = interval * count + (add * count * (count - 1)) / 2;
  }

  private emit(interval: number, count: number, add: number): void {
    const q = this.q;
    const head = this.head;
    const base = this.lastStepClock;
    if (this.verify) {
      // Replay the run as the MCU will and check every step against its window (the first
      // step's window is measured from the last sent step).
      const loQ = this.lo;
      let err1 = Math.floor((q[head]! - base) * 0.5);
      if (err1 > this.maxErrorTicks) err1 = this.maxErrorTicks;
      let t = base;
      let iv = interval;
      for (let k = 0; k < count; k++) {
        t += iv;
        iv += add;
        const exact = q[head + k]!;
        const earliest = k === 0 ? exact - err1 : loQ[head + k]!;
        if (t > exact || t < earliest) {
          throw new StepCompressError(
            `queue_step interval=${interval} count=${count} add=${add} puts step ${k + 1} at ` +
              `${t}, outside [${earliest}, ${exact}]`,
          );
        }
      }
    }
    const end = base + interval * count + (add * count * (count - 1)) / 2;
    this.sink.queueStep(interval, count, add, base, end);
    this.queueStepCount++;
    this.lastStepClock = end;
    this.head = head + count;
  }
}
