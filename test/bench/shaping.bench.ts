// Step generation cost of pressure advance and input shaping, in one process on the same G-code
// (gen_gcode.py, default 20000 moves) and the bench-cartesian printer: plain, pressure advance
// (0.05 s, smooth 0.04 s), input shaping (mzv 50 Hz X / 45 Hz Y), both. Prints CPU time, steps
// and the ratio to the plain run (plain is run first and last; the faster counts).
// Run: npx tsx test/bench/shaping.bench.ts [moves]

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CountingStepSink, ShapedLinearRail, shaperPulses } from '../../src-main/host/motion/index.js';
import { referenceDir, testOutputDir } from '../support/paths.js';
import { driveGcode, makeBenchPrinter, BENCH_STEPPERS } from '../unit/motion/bench-printer.js';

const moves = Number(process.argv[2] ?? 20000);
mkdirSync(testOutputDir, { recursive: true });
const file = path.join(testOutputDir, `shaping-bench-${moves}.gcode`);
execFileSync('python3', [path.join(referenceDir, 'bench/gen_gcode.py'), String(moves), file], { stdio: 'ignore' });
const text = readFileSync(file, 'utf8');

function run(pa: boolean, is: boolean): { cpuS: number; steps: number[]; queueSteps: number } {
  const sinks = BENCH_STEPPERS.map(() => new CountingStepSink());
  const p = makeBenchPrinter(sinks);
  const th = p.toolhead;
  if (pa) th.getExtruder()!.setPressureAdvance(p.steppers[3]!, 0.05, 0.04, th);
  if (is) {
    const px = shaperPulses('mzv', 50, 0.1);
    const py = shaperPulses('mzv', 45, 0.1);
    for (const s of p.steppers.slice(0, 2)) {
      const [cx, cy, cz] = s.linearCoefficients()!;
      th.setStepperRailFunction(s, new ShapedLinearRail(th.trapq, cx, cy, cz, px, py));
    }
  }
  const c0 = process.cpuUsage();
  driveGcode(th, text);
  const c = process.cpuUsage(c0);
  return { cpuS: (c.user + c.system) / 1e6, steps: sinks.map((s) => s.steps), queueSteps: sinks.reduce((a, s) => a + s.queueSteps, 0) };
}

const plainA = run(false, false);
const results: [string, ReturnType<typeof run>][] = [
  ['pressure advance', run(true, false)],
  ['input shaping', run(false, true)],
  ['both', run(true, true)],
];
const plainB = run(false, false);
const plain = plainA.cpuS < plainB.cpuS ? plainA : plainB;
console.log(`shaping bench: gen_gcode.py ${moves}, bench-cartesian printer (CPU time of planning + step generation + compression)`);
const line = (name: string, r: ReturnType<typeof run>): void =>
  console.log(
    `  ${name.padEnd(17)} CPU ${r.cpuS.toFixed(3)} s  x${(r.cpuS / plain.cpuS).toFixed(2)}  steps ${r.steps.join('/')}  queue_step ${r.queueSteps}`,
  );
line('plain', plain);
for (const [n, r] of results) line(n, r);
