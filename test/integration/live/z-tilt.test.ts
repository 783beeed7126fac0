// [z_tilt] on the sim over a real pty: a dual-Z printer with a [probe] over a tilted bed (the
// sim's `tilt`). Z_TILT_ADJUST probes through the real [probe], and the sim's trace shows each
// Z motor moving by its own correction: stepper_z1 (over the high side) rises by the bed's height
// difference between the two pivots, stepper_z stays; a later G1 moves both together.
//
// The sim's probe reads stepper_z's height only (it does not model a gantry pivoting on two
// motors), so the bed it reports stays tilted after the correction: the test runs one round
// (retries 0) and checks the motors' moves, not a converged level (see the report / README).
//
// Tolerances: the sim moves its steppers and samples the switch at the nominal clock of each
// timer, so machine load shifts no position (a late timer is late in real time only). What is
// left is the step grid: a probe trigger is exact to a step or two (Z step 0.0025 mm) per point,
// and the fitted plane averages three points, so the correction is allowed 3 Z steps; the two
// motors' travel in the G1 afterwards must match to one step. The measured figures are logged.
import { describe, expect, it } from 'vitest';
import { startLivePrinter } from './live-printer';

const Z_STEP_MM = 8 / 3200;
/** The bed rises 0.004 mm per mm of X (zero at X0, where Z homes on the probe). */
const TILT = { x_stepper: 'stepper_x', y_stepper: 'stepper_y', dz_dx: 0.004, dz_dy: 0 };
/** The motors' pivots: stepper_z at X0, stepper_z1 at X200. */
const PIVOTS = [0, 200];

const Z1 = `
[stepper_z1]
step_pin: PC1
dir_pin: PC3
enable_pin: !PC7
microsteps: 16
rotation_distance: 8
`;

const tiltConfig = (cfg: string) =>
  cfg
    .replace('max_z_velocity: 5\nmax_z_accel: 100', 'max_z_velocity: 20\nmax_z_accel: 500')
    .replace(
      /endstop_pin: \^PD3\nposition_endstop: 0\.5\n/,
      'endstop_pin: probe:z_virtual_endstop\nposition_min: -2\nhoming_retract_dist: 2\n',
    )
    .concat(
      Z1 +
        '\n[probe]\npin: ^PD3\nz_offset: 1\nspeed: 10\nlift_speed: 10\nsample_retract_dist: 1\n' +
        `\n[z_tilt]\nz_positions:\n  ${PIVOTS[0]}, 60\n  ${PIVOTS[1]}, 60\npoints:\n  20, 20\n  160, 20\n  90, 120\n` +
        'speed: 150\nhorizontal_move_z: 3\nretries: 0\n',
    );

const NEAR = {
  stepper_x: { position_mm: 20 },
  stepper_y: { position_mm: 20 },
  stepper_z: { position_mm: 3 },
  stepper_z1: { position_mm: 3 },
};

type StepperEv = { ev: string; name?: string; clock: number; mm?: number };

describe('[z_tilt] on a live printer', () => {
  it('Z_TILT_ADJUST moves stepper_z1 alone by the tilt between the pivots; G1 then moves both', async () => {
    const p = await startLivePrinter('z-tilt', { edit: tiltConfig, overrides: { steppers: NEAR, endstops: { probe: { tilt: TILT } } } });
    let output: string;
    let beforeG1: Record<string, number>;
    let status: unknown;
    try {
      await p.run('G28');
      output = await p.run('Z_TILT_ADJUST\nM400');
      status = p.host.printer.lookupObject<{ getStatus(): unknown }>('z_tilt').getStatus();
      const last = (name: string) => (p.trace() as StepperEv[]).filter((e) => e.ev === 'stepper' && e.name === name).at(-1)!.mm!;
      beforeG1 = { stepper_z: last('stepper_z'), stepper_z1: last('stepper_z1') };
      await p.run('G1 Z10 F1200\nM400');
    } finally {
      await p.stop();
    }
    expect(status).toEqual({ applied: true });
    const trace = p.trace() as StepperEv[];
    const lastMm = (name: string) => trace.filter((e) => e.ev === 'stepper' && e.name === name).at(-1)!.mm!;
    const want = TILT.dz_dx * (PIVOTS[1]! - PIVOTS[0]!);
    const m = /stepper_z = ([\d.-]+)\n\/\/ stepper_z1 = ([\d.-]+)/.exec(output!);
    expect(m, output!).not.toBeNull();
    expect(Number(m![1])).toBe(0);
    const reported = Number(m![2]);
    // What the motors did: z1 is now higher than z by the correction.
    const diff = beforeG1!.stepper_z1! - beforeG1!.stepper_z!;
    console.log(
      `z_tilt: correction for stepper_z1 ${reported.toFixed(5)} mm (bed: ${want.toFixed(5)}, allowed ${3 * Z_STEP_MM}); sim motors apart by ${diff.toFixed(5)} mm`,
    );
    expect(Math.abs(reported - want)).toBeLessThanOrEqual(3 * Z_STEP_MM + 1e-9);
    expect(Math.abs(diff - reported)).toBeLessThanOrEqual(Z_STEP_MM + 1e-9);
    // G1 moved both motors the same way: they stay apart by the correction.
    const after = lastMm('stepper_z1') - lastMm('stepper_z');
    console.log(`z_tilt: after G1 Z10 the motors are apart by ${after.toFixed(5)} mm, stepper_z at ${lastMm('stepper_z').toFixed(4)}`);
    expect(Math.abs(after - diff)).toBeLessThanOrEqual(Z_STEP_MM + 1e-9);
    expect(lastMm('stepper_z') - beforeG1!.stepper_z!).toBeGreaterThan(5);
  }, 90_000);
});
