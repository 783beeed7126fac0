// Step-rate benchmark on simulated silicon: Tether's AVR firmware (atmega2560, 16 MHz) in
// simavr-printer, which is cycle-exact. For 1 and for 3 steppers, queue 60,000 steps per stepper
// at a fixed interval and bisect the smallest interval (in clock ticks = CPU cycles) that
// completes without a shutdown and with every step taken. Klipper's published (and reproduced)
// figures on the same chip: 102 ticks (1 stepper) and 486 ticks (3 steppers), measured as here
// with step_pulse_ticks=32 (2 us, the host's default pulse), which our firmware honours.
// The definition is Klipper's (docs/Benchmarks.md, "Step rate benchmark test"): every stepper
// starts at the same clock and steps every `ticks` (the figure printed), then one more step
// 3000 ticks later in the other direction; with 3 steppers the chip thus makes 3 steps per
// `ticks` (Klipper quotes 3 * freq / ticks steps per second).
// Run: npx tsx test/bench/avr-steps.bench.ts [mcu] [f_cpu]
import { avrDictionary, buildAvr, runScript } from '../tools/simavr-printer/harness';

const mcu = process.argv[2] ?? 'atmega2560';
const fCpu = Number(process.argv[3] ?? 16000000);
const STEPS = 60000;
const PULSE_TICKS = Number(process.env.AVR_BENCH_PULSE ?? 32);
const START_CLOCK = 1_000_000; // after the script has arrived (it takes ~0.2 M cycles)
const KLIPPER = { 1: 102, 3: 486 } as const;
const STEP_PINS = ['PA0', 'PA2', 'PA4'];
const DIR_PINS = ['PA1', 'PA3', 'PA5'];

const img = buildAvr(mcu, fCpu);
const dict = avrDictionary(img);

function completes(steppers: 1 | 3, interval: number): boolean {
  const lines = [`allocate_oids count=${steppers}`];
  for (let i = 0; i < steppers; i++)
    lines.push(`config_stepper oid=${i} step_pin=${STEP_PINS[i]} dir_pin=${DIR_PINS[i]} invert_step=0 step_pulse_ticks=${PULSE_TICKS}`);
  lines.push('finalize_config crc=0');
  for (let i = 0; i < steppers; i++) {
    lines.push(`reset_step_clock oid=${i} clock=${START_CLOCK}`);
    lines.push(`set_next_step_dir oid=${i} dir=0`);
    lines.push(`queue_step oid=${i} interval=${interval} count=${STEPS} add=0`);
    lines.push(`set_next_step_dir oid=${i} dir=1`);
    lines.push(`queue_step oid=${i} interval=3000 count=1 add=0`);
  }
  const run = runScript(img, dict, lines, {
    cycles: START_CLOCK + STEPS * interval + 3000 + 200_000,
    name: `bench-${steppers}-${interval}`,
  });
  const shutdown = run.responses.find((m) => m.format.name === 'shutdown' || m.format.name === 'is_shutdown');
  const allSteps = STEP_PINS.slice(0, steppers).every((p) => run.report.rises[p] === STEPS + 1);
  return !shutdown && allSteps;
}

function bisect(steppers: 1 | 3): number {
  let lo = 10; // fails
  let hi = 4000; // completes
  if (!completes(steppers, hi)) throw new Error(`${steppers} stepper(s): even ${hi} ticks per step fails`);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (completes(steppers, mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

console.log(
  `AVR step rate: ${mcu} at ${fCpu / 1e6} MHz on simavr (cycle-exact), ${STEPS} steps per stepper, step_pulse_ticks=${PULSE_TICKS}`,
);
for (const n of (process.env.AVR_BENCH_ONLY ? [Number(process.env.AVR_BENCH_ONLY)] : [1, 3]) as (1 | 3)[]) {
  const t0 = Date.now();
  const ticks = bisect(n);
  console.log(
    `  ${n} stepper${n > 1 ? 's' : ' '}: ${ticks} ticks per step interval (Klipper ${KLIPPER[n]}; ratio ${(ticks / KLIPPER[n]).toFixed(2)}; goal <= ${n === 1 ? 95 : 450})  [${((Date.now() - t0) / 1000).toFixed(0)} s]`,
  );
}
