// Host speed: batch mode on the 200k-move benchmark (bench-cartesian.cfg + gen_gcode.py 200000 +
// atmega2560.dict), the same run Klipper takes 11.35 s for on these machines.
// Run: npm run bench:host   (options: --moves N, --profile to write a .cpuprofile)
// The batch runs in a child process so wall time, CPU time and peak RSS are its own.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBatch } from '../../src-main/host/batch';
import { referenceDir, testOutputDir } from '../support/paths';

const KLIPPER_WALL_S = 11.35;
const KLIPPER_CPU_S = 14.3;
const GOAL_WALL_S = 3.8;
const GOAL_RSS_MB = 150;
const GOAL_STEPS_PER_QUEUE_STEP = 65;

const dictPath = path.join(referenceDir, 'klipper-dicts/atmega2560.dict');
const cfgPath = path.join(referenceDir, 'bench/bench-cartesian.cfg');

async function child(gcode: string, out: string): Promise<void> {
  // Also timed from inside, after the modules are loaded: a dev run loads TypeScript through tsx,
  // which the built CLI (out/main/cli.js) does not pay.
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await runBatch({ configPath: cfgPath, inputPath: gcode, outputPath: out, dictPath });
  const inWallS = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const u = process.resourceUsage();
  const cpuS = (u.userCPUTime + u.systemCPUTime) / 1e6;
  process.stdout.write(JSON.stringify({ ...r, cpuS, inWallS, inCpuS: (c.user + c.system) / 1e6, maxRssMb: u.maxRSS / 1024 }) + '\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1], args[2]);
  const movesArg = args.indexOf('--moves');
  const moves = movesArg >= 0 ? Number(args[movesArg + 1]) : 200000;
  const profile = args.includes('--profile');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-bench-'));
  try {
    const gcode = path.join(dir, `bench-${moves}.gcode`);
    execFileSync('python3', [path.join(referenceDir, 'bench/gen_gcode.py'), String(moves), gcode], { stdio: 'ignore' });
    const out = path.join(dir, 'out.serial');
    const profDir = path.join(testOutputDir, 'profiles');
    const nodeArgs = [
      ...process.execArgv,
      ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
      fileURLToPath(import.meta.url),
      '--child',
      gcode,
      out,
    ];
    const t0 = performance.now();
    const run = spawnSync(process.execPath, nodeArgs, { encoding: 'utf8', maxBuffer: 1 << 24 });
    const wallS = (performance.now() - t0) / 1000;
    if (run.status !== 0) {
      process.stderr.write(run.stderr);
      throw new Error(`batch run failed (exit ${run.status})`);
    }
    const r = JSON.parse(run.stdout.trim().split('\n').pop() as string);
    const outputBytes = fs.statSync(out).size;
    const f = (v: number, d = 2) => v.toFixed(d);
    const lines = [
      `host batch benchmark: ${moves} moves (${r.lines} lines), bench-cartesian.cfg, atmega2560.dict`,
      `wall            ${f(wallS)} s   (Klipper ${KLIPPER_WALL_S} s; ratio ${f(KLIPPER_WALL_S / wallS)}x faster; goal <= ${GOAL_WALL_S} s: ${wallS <= GOAL_WALL_S ? 'met' : 'NOT met'})`,
      `cpu             ${f(r.cpuS)} s   (Klipper ${KLIPPER_CPU_S} s; ratio ${f(KLIPPER_CPU_S / r.cpuS)}x less)`,
      `batch only      ${f(r.inWallS)} s wall, ${f(r.inCpuS)} s cpu (after module loading)`,
      `load average    ${os
        .loadavg()
        .map((v) => v.toFixed(1))
        .join(' ')} on ${os.cpus().length} cores (wall is only comparable on an idle machine)`,
      `steps           ${r.steps}  (${r.steppers.map((s: { name: string; steps: number }) => `${s.name} ${s.steps}`).join(', ')})`,
      `queue_step      ${r.queueSteps}`,
      `steps/s         ${f(r.steps / wallS / 1e6)} M  (Klipper 6.8 M)`,
      `steps/queue_step ${f(r.steps / r.queueSteps, 1)}  (goal >= ${GOAL_STEPS_PER_QUEUE_STEP}: ${r.steps / r.queueSteps >= GOAL_STEPS_PER_QUEUE_STEP ? 'met' : 'NOT met'})`,
      `peak RSS        ${f(r.maxRssMb, 0)} MB  (goal <= ${GOAL_RSS_MB} MB: ${r.maxRssMb <= GOAL_RSS_MB ? 'met' : 'NOT met'})`,
      `output          ${f(outputBytes / 1e6)} MB  (Klipper 9.39 MB)`,
    ];
    if (profile) lines.push(`profile written to ${profDir}`);
    console.log(lines.join('\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
