// Motion core throughput: the 200k-move benchmark G-code (gen_gcode.py, or synthetic zig-zag
// moves without python3) through toolhead + lookahead + 4 steppers + step compression into
// counting sinks. Prints wall/CPU time, steps, steps/s, queue_step count and steps per message.
// Run: npx tsx test/bench/motion-core.bench.ts [moves]

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CountingStepSink } from '../../src-main/host/motion/index.js';
import { referenceDir, testOutputDir } from '../support/paths.js';
import { hasTool } from '../support/tools.js';
import { driveGcode, makeBenchPrinter, BENCH_STEPPERS } from '../unit/motion/bench-printer.js';

const moves = Number(process.argv[2] ?? 200000);

function benchGcode(): { text: string; source: string } {
  if (hasTool('python3')) {
    mkdirSync(testOutputDir, { recursive: true });
    const file = path.join(testOutputDir, `motion-bench-${moves}.gcode`);
    execFileSync('python3', [path.join(referenceDir, 'bench/gen_gcode.py'), String(moves), file], { stdio: 'ignore' });
    return { text: readFileSync(file, 'utf8'), source: `gen_gcode.py ${moves}` };
  }
  // Synthetic: zig-zag infill lines with extrusion, one layer change every 40 lines.
  const lines = ['SET_KINEMATIC_POSITION X=0 Y=0 Z=0.5', 'G90', 'M83'];
  for (let i = 0; i < moves; i++) {
    if (i % 40 === 0) lines.push(`G1 Z${(0.2 * (1 + i / 40)).toFixed(3)} F600`);
    const y = 85 + (i % 40) * 0.75;
    lines.push(`G1 X${i % 2 ? 85 : 115} Y${y.toFixed(3)} E1.2 F4800`);
  }
  return { text: lines.join('\n') + '\n', source: `synthetic zig-zag ${moves}` };
}

const { text, source } = benchGcode();
const sinks = BENCH_STEPPERS.map(() => new CountingStepSink());
const printer = makeBenchPrinter(sinks);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const queued = driveGcode(printer.toolhead, text);
const wallS = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const steps = sinks.reduce((a, s) => a + s.steps, 0);
const queueSteps = sinks.reduce((a, s) => a + s.queueSteps, 0);
console.log(`motion core: ${source} (${queued} moves, ${printer.toolhead.printTimeS.toFixed(1)} s of print time)`);
console.log(`  wall ${wallS.toFixed(3)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(3)} s (includes the tiny G1 reader)`);
console.log(`  steps ${steps} (${BENCH_STEPPERS.map((n, i) => `${n} ${sinks[i]!.steps}`).join(', ')})`);
console.log(`  ${(steps / wallS / 1e6).toFixed(1)} M steps/s`);
console.log(`  queue_step ${queueSteps}, ${(steps / queueSteps).toFixed(1)} steps per queue_step`);
console.log(`  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
