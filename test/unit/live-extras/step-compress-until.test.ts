// emitRuns(untilClock) on an unfinished run: whether it is due depends on the run's own steps,
// not on the last step already sent (issue 6: live flushes sent runs whose steps lay far beyond
// the flush time, filling the MCU queue early and cutting runs short).
import { describe, expect, it } from 'vitest';
import { RecordingStepSink, StepCompressor } from '../../../src-main/host/motion/index.js';

function compressorWithSentStep(sentClock = 100): { c: StepCompressor; sink: RecordingStepSink } {
  const sink = new RecordingStepSink();
  const c = new StepCompressor(sink, 400);
  c.reserve(1);
  c.push(sentClock);
  c.emitRuns(Infinity); // one step sent: lastStepClock = sentClock
  sink.messages.length = 0;
  return { c, sink };
}

function pushEvery(c: StepCompressor, first: number, step: number, n: number): void {
  for (let k = 0; k < n; k++) {
    c.reserve(1);
    c.push(first + k * step);
  }
}

describe('StepCompressor.emitRuns(untilClock)', () => {
  it('keeps an unfinished run whose steps all lie after untilClock, though the last sent step is before it', () => {
    const { c, sink } = compressorWithSentStep(9000);
    pushEvery(c, 10_000, 1000, 50); // steps at 10000 .. 59000, one run with the sent step's spacing
    c.emitRuns(9500);
    expect(sink.messages).toEqual([]);
    expect(c.pending).toBe(50);
  });

  it('sends only the steps before untilClock of a run that straddles it; the rest keeps growing', () => {
    const { c, sink } = compressorWithSentStep();
    pushEvery(c, 1100, 1000, 50); // steps at 1100 .. 50100
    c.emitRuns(20_500); // steps 1100 .. 20100 are due: 20 of them
    expect(sink.messages).toEqual([{ interval: 1000, count: 20, add: 0 }]);
    expect(c.pending).toBe(30);
    pushEvery(c, 51_100, 1000, 10);
    c.emitRuns(Infinity);
    expect(sink.messages.slice(1)).toEqual([{ interval: 1000, count: 40, add: 0 }]);
    const decoded = sink.decode(100).clocks;
    expect(decoded).toHaveLength(60);
    expect(decoded.at(-1)).toBe(60_100);
  });

  it('sends a whole unfinished run whose last step is before untilClock', () => {
    const { c, sink } = compressorWithSentStep();
    pushEvery(c, 1100, 1000, 10);
    c.emitRuns(10_101);
    expect(sink.messages).toEqual([{ interval: 1000, count: 10, add: 0 }]);
  });
});
