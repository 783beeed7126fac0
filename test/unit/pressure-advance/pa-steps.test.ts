// Pressure advance step generation against an independent numerical model: the advanced
// filament position E + pa * E' (only on moves extruding while moving in XY) is sampled on a
// 2 us grid from the recorded trapezoids, integrated twice (trapezoid rule), and the triangle
// weighted average over the smoothing window is taken as the second difference of that double
// integral: S(t) = (F2(t+h) - 2 F2(t) + F2(t-h)) / h^2. The extruder's decoded steps must sit on
// that path's half-step crossings, streamed in chunks or not, with nothing lost.

import { describe, expect, it } from 'vitest';
import { CountingStepSink, RecordingStepSink, type Toolhead } from '../../../src-main/host/motion/index.js';
import { CLOCK_HZ, checkSteps, makePrinter, moveDistance, recordPlannedMoves, type PlannedMove, type Sampled } from './model.js';

const PA = 0.05;
const SMOOTH_S = 0.04;
const E_STEP_MM = 33.5 / 3200;

/** A short print: extrusion with corners and speed changes, a retract, travel, an extrude-only prime, G4. */
function drive(toolhead: Toolhead): void {
  const p = toolhead.getPosition();
  const go = (x: number, y: number, de: number, f: number): void => {
    p[0] = x;
    p[1] = y;
    p[3]! += de;
    toolhead.move(p, f);
  };
  go(60, 50, 0.5, 40);
  go(60, 60, 0.4, 60);
  go(80, 62, 0.9, 100);
  go(81, 63, 0.05, 100);
  go(82, 63, 0.05, 30);
  go(82, 63, -0.8, 35); // retract
  go(120, 90, 0, 150); // travel
  go(120, 90, 0.8, 35); // unretract (extrude only: no advance)
  toolhead.dwell(0.1);
  go(100, 90, 1.0, 80);
  go(100, 70, 1.0, 80);
  go(70, 70, 1.5, 120);
}

function run(stream: boolean) {
  const sinks = [0, 1, 2].map(() => new CountingStepSink());
  const eSink = new RecordingStepSink();
  const printer = makePrinter([...sinks, eSink], { streamSteps: stream });
  const th = printer.toolhead;
  th.setPosition([50, 50, 0.2, 0], 'xyz');
  printer.extruder.setPressureAdvance(printer.steppers[3]!, PA, SMOOTH_S, th);
  const moves = recordPlannedMoves(th);
  drive(th);
  if (stream) {
    // As a live printer's flush timer would: generate in 50 ms slices after planning.
    // The lookahead is flushed once, part-way, as a live printer does when the MCU runs low.
    for (let t = 0; t < th.printTimeS + 1; t += 0.05) {
      if (t > th.printTimeS - 1) th.flushLookahead();
      th.sendStepsUntil(t);
    }
  } else th.flushStepGeneration();
  return { moves, eSink, e: printer.steppers[3]!, th };
}

/** The smoothed advanced E path from the recorded moves (values relative to E = 0). */
function paPath(moves: PlannedMove[], pa: number, smoothS: number): Sampled {
  const dt = 2e-6;
  const h = smoothS / 2;
  const H = Math.round(h / dt);
  const eMoves = moves.filter((m) => m.axesD[3] !== 0);
  const t0 = eMoves[0]!.t0 - 2 * h;
  const last = eMoves.at(-1)!;
  const t1 = last.t0 + last.accelT + last.cruiseT + last.decelT + 2 * h;
  const n = Math.ceil((t1 - t0) / dt) + 1;
  const f = new Float64Array(n);
  let k = 0;
  let eRest = eMoves[0]!.start[3]!;
  for (let i = 0; i < n; i++) {
    const t = t0 + i * dt;
    while (k < eMoves.length && t >= eMoves[k]!.t0 + eMoves[k]!.accelT + eMoves[k]!.cruiseT + eMoves[k]!.decelT) {
      const m = eMoves[k]!;
      eRest = m.start[3]! + m.axesD[3]!;
      k++;
    }
    const m = eMoves[k];
    if (!m || t < m.t0) {
      f[i] = eRest;
      continue;
    }
    const [d, v] = moveDistance(m, t - m.t0);
    const r = m.axesR[3]!;
    const advances = r > 0 && (m.axesD[0] !== 0 || m.axesD[1] !== 0);
    f[i] = m.start[3]! + r * d + (advances ? pa * r * v : 0);
  }
  const f2 = new Float64Array(n);
  let f1 = 0;
  for (let i = 1; i < n; i++) {
    const f1n = f1 + 0.5 * (f[i - 1]! + f[i]!) * dt;
    f2[i] = f2[i - 1]! + 0.5 * (f1 + f1n) * dt;
    f1 = f1n;
  }
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s[i] = i >= H && i + H < n ? (f2[i + H]! - 2 * f2[i]! + f2[i - H]!) / (h * h) : f[i]!;
  }
  return { t0S: t0, dtS: dt, v: s, base: 0 };
}

