// Benchmark: how many steps per second the simulated printer executes in real time.
// Drives tether-sim over its pty like a host: 4 steppers, queue_step runs of 64 steps (about
// what step compression produces), kept 150 ms ahead of the MCU clock, at rising rates until
// the sim falls behind (shutdown, or steps missing). Prints the summed step rate achieved and
// the timer lateness the sim measured. Goal: >= 200K steps/s summed on a 2-core machine.
// Run: npx tsx test/bench/sim-steps.bench.ts [seconds-per-rate]
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { repoRoot } from '../support/paths';
import { SimLink, startSim, stopSim } from '../firmware/sim-link';

const simPath = path.join(repoRoot, 'firmware/build/sim/tether-sim');
const FREQ = 50_000_000;
const STEPPERS = 4;
const STEPS_PER_MOVE = 64;
const seconds = Number(process.argv[2] ?? 3);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RunResult {
  summedRate: number;
  ok: boolean;
  executed: number;
  planned: number;
  shutdown: string | null;
  lateMaxUs: number;
  lateAvgUs: number;
  simCpuS: number;
}

async function runAt(summedRate: number): Promise<RunResult> {
  const sim = await startSim(simPath, []);
  let stderr = '';
  sim.proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const link = await SimLink.open(sim.pty);
  const { dict } = await link.identify();
  link.send('allocate_oids', { count: STEPPERS });
  for (let oid = 0; oid < STEPPERS; oid++) {
    // Two both-edge steppers (as ARM hosts configure them) and two with a step pulse.
    link.send('config_stepper', { oid, step_pin: 10 + 2 * oid, dir_pin: 11 + 2 * oid, invert_step: oid < 2 ? -1 : 0, step_pulse_ticks: 0 });
  }
  link.send('finalize_config', { crc: 1 });
  const c0 = (await link.query('get_clock', {}, 'clock')).params.clock as number;
  const t0 = performance.now();
  const mcuNow = () => c0 + ((performance.now() - t0) * FREQ) / 1000;
  const interval = Math.round((FREQ * STEPPERS) / summedRate);
  const stepsPerStepper = Math.floor((summedRate / STEPPERS) * seconds);
  const start = mcuNow() + 0.1 * FREQ;
  const queuedUntil: number[] = [];
  const sent: number[] = [];
  // End clocks of sent runs per stepper: at most 240 unfinished per stepper (move_count 1024).
  const pending: number[][] = [];
  for (let oid = 0; oid < STEPPERS; oid++) {
    link.sendBlock([
      ...link.encode('reset_step_clock', { oid, clock: Math.floor(start + oid * 7) >>> 0 }),
      ...link.encode('set_next_step_dir', { oid, dir: 1 }),
    ]);
    queuedUntil.push(start + oid * 7);
    sent.push(0);
    pending.push([]);
  }
  // Feed: keep every stepper queued 150 ms ahead (inside the 1024-entry move queue).
  while (sent.some((s) => s < stepsPerStepper)) {
    const now = mcuNow();
    const horizon = now + 0.15 * FREQ;
    let payload: number[] = [];
    for (let oid = 0; oid < STEPPERS; oid++) {
      while (pending[oid].length && pending[oid][0] < now) pending[oid].shift();
      while (sent[oid] < stepsPerStepper && queuedUntil[oid] < horizon && pending[oid].length < 240) {
        const count = Math.min(STEPS_PER_MOVE, stepsPerStepper - sent[oid]);
        const msg = link.encode('queue_step', { oid, interval, count, add: 0 });
        if (payload.length + msg.length > 59) {
          link.sendBlock(payload);
          payload = [];
        }
        payload.push(...msg);
        sent[oid] += count;
        queuedUntil[oid] += count * interval;
        pending[oid].push(queuedUntil[oid]);
      }
    }
    if (payload.length) link.sendBlock(payload);
    await sleep(10);
    if (link.received.some((m) => m.name === 'shutdown')) break;
  }
  const end = Math.max(...queuedUntil);
  while (mcuNow() < end + 0.1 * FREQ && !link.received.some((m) => m.name === 'shutdown')) await sleep(20);
  let executed = 0;
  const shutdownMsg = link.received.find((m) => m.name === 'shutdown');
  let shutdown: string | null = null;
  if (shutdownMsg) {
    const id = shutdownMsg.params.static_string_id as number;
    shutdown = Object.entries(dict.enumerations.static_string_id).find(([, v]) => v === id)?.[0] ?? `#${id}`;
  } else {
    for (let oid = 0; oid < STEPPERS; oid++) {
      executed += (await link.query('stepper_get_position', { oid }, 'stepper_position')).params.pos as number;
    }
  }
  let simCpuS = 0;
  try {
    const stat = execFileSync('cat', [`/proc/${sim.proc.pid}/stat`], { encoding: 'utf8' }).split(' ');
    simCpuS = (Number(stat[13]) + Number(stat[14])) / 100;
  } catch {
    /* not Linux */
  }
  await link.close();
  await stopSim(sim.proc);
  const timing = /"late_max_us":([\d.]+),"late_avg_us":([\d.]+)/.exec(stderr);
  const planned = stepsPerStepper * STEPPERS;
  return {
    summedRate,
    ok: !shutdown && executed === planned,
    executed,
    planned,
    shutdown,
    lateMaxUs: timing ? Number(timing[1]) : NaN,
    lateAvgUs: timing ? Number(timing[2]) : NaN,
    simCpuS,
  };
}

const rates = [200_000, 400_000, 800_000, 1_600_000, 3_200_000];
console.log(
  `load average before: ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
let best = 0;
console.log(`sim step rate, ${STEPPERS} steppers, ${STEPS_PER_MOVE} steps per queue_step, ${seconds} s per rate`);
for (const rate of rates) {
  const r = await runAt(rate);
  const status = r.ok ? 'ok' : r.shutdown ? `shutdown "${r.shutdown}"` : `missing steps (${r.executed}/${r.planned})`;
  console.log(
    `  ${(rate / 1000).toFixed(0).padStart(5)}K steps/s summed: ${status.padEnd(40)} timer lateness avg ${r.lateAvgUs.toFixed(1)} us, max ${r.lateMaxUs.toFixed(0)} us, sim CPU ${r.simCpuS.toFixed(2)} s`,
  );
  if (!r.ok) break;
  best = rate;
}
console.log(`achieved: ${(best / 1000).toFixed(0)}K steps/s summed over ${STEPPERS} steppers in real time (goal >= 200K)`);
if (best < 200_000) process.exitCode = 1;
