// Step generation cost of the numerical (root-finding) rails: a linear delta (arm 333, radius
// 174.75, 80 steps/mm towers) printing gen_gcode.py's part (default 20000 moves) moved to the bed
// centre. Prints CPU time of planning + step generation + compression, and steps per tower, best
// of three runs. Run: npx tsx test/bench/kinematics-delta.bench.ts [moves]

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CountingStepSink,
  DeltaKinematics,
  ExtruderMotion,
  MotionStepper,
  Toolhead,
  stepDistanceMm,
} from '../../src-main/host/motion/index.js';
import { referenceDir, testOutputDir } from '../support/paths.js';
import { driveGcode } from '../unit/motion/bench-printer.js';

const moves = Number(process.argv[2] ?? 20000);
mkdirSync(testOutputDir, { recursive: true });
const file = path.join(testOutputDir, `kinematics-delta-bench-${moves}.gcode`);
execFileSync('python3', [path.join(referenceDir, 'bench/gen_gcode.py'), String(moves), file], { stdio: 'ignore' });
const text = readFileSync(file, 'utf8');

/** gen_gcode.py prints around X100 Y100; a delta's bed centre is 0, 0. */
const SHIFT_MM = 100;

function run(): { cpuS: number; steps: number[]; queueSteps: number } {
  const sinks = [0, 1, 2].map(() => new CountingStepSink());
  const steppers = ['a', 'b', 'c'].map(
    (t, i) =>
      new MotionStepper({
        name: `stepper_${t}`,
        stepDistMm: stepDistanceMm({ rotationDistanceMm: 40, microsteps: 16 }),
        clockFreqHz: 16e6,
        sink: sinks[i]!,
      }),
  );
  const kin = new DeltaKinematics({
    towers: [0, 1, 2].map((i) => ({ steppers: [steppers[i]!], armLengthMm: 333, positionEndstopMm: 297.05 })) as never,
    radiusMm: 174.75,
    maxVelocityMmS: 300,
    maxAccelMmS2: 3000,
  });
  const th = new Toolhead({ kinematics: kin, maxVelocityMmS: 300, maxAccelMmS2: 3000 });
  const e = new MotionStepper({
    name: 'extruder',
    stepDistMm: stepDistanceMm({ rotationDistanceMm: 33.5, microsteps: 16 }),
    clockFreqHz: 16e6,
    sink: new CountingStepSink(),
  });
  th.setExtruder(
    new ExtruderMotion({ stepper: e, nozzleDiameterMm: 0.4, filamentDiameterMm: 1.75 }, { maxVelocityMmS: 300, maxAccelMmS2: 3000 }),
  );
  const shifted = (p: ArrayLike<number>) => {
    const q = Array.from(p);
    q[0]! -= SHIFT_MM;
    q[1]! -= SHIFT_MM;
    return q;
  };
  // driveGcode's view of the toolhead, in the G-code's coordinates.
  const view = {
    getPosition: () => {
      const p = Array.from(th.getPosition());
      p[0]! += SHIFT_MM;
      p[1]! += SHIFT_MM;
      return p;
    },
    move: (p: ArrayLike<number>, v: number) => th.move(shifted(p), v),
    setPosition: (p: ArrayLike<number>, axes?: string) => th.setPosition(shifted(p), axes),
    flushStepGeneration: () => th.flushStepGeneration(),
  };
  const c0 = process.cpuUsage();
  driveGcode(view as unknown as Toolhead, text);
  const c = process.cpuUsage(c0);
  return { cpuS: (c.user + c.system) / 1e6, steps: sinks.map((s) => s.steps), queueSteps: sinks.reduce((a, s) => a + s.queueSteps, 0) };
}

const runs = [run(), run(), run()];
const best = runs.reduce((a, r) => (r.cpuS < a.cpuS ? r : a));
console.log(`delta step generation: gen_gcode.py ${moves} moved to the centre, arm 333 radius 174.75, 80 steps/mm`);
console.log(
  `  CPU ${best.cpuS.toFixed(3)} s (best of ${runs.map((r) => r.cpuS.toFixed(3)).join(', ')})  steps ${best.steps.join('/')}  queue_step ${best.queueSteps}`,
);
console.log(`  ${(best.steps.reduce((a, b) => a + b, 0) / best.cpuS / 1e6).toFixed(2)} M steps/CPU s`);