describe('pressure advance steps', () => {
  const batch = run(false);
  const path = paPath(batch.moves, PA, SMOOTH_S);

  it('every extruder step is at the smoothed advanced path crossing its half-step boundary', () => {
    const { clocks, dirs } = batch.eSink.decode();
    const r = checkSteps(path, clocks, dirs, { stepMm: E_STEP_MM, originMm: 0, clockHz: CLOCK_HZ, dirUp: 1 });
    console.log(
      `PA batch: ${clocks.length} steps, step - crossing time ${r.earliestUs.toFixed(2)}..${r.latestUs.toFixed(2)} us, ` +
        `band excess max ${r.maxBandErr.toFixed(4)} step`,
    );
    expect(clocks.length).toBeGreaterThan(500);
    expect(r.missing).toBe(0);
    // Up to 25 us early (compression window), 1 us either side for rounding and the 2 us grid.
    expect(r.earliestUs).toBeGreaterThan(-26);
    expect(r.latestUs).toBeLessThan(1);
    expect(r.maxBandErr).toBeLessThan(0.02);
    // Ends on the nominal filament position (advance is zero at rest).
    const eEnd = batch.th.getPosition()[3]!;
    expect(r.finalSteps).toBe(Math.round(eEnd / E_STEP_MM));
  });

  it('advance really moves the extruder ahead and back (reversals on deceleration)', () => {
    const { dirs } = batch.eSink.decode();
    let changes = 0;
    for (let i = 1; i < dirs.length; i++) if (dirs[i] !== dirs[i - 1]) changes++;
    // Without advance only the retract/unretract turn the motor: 2 changes.
    expect(changes).toBeGreaterThan(2);
  });

  it('streaming in 50 ms slices gives the same steps as batch', () => {
    const live = run(true);
    const a = batch.eSink.decode();
    const b = live.eSink.decode();
    expect(b.clocks.length).toBe(a.clocks.length);
    expect(live.e.mcuPositionSteps).toBe(batch.e.mcuPositionSteps);
    let maxDiff = 0;
    for (let i = 0; i < a.clocks.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.clocks[i]! - b.clocks[i]!));
    // Run boundaries differ, so each step may land anywhere in its 25 us compression window.
    expect(maxDiff).toBeLessThanOrEqual(25e-6 * CLOCK_HZ * 2);
  });
});

describe('changing pressure advance between moves', () => {
  it('flushes, switches the rail and keeps every step (on, changed, off again)', () => {
    const eSink = new RecordingStepSink();
    const sinks = [new CountingStepSink(), new CountingStepSink(), new CountingStepSink(), eSink];
    const p = makePrinter(sinks);
    const th = p.toolhead;
    const e = p.steppers[3]!;
    th.setPosition([50, 50, 0.2, 0], 'xyz');
    drive(th);
    p.extruder.setPressureAdvance(e, 0.08, 0.03, th);
    expect(th.kinFlushDelayS()).toBeCloseTo(0.015, 12);
    drive(th);
    p.extruder.setPressureAdvance(e, 0, 0.03, th);
    expect(th.kinFlushDelayS()).toBe(0);
    drive(th);
    th.flushStepGeneration();
    const { dirs } = eSink.decode();
    const net = dirs.reduce<number>((a, d) => a + (d ? 1 : -1), 0);
    expect(net).toBe(e.mcuPositionSteps);
    expect(net).toBe(Math.round(th.getPosition()[3]! / E_STEP_MM));
  });
});
