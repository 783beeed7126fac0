// Step commands of several steppers through the real serial queue to a modelled atmega2560
// (fake-avr-link.ts) on a fake clock: a small move queue (move_count), 250000 baud, and the
// firmware's rules checked for every run. What went wrong on the simulated 2560 (a stepper's
// queue_step reaching the MCU after its first step was due, "Stepper too far in past") had two
// host causes these tests pin down:
// - move-queue slots were handed out as messages were queued, stepper by stepper, so a stepper
//   queued second got slots that free only after the first stepper's later moves: its early
//   runs waited for them. Slots are now taken as the link sends, lowest req_clock first.
// - set_next_step_dir carried min_clock = the stepper's last step, so it and the next run of
//   that stepper were held until the MCU had reached that step, and arrived too late for a
//   run that starts a few ms after a reversal.
// And one the fix brought out: with slots taken exactly as they free, a host clock estimate
// running ahead of the MCU ("Move queue overflow" on the loaded simulator) overfills the queue;
// slots are reused only SLOT_MARGIN_S after they free.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadDictionaryFile } from '../../../src-main/host/mcu/dictionary';
import { SLOT_MARGIN_S } from '../../../src-main/host/mcu/move-queue';
import { SerialQueue } from '../../../src-main/host/mcu/serialqueue';
import { McuStepSink, stepCommandIds } from '../../../src-main/host/mcu/step-queue';
import { CartesianKinematics, CountingStepSink, ExtruderMotion, MotionStepper, Toolhead } from '../../../src-main/host/motion/index';
import { referenceDir } from '../../support/paths';
import { CLOCK_FREQ, FakeAvrLink } from './fake-avr-link';

const dict = loadDictionaryFile(path.join(referenceDir, 'klipper-dicts/atmega2560.dict'));
const ids = stepCommandIds(dict);
const nowS = (): number => Date.now() / 1000;

let link: FakeAvrLink;
let sq: SerialQueue;

/**
 * A serial queue to a fresh modelled MCU with `moveCount` move-queue entries. The host's clock
 * estimate is exact, or `aheadS` ahead of the MCU (as on a loaded machine or a held-back sim);
 * slots are reused `marginTicks` after they free (the Mcu passes SLOT_MARGIN_S).
 */
function connect(moveCount: number, opts: { aheadS?: number; marginTicks?: number } = {}): void {
  const t0 = nowS();
  link = new FakeAvrLink(dict, moveCount, nowS, t0);
  sq = new SerialQueue(link.transport(), { now: nowS, baud: 250000, receiveWindow: 192, onMessages: () => undefined });
  sq.setClockEstimate(CLOCK_FREQ, t0, (opts.aheadS ?? 0) * CLOCK_FREQ);
  sq.setMoveCount(moveCount, opts.marginTicks ?? 0);
}

function stepperSink(oid: number): McuStepSink {
  const sink = new McuStepSink(oid);
  sink.bind(sq.allocCommandQueue(), ids);
  return sink;
}

/** Runs fake time in 5 ms slices until done() (or the limit). */
function runUntil(done: () => boolean, limitS: number): void {
  const end = nowS() + limitS;
  while (!done() && nowS() < end) vi.advanceTimersByTime(5);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  sq?.close();
  vi.useRealTimers();
});

