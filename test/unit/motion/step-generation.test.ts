// Step times from the trapq: every crossing of a half-step boundary, at the exact time.

import { describe, expect, it } from 'vitest';
import {
  CartesianKinematics,
  CoreXYKinematics,
  ExtruderMotion,
  MotionStepper,
  RecordingStepSink,
  Toolhead,
  TrapQ,
} from '../../../src-main/host/motion/index.js';

const FREQ = 16e6;
const STEP = 0.0125;

function exactStepper(sink: RecordingStepSink, invertDir = false): MotionStepper {
  // maxErrorS 0: every replayed step is the exact (rounded) step time
  return new MotionStepper({ name: 'stepper_x', stepDistMm: STEP, clockFreqHz: FREQ, sink, maxErrorS: 0, invertDir });
}

describe('step generation', () => {
  it('a constant-velocity move gives exactly distance/step_dist steps at the expected times', () => {
    const tq = new TrapQ();
    const sink = new RecordingStepSink();
    const s = exactStepper(sink);
    s.setLinearKinematics(tq, 1, 0, 0);
    s.setPosition(0, 0, 0);
    // 10 mm at 20 mm/s starting at print time 1 s, already at speed
    tq.append(1, 0, 0.5, 0, 0, 0, 0, 1, 0, 0, 20, 20, 0);
    s.generateSteps(10);
    s.flushSteps(Infinity);
    const { clocks, dirs } = sink.decode();
    expect(clocks.length).toBe(800);
    for (let k = 0; k < 800; k++) {
      const t = 1 + ((k + 0.5) * STEP) / 20; // half-step crossing
      expect(clocks[k]).toBe(Math.floor(t * FREQ + 0.5));
    }
    expect(new Set(dirs)).toEqual(new Set([1]));
    expect(s.mcuPositionSteps).toBe(800);
    expect(s.commandedPositionMm).toBeCloseTo(10, 12);
  });

  it('setClockMapping rescales the 25 us window to the MCU frequency', () => {
    const tq = new TrapQ();
    const sink = new RecordingStepSink();
    // Built before the MCU frequency is known (as printer objects do), then mapped.
    const s = new MotionStepper({ name: 'stepper_x', stepDistMm: STEP, clockFreqHz: 1, sink });
    s.setClockMapping(FREQ, 0);
    s.setLinearKinematics(tq, 1, 0, 0);
    s.setPosition(0, 0, 0);
    tq.append(0, 0, 0.5, 0, 0, 0, 0, 1, 0, 0, 20.0003, 20.0003, 0);
    s.generateSteps(10);
    s.flushSteps(Infinity);
    expect(sink.decode().clocks.length).toBe(800);
    // 800 evenly spaced steps of a fractional interval: a few runs, not one per step
    expect(sink.messages.length).toBeLessThan(10);
  });

  it('accelerating from rest follows x = a t^2 / 2', () => {
    const tq = new TrapQ();
    const sink = new RecordingStepSink();
    const s = exactStepper(sink);
    s.setLinearKinematics(tq, 1, 0, 0);
    s.setPosition(0, 0, 0);
    tq.append(0.5, 0.1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 100, 1000); // 0 -> 100 mm/s over 5 mm
    s.generateSteps(1);
    s.flushSteps(Infinity);
    const { clocks } = sink.decode();
    expect(clocks.length).toBe(400);
    for (const k of [0, 1, 57, 399]) {
      const t = 0.5 + Math.sqrt((2 * (k + 0.5) * STEP) / 1000);
      expect(clocks[k]).toBe(Math.floor(t * FREQ + 0.5));
    }
  });

  it('a direction change sends set_next_step_dir and counts back; dir_pin inversion flips the level', () => {
    for (const invert of [false, true]) {
      const tq = new TrapQ();
      const sink = new RecordingStepSink();
      const s = exactStepper(sink, invert);
      s.setLinearKinematics(tq, 1, 0, 0);
      s.setPosition(0, 0, 0);
      tq.append(0, 0, 0.1, 0, 0, 0, 0, 1, 0, 0, 10, 10, 0); // +1 mm
      tq.append(0.2, 0, 0.1, 0, 1, 0, 0, -1, 0, 0, 10, 10, 0); // -1 mm, 0.1 s later
      s.generateSteps(1);
      s.flushSteps(Infinity);
      const dirMsgs = sink.messages.filter((m) => 'dir' in m);
      const up = invert ? 0 : 1;
      expect(dirMsgs).toEqual([{ dir: up }, { dir: 1 - up }]);
      const { dirs } = sink.decode();
      expect(dirs.length).toBe(160);
      expect(dirs.filter((d) => d === up).length).toBe(80);
      expect(s.mcuPositionSteps).toBe(0);
    }
  });

  it('a boundary touched and left within 750 us makes no step', () => {
    const tq = new TrapQ();
    const sink = new RecordingStepSink();
    const s = exactStepper(sink);
    s.setLinearKinematics(tq, 1, 0, 0);
    s.setPosition(0, 0, 0);
    // go just past the first half step (0.00625) by 1 um at 1 mm/s, then back: 2 ms above it
    tq.append(0, 0, 0.00725, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0);
    tq.append(0.00725, 0, 0.00725, 0, 0.00725, 0, 0, -1, 0, 0, 1, 1, 0);
    s.generateSteps(1);
    s.flushSteps(Infinity);
    expect(sink.decode().clocks.length).toBe(2); // 2 ms > 750 us: a real step and back

    const tq2 = new TrapQ();
    const sink2 = new RecordingStepSink();
    const s2 = exactStepper(sink2);
    s2.setLinearKinematics(tq2, 1, 0, 0);
    s2.setPosition(0, 0, 0);
    // 0.1 um past the boundary: 0.2 ms above it -> filtered
    tq2.append(0, 0, 0.00635, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0);
    tq2.append(0.00635, 0, 0.00635, 0, 0.00635, 0, 0, -1, 0, 0, 1, 1, 0);
    s2.generateSteps(1);
    s2.flushSteps(Infinity);
    expect(sink2.decode().clocks.length).toBe(0);
    expect(s2.mcuPositionSteps).toBe(0);
  });

  it('delta towers step where the carriage height crosses half steps', () => {
    const tq = new TrapQ();
    const sink = new RecordingStepSink();
    const s = new MotionStepper({ name: 'stepper_a', stepDistMm: 0.01, clockFreqHz: FREQ, sink, maxErrorS: 0 });
    const arm = 217;
    s.setDeltaKinematics(tq, -85.7, -49.5, arm);
    s.setPosition(0, 0, 10);
    // a straight X move from -40 to +40 at 50 mm/s: the carriage rises then falls
    s.setPosition(-40, 0, 10);
    tq.append(0, 0, 1.6, 0, -40, 0, 10, 1, 0, 0, 50, 50, 0);
    s.generateSteps(2);
    s.flushSteps(Infinity);
    const { clocks, dirs } = sink.decode();
    const h = (x: number): number => 10 + Math.sqrt(arm * arm - (x + 85.7) ** 2 - 49.5 ** 2);
    // net steps = height change / step (rounded to whole steps from the start position)
    const net = dirs.reduce<number>((a, d) => a + (d ? 1 : -1), 0);
    expect(net).toBe(Math.round((h(40) - h(-40)) / 0.01));
    // every step time: the carriage is on a half-step boundary then
    const h0 = h(-40);
    let pos = 0;
    for (let i = 0; i < clocks.length; i++) {
      const t = clocks[i]! / FREQ;
      const boundary = h0 + (pos + (dirs[i] ? 0.5 : -0.5)) * 0.01;
      expect(h(-40 + 50 * t)).toBeCloseTo(boundary, 4);
      pos += dirs[i] ? 1 : -1;
    }
  });
});

