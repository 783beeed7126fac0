// The toolhead's live-mode parts used by homing and M400: streamed steps, the drip move that a
// trigger cuts short, and the last held-back step of a finished script.
import { describe, expect, it } from 'vitest';
import { CartesianKinematics, CountingStepSink, MotionStepper, Toolhead } from '../../../src-main/host/motion/index.js';

const FREQ = 16e6;
const STEP_MM = 0.0125;

function liveToolhead(clock: { nowS: number }) {
  const sinks = [new CountingStepSink(), new CountingStepSink(), new CountingStepSink()];
  const steppers = sinks.map((sink, i) => new MotionStepper({ name: `stepper_${'xyz'[i]}`, stepDistMm: STEP_MM, clockFreqHz: FREQ, sink }));
  const kin = new CartesianKinematics({
    rails: steppers.map((s, i) => ({ axis: 'xyz'[i] as 'x' | 'y' | 'z', steppers: [s], positionMinMm: 0, positionMaxMm: 200 })),
  });
  const th = new Toolhead({
    kinematics: kin,
    maxVelocityMmS: 300,
    maxAccelMmS2: 3000,
    streamSteps: true,
    estimatedPrintTimeS: () => clock.nowS,
  });
  th.setPosition([0, 0, 0, 0], 'xyz');
  return { th, sinks, steppers };
}

describe('toolhead in live (streaming) mode', () => {
  it('sends every step of a finished script, the held-back last one too, once all of it is due', () => {
    const clock = { nowS: 1 };
    const { th, sinks } = liveToolhead(clock);
    // The last half-step boundary (10.00625) is crossed 0.2 ms before the move ends: within the
    // step+dir+step filter's window, so that step is held back until the motion is known to end.
    th.move([10.0063, 0, 0, 0], 100);
    th.waitMoves(); // plans it; live, no steps yet (the flush timer streams them)
    expect(sinks[0]!.steps).toBe(0);
    clock.nowS = th.printTimeS - 0.5; // the flush timer's call: min(end of motion, now + 1 s)
    th.sendStepsUntil(Math.min(th.printTimeS, clock.nowS + 1));
    expect(sinks[0]!.steps).toBe(801);
  });

  it('a drip move sends steps only a little ahead of the MCU and stops where the trigger came', async () => {
    const clock = { nowS: 1 };
    const { th, sinks, steppers } = liveToolhead(clock);
    let triggered = false;
    // The MCU clock runs in real time here; the "endstop" fires after 150 ms.
    const t0 = performance.now();
    const timer = setInterval(() => (clock.nowS = 1 + (performance.now() - t0) / 1000), 5);
    setTimeout(() => (triggered = true), 150);
    try {
      const path = await th.dripMove([100, 0, 0, 0], 50, () => triggered);
      expect(path).not.toBeNull();
      // 100 mm at 50 mm/s lasts 2 s: the trigger ended it long before, with at most
      // ~0.25 s of steps sent past the MCU's "now" (12.5 mm).
      const sentMm = sinks[0]!.steps * STEP_MM;
      expect(sentMm).toBeGreaterThan(0);
      expect(sentMm).toBeLessThan(30);
      // The toolhead's clock stops at what was sent, not at the planned end of the move.
      expect(th.printTimeS).toBeLessThan(clock.nowS + 0.5);
      steppers[0]!.discardUnsentSteps();
      th.setPosition([3, 0, 0, 0]);
      th.move([5, 0, 0, 0], 50);
      th.waitMoves();
      clock.nowS = th.printTimeS;
      th.sendStepsUntil(clock.nowS + 1);
      expect(th.getPosition()).toEqual([5, 0, 0, 0]);
    } finally {
      clearInterval(timer);
    }
  });

  it('M400 (drainMoves) resolves only once the MCU clock passed the end of the moves', async () => {
    const clock = { nowS: 1 };
    const { th } = liveToolhead(clock);
    th.move([10, 0, 0, 0], 100);
    let done = false;
    const wait = th.drainMoves().then(() => (done = true));
    await new Promise((r) => setTimeout(r, 120));
    expect(done).toBe(false);
    clock.nowS = th.printTimeS + 0.001;
    await wait;
    expect(done).toBe(true);
    // A shutdown ends the wait at once.
    th.move([20, 0, 0, 0], 100);
    const w2 = th.drainMoves();
    th.abortWaits();
    await w2;
  });
});