describe('step commands of several steppers against a small MCU move queue', () => {
  it('leave in req_clock order across steppers, however they were queued, and never overfill the move queue', () => {
    const moveCount = 64;
    connect(moveCount);
    const d = 40_000; // 2.5 ms between runs: 400 runs a stepper = 1 s, far more than 64 entries
    const firstS = 0.3;
    const sinks = [stepperSink(0), stepperSink(1)];
    // Queued as step generation does: all of X's runs for the second, then all of Y's.
    for (const sink of sinks) {
      sink.setNextStepDir(1);
      sink.queueStep(firstS * CLOCK_FREQ, 1, 0, 0, firstS * CLOCK_FREQ);
      for (let i = 1; i < 400; i++) {
        const start = firstS * CLOCK_FREQ + (i - 1) * d;
        sink.queueStep(d, 1, 0, start, start + d);
      }
    }
    runUntil(() => link.arrivals.length === 800 && sq.isIdle(), 5);
    expect(link.arrivals.length).toBe(800);
    // Sent (and so received) lowest req_clock first across the two steppers.
    const starts = link.arrivals.map((a) => a.startClock);
    const outOfOrder = starts.filter((s, i) => i > 0 && s < starts[i - 1]!).length;
    expect(outOfOrder).toBe(0);
    expect(
      link.arrivals
        .filter((a) => a.oid === 1)
        .slice(0, 3)
        .map((a) => a.startClock),
    ).toEqual([0, firstS * CLOCK_FREQ, firstS * CLOCK_FREQ + d]);
    expect(link.late).toEqual([]);
    expect(link.overflows).toEqual([]);
    // The move queue was the limit (the link did not simply send everything early).
    expect(link.maxHeld).toBe(moveCount);
    expect([...link.steppers.values()].map((s) => s.position)).toEqual([400, 400]);
  });

  it("streams a first layer's short segments on the 2560's 309 entries: every run in time, counts equal the plan", () => {
    const moveCount = 309;
    // The host believes the MCU 150 ms further on than it is (seen with the simulator on a
    // loaded machine): the slot margin absorbs that.
    const aheadS = 0.15;
    connect(moveCount, { aheadS, marginTicks: SLOT_MARGIN_S * CLOCK_FREQ });
    const est = (): number => link.clockAt(nowS()) / CLOCK_FREQ + aheadS;
    // X, Y and the extruder on the MCU (tether-sim.cfg's steps per mm; Y's dir pin inverted).
    const sinks = [stepperSink(0), stepperSink(1), stepperSink(2)];
    const [sx, sy, se] = sinks.map(
      (sink, i) =>
        new MotionStepper({
          name: ['stepper_x', 'stepper_y', 'extruder'][i]!,
          stepDistMm: [40, 40, 33.5][i]! / 3200,
          clockFreqHz: CLOCK_FREQ,
          sink,
          invertDir: i === 1,
        }),
    );
    const steppers = [sx!, sy!, se!];
    const sz = new MotionStepper({ name: 'stepper_z', stepDistMm: 8 / 3200, clockFreqHz: CLOCK_FREQ, sink: new CountingStepSink() });
    for (const s of [...steppers, sz]) s.setClockMapping(CLOCK_FREQ, 0);
    const rail = (axis: 'x' | 'y' | 'z', s: MotionStepper) => ({ axis, steppers: [s], positionMinMm: 0, positionMaxMm: 200 });
    const kin = new CartesianKinematics({ rails: [rail('x', sx!), rail('y', sy!), rail('z', sz)], maxZVelocityMmS: 5, maxZAccelMmS2: 100 });
    const th = new Toolhead({ kinematics: kin, maxVelocityMmS: 300, maxAccelMmS2: 3000, estimatedPrintTimeS: est, streamSteps: true });
    th.setExtruder(new ExtruderMotion({ stepper: se!, nozzleDiameterMm: 0.4, filamentDiameterMm: 1.75 }, th.getVelocityLimits()));
    th.setPosition([100, 100, 0.2, 0], 'xyz');
    // Perimeters: circles of 0.25 mm chords at 60 mm/s (every segment turns, both steppers reverse twice a
    // circle); then zig-zag infill (X reverses every line).
    const moves: [number, number, number][] = [];
    for (const r of [10, 9.55, 9.1]) {
      const n = Math.round((2 * Math.PI * r) / 0.25);
      for (let k = 0; k <= n; k++) moves.push([100 + r * Math.cos((2 * Math.PI * k) / n), 100 + r * Math.sin((2 * Math.PI * k) / n), 60]);
    }
    for (let k = 0; k < 24; k++) moves.push([k % 2 ? 94 : 106, 94 + k * 0.5, 60]);
    // Extruding 0.45 x 0.2 mm lines: E = length x 0.09 mm^2 / 2.405 mm^2 of filament.
    let e = 0;
    let at = [100, 100];
    for (const [x, y, v] of moves) {
      e += (Math.hypot(x - at[0]!, y - at[1]!) * 0.09) / 2.405;
      at = [x, y];
      th.move([x, y, 0.2, e], v);
    }
    // The live host's flush timer (objects/toolhead.ts): every 50 ms send the steps due within
    // 1 s of the MCU's now; plan the lookahead when less than 1 s of motion is left.
    const tick = setInterval(() => {
      const e = est();
      if (th.printTimeS - e < 1) th.flushLookahead();
      th.sendStepsUntil(Math.min(th.printTimeS, e + 1));
    }, 50);
    try {
      runUntil(() => th.printTimeS > 0 && est() > th.printTimeS + 0.2 && sq.isIdle(), 60);
    } finally {
      clearInterval(tick);
    }
    expect(est() - aheadS).toBeGreaterThan(th.printTimeS);
    expect(link.late).toEqual([]);
    expect(link.overflows).toEqual([]);
    // Enough short runs that the 309 entries were the limit, not the 1 s horizon (less the
    // entries the margin keeps free).
    expect(link.maxHeld).toBeGreaterThan(0.8 * moveCount);
    expect(link.arrivals.length).toBeGreaterThan(3 * moveCount);
    // What the MCU replayed is what the host planned: every step, in the right direction.
    const replayed = [0, 1, 2].map((oid) => link.steppers.get(oid)!);
    expect(replayed.map((s) => s.steps)).toEqual(sinks.map((s) => s.stepCount));
    expect(replayed.map((s) => s.position)).toEqual(steppers.map((s) => (s.invertDir ? -1 : 1) * s.mcuPositionSteps));
    // ... and the plan is the path: from X100 Y100 to X94 Y105.5 at 80 steps/mm, and the
    // extrusion on E (in whole steps).
    expect(steppers.map((s) => s.mcuPositionSteps)).toEqual([-6 * 80, 5.5 * 80, Math.round((e * 3200) / 33.5)]);
  });
});
