// The bench-cartesian.cfg printer built straight from motion objects (no config reader), and a
// tiny G-code driver for the subset gen_gcode.py writes (G1, G90, M83, G92 E, SET_KINEMATIC_POSITION).
// Shared by the motion tests and test/bench/motion-core.bench.ts.

import {
  CartesianKinematics,
  ExtruderMotion,
  MotionStepper,
  Toolhead,
  stepDistanceMm,
  type StepSink,
} from '../../../src-main/host/motion/index.js';

export const BENCH_STEPPERS = ['stepper_x', 'stepper_y', 'stepper_z', 'extruder'] as const;

export interface BenchPrinter {
  toolhead: Toolhead;
  steppers: MotionStepper[];
}

/** bench-cartesian.cfg: 80 steps/mm X/Y, 400 Z, 3000 mm/s^2, 300 mm/s; dir inversions as there. */
export function makeBenchPrinter(sinks: StepSink[], klipperBatchPrimingFlush = true): BenchPrinter {
  const mk = (name: string, rd: number, inv: boolean, sink: StepSink): MotionStepper =>
    new MotionStepper({
      name,
      stepDistMm: stepDistanceMm({ rotationDistanceMm: rd, microsteps: 16 }),
      invertDir: inv,
      clockFreqHz: 16e6,
      sink,
    });
  const sx = mk('stepper_x', 40, false, sinks[0]!);
  const sy = mk('stepper_y', 40, true, sinks[1]!);
  const sz = mk('stepper_z', 8, false, sinks[2]!);
  const se = mk('extruder', 33.5, false, sinks[3]!);
  const kin = new CartesianKinematics({
    rails: [
      { axis: 'x', steppers: [sx], positionMinMm: 0, positionMaxMm: 200 },
      { axis: 'y', steppers: [sy], positionMinMm: 0, positionMaxMm: 200 },
      { axis: 'z', steppers: [sz], positionMinMm: 0, positionMaxMm: 200 },
    ],
    maxZVelocityMmS: 25,
    maxZAccelMmS2: 100,
  });
  const toolhead = new Toolhead({ kinematics: kin, maxVelocityMmS: 300, maxAccelMmS2: 3000, klipperBatchPrimingFlush });
  const extruder = new ExtruderMotion({ stepper: se, nozzleDiameterMm: 0.4, filamentDiameterMm: 1.75 }, {
    maxVelocityMmS: 300,
    maxAccelMmS2: 3000,
  });
  toolhead.setExtruder(extruder);
  return { toolhead, steppers: [sx, sy, sz, se] };
}

/** Feed gen_gcode.py output (absolute XYZ, relative E) to the toolhead; returns moves queued. */
export function driveGcode(toolhead: Toolhead, text: string): number {
  const pos = toolhead.getPosition();
  let speedMmS = 25;
  let moves = 0;
  let lineStart = 0;
  const n = text.length;
  while (lineStart < n) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = n;
    if (text.charCodeAt(lineStart) === 71 /* G */ && text.charCodeAt(lineStart + 1) === 49 && text.charCodeAt(lineStart + 2) === 32) {
      // G1 words: X Y Z E F followed by a number
      let i = lineStart + 3;
      let e = 0;
      while (i < lineEnd) {
        const c = text.charCodeAt(i);
        if (c === 32) {
          i++;
          continue;
        }
        let j = i + 1;
        while (j < lineEnd && text.charCodeAt(j) !== 32) j++;
        const v = Number(text.slice(i + 1, j));
        if (c === 88) pos[0] = v;
        else if (c === 89) pos[1] = v;
        else if (c === 90) pos[2] = v;
        else if (c === 69) e = v;
        else if (c === 70) speedMmS = v / 60;
        i = j;
      }
      pos[3] += e;
      toolhead.move(pos, speedMmS);
      moves++;
    } else if (text.startsWith('SET_KINEMATIC_POSITION', lineStart)) {
      const line = text.slice(lineStart, lineEnd);
      for (const m of line.matchAll(/([XYZ])=([-\d.]+)/g)) pos['XYZ'.indexOf(m[1]!)] = Number(m[2]);
      toolhead.setPosition(pos, 'xyz');
    }
    lineStart = lineEnd + 1;
  }
  toolhead.flushStepGeneration();
  return moves;
}
