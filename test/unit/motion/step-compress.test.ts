// Property test of the compression rule: every step the MCU replays from the queue_step triples
// lands in [exact - min(25 us, half the gap to the previous exact step), exact], and the number
// of steps is kept.

import { describe, expect, it } from 'vitest';
import { FAR_STEP_TICKS, RecordingStepSink, StepCompressor } from '../../../src-main/host/motion/index.js';

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Monotonic step clocks: segments of constant accel/decel/cruise, random lengths, gaps. */
function randomSteps(seed: number, n: number): number[] {
  const r = rng(seed);
  const out: number[] = [];
  let t = 1000 + Math.floor(r() * 100000);
  let interval = 200 + r() * 20000;
  while (out.length < n) {
    const len = 1 + Math.floor(r() * 400);
    const kind = r();
    const growth = kind < 0.3 ? 1 : kind < 0.65 ? 1 + r() * 0.05 : 1 - r() * 0.03;
    for (let i = 0; i < len && out.length < n; i++) {
      interval = Math.min(Math.max(interval * growth, 2), 3e6);
      t += interval * (1 + (r() - 0.5) * 0.002);
      out.push(Math.floor(t));
    }
    if (r() < 0.05) t += r() * 2e7; // a pause
  }
  return out;
}

function decode(sink: RecordingStepSink): number[] {
  return sink.decode(0).clocks;
}

function checkWindows(exact: number[], decoded: number[], maxErr: number): void {
  expect(decoded.length).toBe(exact.length);
  let prevExact = 0;
  let prevDecoded = 0;
  for (let i = 0; i < exact.length; i++) {
    const e = exact[i]!;
    // The first step of a run measures its half gap from the previous *replayed* step.
    const gapBase = Math.max(prevExact, 0);
    const window = Math.min(maxErr, Math.floor((e - Math.min(gapBase, prevDecoded)) / 2));
    const d = decoded[i]!;
    if (d > e || d < e - window) {
      throw new Error(`step ${i}: replayed at ${d}, exact ${e}, allowed [${e - window}, ${e}]`);
    }
    prevExact = e;
    prevDecoded = d;
  }
}

describe('step compression', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`random monotonic step times (seed ${seed}) replay inside their windows`, () => {
      const exact = randomSteps(seed, 6000);
      const sink = new RecordingStepSink();
      const c = new StepCompressor(sink, 400, 4096); // small buffer: exercise refills
      for (const t of exact) {
        c.reserve(1);
        c.push(t);
      }
      c.emitRuns(Infinity);
      const decoded = decode(sink);
      checkWindows(exact, decoded, 400);
      for (const m of sink.messages) {
        if (!('count' in m)) continue;
        expect(m.count).toBeGreaterThanOrEqual(1);
        expect(m.count).toBeLessThanOrEqual(65535);
        expect(m.add).toBeGreaterThanOrEqual(-32768);
        expect(m.add).toBeLessThanOrEqual(32767);
        expect(m.interval).toBeGreaterThanOrEqual(0);
        expect(m.interval).toBeLessThanOrEqual(0xffffffff);
      }
    });
  }

  it('compresses a constant rate into one long run and an accel ramp into few', () => {
    const sink = new RecordingStepSink();
    const c = new StepCompressor(sink, 400);
    for (let k = 1; k <= 50000; k++) {
      c.reserve(1);
      c.push(k * 1000);
    }
    c.emitRuns(Infinity);
    expect(sink.messages).toEqual([{ interval: 1000, count: 50000, add: 0 }]);

    const ramp = new RecordingStepSink();
    const c2 = new StepCompressor(ramp, 400);
    // constant acceleration from rest: t_k = sqrt(k) * T
    const exact: number[] = [];
    for (let k = 1; k <= 5000; k++) exact.push(Math.floor(Math.sqrt(k) * 1e6));
    for (const t of exact) {
      c2.reserve(1);
      c2.push(t);
    }
    c2.emitRuns(Infinity);
    checkWindows(exact, decode(ramp), 400);
    expect(5000 / ramp.messages.length).toBeGreaterThan(20);
  });

  it('sends a step long after the previous one on its own (count 1)', () => {
    const sink = new RecordingStepSink();
    const c = new StepCompressor(sink, 400);
    for (const t of [1000, 2000, 3000, 3000 + FAR_STEP_TICKS + 5, 3000 + FAR_STEP_TICKS + 1005]) {
      c.reserve(1);
      c.push(t);
    }
    c.emitRuns(Infinity);
    expect(sink.messages[1]).toEqual({ interval: FAR_STEP_TICKS + 5, count: 1, add: 0 });
    expect(decode(sink)).toEqual([1000, 2000, 3000, 3000 + FAR_STEP_TICKS + 5, 3000 + FAR_STEP_TICKS + 1005]);
  });

  it('sends a gap of more than 2^32 ticks modulo 2^32 (the MCU clock is 32 bits)', () => {
    const sink = new RecordingStepSink();
    const c = new StepCompressor(sink, 400);
    const far = 1000 + 5 * 2 ** 32 + 12345;
    for (const t of [1000, far]) {
      c.reserve(1);
      c.push(t);
    }
    c.emitRuns(Infinity);
    const m = sink.messages[1] as { interval: number; count: number };
    expect(m.interval).toBe(12345);
    expect(m.count).toBe(1);
    expect(c.lastStepClock).toBe(far);
  });

  it('keeps an unfinished run until more steps come, unless forced', () => {
    const sink = new RecordingStepSink();
    const c = new StepCompressor(sink, 400);
    for (let k = 1; k <= 100; k++) {
      c.reserve(1);
      c.push(k * 1000);
    }
    c.emitRuns(-Infinity);
    expect(sink.messages).toEqual([]);
    c.emitRuns(Infinity);
    expect(sink.messages).toEqual([{ interval: 1000, count: 100, add: 0 }]);
  });
});