describe('toolhead', () => {
  function printer() {
    const sinks = [0, 1, 2, 3].map(() => new RecordingStepSink());
    const mk = (name: string, sink: RecordingStepSink, step = STEP) =>
      new MotionStepper({ name, stepDistMm: step, clockFreqHz: FREQ, sink });
    const sx = mk('stepper_x', sinks[0]!);
    const kin = new CartesianKinematics({
      rails: [
        { axis: 'x', steppers: [sx], positionMinMm: 0, positionMaxMm: 200 },
        { axis: 'y', steppers: [mk('stepper_y', sinks[1]!)], positionMinMm: 0, positionMaxMm: 200 },
        { axis: 'z', steppers: [mk('stepper_z', sinks[2]!, 0.0025)], positionMinMm: 0, positionMaxMm: 200 },
      ],
      maxZVelocityMmS: 25,
      maxZAccelMmS2: 100,
    });
    const toolhead = new Toolhead({ kinematics: kin, maxVelocityMmS: 300, maxAccelMmS2: 3000 });
    const extruder = new ExtruderMotion(
      { stepper: mk('extruder', sinks[3]!, 33.5 / 3200), nozzleDiameterMm: 0.4, filamentDiameterMm: 1.75 },
      { maxVelocityMmS: 300, maxAccelMmS2: 3000 },
    );
    toolhead.setExtruder(extruder);
    return { toolhead, sinks, extruder };
  }

  it('starts the first move 0.25 s after "now" and places moves back to back', () => {
    const { toolhead, sinks } = printer();
    toolhead.setPosition([0, 0, 0, 0], 'xyz');
    toolhead.move([100, 0, 0, 0], 100);
    toolhead.flushStepGeneration();
    // 0 -> 100 mm/s at 3000 mm/s^2: 1/30 s over 5/3 mm each way, 96.67 mm cruise; after 0.25 s
    const moveS = 2 / 30 + (100 - 10 / 3) / 100;
    expect(toolhead.printTimeS).toBeCloseTo(0.25 + moveS, 9);
    const { clocks } = sinks[0]!.decode();
    expect(clocks.length).toBe(8000);
    expect(clocks[0]! / FREQ).toBeCloseTo(0.25 + Math.sqrt((2 * 0.5 * STEP) / 3000), 5);
    toolhead.dwell(0.5);
    expect(toolhead.printTimeS).toBeCloseTo(0.75 + moveS, 9);
    expect(toolhead.getLastMoveTime()).toBeCloseTo(0.75 + moveS, 9);
  });

  it('FORCE_MOVE moves one stepper alone and keeps the toolhead position', () => {
    const { toolhead, sinks } = printer();
    toolhead.setPosition([10, 10, 0, 0], 'xyz');
    const sx = toolhead.kinematics.steppers[0]!;
    const before = toolhead.printTimeS;
    toolhead.forceMoveStepper(sx, -2, 5, 100);
    const { dirs } = sinks[0]!.decode();
    expect(dirs.length).toBe(160);
    expect(sx.mcuPositionSteps).toBe(-160);
    // 2 mm at 5 mm/s with 100 mm/s^2: 0.05 s up, 0.35 s cruise, 0.05 s down
    expect(toolhead.printTimeS - Math.max(before, 0.25)).toBeCloseTo(0.45, 9);
    expect(toolhead.getPosition()).toEqual([10, 10, 0, 0]);
    // The next kinematic move steps from the kinematic position, as Klipper does.
    toolhead.move([11, 10, 0, 0], 10);
    toolhead.flushStepGeneration();
    expect(sx.mcuPositionSteps).toBe(-160 + 80);
  });

  it('reports when a stepper first moves (for stepper_enable)', () => {
    const { toolhead } = printer();
    toolhead.setPosition([0, 0, 0, 0], 'xyz');
    const [sx, sy] = toolhead.kinematics.steppers;
    const active: string[] = [];
    sx!.armActiveCallback((t) => active.push(`x@${t.toFixed(4)}`));
    sy!.armActiveCallback((t) => active.push(`y@${t.toFixed(4)}`));
    toolhead.move([10, 0, 0, 0], 100);
    toolhead.move([10, 10, 0, 0], 100);
    toolhead.flushStepGeneration();
    expect(active[0]).toBe('x@0.2500');
    expect(active).toHaveLength(2);
    expect(Number(active[1]!.slice(2))).toBeGreaterThan(0.25);
  });

  it('extrude-only moves (retract, prime) step the extruder alone at its own limits', () => {
    const { toolhead, sinks, extruder } = printer();
    toolhead.setPosition([10, 10, 0, 0], 'xyz');
    const t0 = toolhead.getLastMoveTime();
    toolhead.move([10, 10, 0, -1], 35);
    toolhead.move([10, 10, 0, 0], 35);
    toolhead.flushStepGeneration();
    const { dirs } = sinks[3]!.decode();
    const stepsPerMm = 3200 / 33.5;
    expect(dirs.length).toBe(2 * Math.round(stepsPerMm));
    expect(dirs.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(dirs.at(-1)).toBe(1);
    expect(sinks[0]!.decode().clocks.length).toBe(0);
    // each 1 mm move: accel limited to max_extrude_only_accel, speed 35 mm/s
    const a = extruder.maxEAccelMmS2;
    const v = Math.min(35, Math.sqrt(1 * a));
    const moveS = v / a + (1 - (v * v) / a) / v + v / a;
    expect(toolhead.printTimeS - t0).toBeCloseTo(2 * moveS, 9);
  });

  it('corexy: an X move turns both motors the same way, a Y move opposite ways', () => {
    const sinks = [0, 1, 2].map(() => new RecordingStepSink());
    const mk = (name: string, sink: RecordingStepSink) => new MotionStepper({ name, stepDistMm: STEP, clockFreqHz: FREQ, sink });
    const kin = new CoreXYKinematics({
      rails: (['x', 'y', 'z'] as const).map((axis, i) => ({
        axis,
        steppers: [mk(`stepper_${axis}`, sinks[i]!)],
        positionMinMm: 0,
        positionMaxMm: 200,
      })),
    });
    const th = new Toolhead({ kinematics: kin, maxVelocityMmS: 300, maxAccelMmS2: 3000 });
    th.setPosition([50, 50, 0, 0], 'xyz');
    th.move([60, 50, 0, 0], 100);
    th.move([60, 55, 0, 0], 100);
    th.flushStepGeneration();
    const a = sinks[0]!.decode().dirs;
    const b = sinks[1]!.decode().dirs;
    // X +10: A and B +800; Y +5: A +400, B -400
    expect(a.filter((d) => d === 1).length).toBe(1200);
    expect(b.filter((d) => d === 1).length).toBe(800);
    expect(b.filter((d) => d === 0).length).toBe(400);
    const [x, y] = kin.calcPosition();
    expect(x).toBeCloseTo(60, 9);
    expect(y).toBeCloseTo(55, 9);
  });

  it('applies the extruder limits', () => {
    const { toolhead, extruder } = printer();
    toolhead.setPosition([10, 10, 0, 0], 'xyz');
    // extrude-only: limited to max_extrude_only_velocity (default max_velocity * max ratio)
    expect(() => toolhead.move([10, 10, 0, 60], 100)).toThrow(/^Extrude only move too long \(60.000mm vs 50.000mm\)/);
    expect(() => toolhead.move([11, 10, 0, 1], 100)).toThrow(/^Move exceeds maximum extrusion \(2.405mm\^2 vs 0.640mm\^2\)/);
    expect(extruder.maxExtrudeRatio).toBeCloseTo(0.64 / (Math.PI * 0.875 ** 2), 12);
    expect(() => toolhead.move([10, 10, 0, 0], 10)).not.toThrow();
    toolhead.setExtruder(null);
    expect(() => toolhead.move([10, 10, 0, 1], 10)).toThrow(/^Extrude when no extruder present/);
  });

  it('SET_VELOCITY_LIMIT changes later moves', () => {
    const { toolhead } = printer();
    toolhead.setPosition([0, 0, 0, 0], 'xyz');
    toolhead.setVelocityLimit({ maxVelocityMmS: 50, maxAccelMmS2: 500 });
    expect(toolhead.getVelocityLimits()).toEqual({
      maxVelocityMmS: 50,
      maxAccelMmS2: 500,
      squareCornerVelocityMmS: 5,
      minimumCruiseRatio: 0.5,
    });
    const t0 = toolhead.getLastMoveTime();
    toolhead.move([100, 0, 0, 0], 100);
    toolhead.waitMoves();
    // 0 -> 50 mm/s at 500: 0.1 s and 2.5 mm each way, 95 mm at 50 mm/s
    expect(toolhead.printTimeS - t0).toBeCloseTo(0.2 + 95 / 50, 9);
    expect(() => toolhead.setVelocityLimit({ maxAccelMmS2: Number.NaN })).toThrow(/SET_VELOCITY_LIMIT: ACCEL must be above 0/);
    expect(() => toolhead.setVelocityLimit({ minimumCruiseRatio: 1 })).toThrow(/MINIMUM_CRUISE_RATIO/);
    expect(toolhead.getVelocityLimits().maxAccelMmS2).toBe(500);
  });
});
