// [z_tilt] on the sim over a real pty: a dual-Z printer with a [probe] over a tilted bed (the
// sim's `tilt`). Z_TILT_ADJUST probes through the real [probe], and the sim's trace shows each
// Z motor moving by its own correction: stepper_z1 (over the high side) rises by the bed's height
// difference between the two pivots, stepper_z stays; a later G1 moves both together.
// [bed_tilt] on a single-Z printer: BED_TILT_CALIBRATE finds the sim's slope and moves follow it.
//
// The sim's probe reads stepper_z's height only (it does not model a gantry pivoting on two
// motors), so the bed it reports stays tilted after the correction: the test runs one round
// (retries 0) and checks the motors' moves, not a converged level (see the report / README).
//
// Tolerances: the sim moves its steppers and samples the switch at the nominal clock of each
// timer, so machine load shifts no position (a late timer is late in real time only). What is
// left is the step grid: a probe trigger is exact to a step or two (Z step 0.0025 mm) per point,
// and the fitted plane averages three points, so the correction is allowed 3 Z steps; where the
// motors end up must match it to one step. The measured figures are logged.
import { describe, expect, it } from 'vitest';
import { startLivePrinter } from './live-printer';
import { fastZ, homeZOnProbe } from './probe-printer';

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
  homeZOnProbe(fastZ(cfg)).concat(
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
    let status: unknown;
    try {
      await p.run('G28');
      output = await p.run('Z_TILT_ADJUST');
      status = p.host.printer.lookupObject<{ getStatus(): unknown }>('z_tilt').getStatus();
      await p.run('G1 Z10 F1200\nM400');
    } finally {
      // The trace is read only after the sim stopped: mid-run it may not be written out yet.
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
    // Both motors were homed together and took every other move together: z1 is higher than z
    // by exactly its correction, and stepper_z is where G1 Z10 put it (bed 0 at its pivot).
    const apart = lastMm('stepper_z1') - lastMm('stepper_z');
    console.log(
      `z_tilt: correction for stepper_z1 ${reported.toFixed(5)} mm (bed: ${want.toFixed(5)}, allowed ${3 * Z_STEP_MM}); ` +
        `after G1 Z10 the sim's motors are apart by ${apart.toFixed(5)} mm, stepper_z at ${lastMm('stepper_z').toFixed(4)}`,
    );
    expect(Math.abs(reported - want)).toBeLessThanOrEqual(3 * Z_STEP_MM + 1e-9);
    expect(Math.abs(apart - reported)).toBeLessThanOrEqual(Z_STEP_MM + 1e-9);
    expect(Math.abs(lastMm('stepper_z') - 10)).toBeLessThanOrEqual(Z_STEP_MM + 1e-9);
  }, 90_000);
});

/** One Z motor, [bed_tilt] instead of [z_tilt], over a bed sloped in X and Y. */
const BED_TILT = { x_stepper: 'stepper_x', y_stepper: 'stepper_y', dz_dx: 0.004, dz_dy: 0.002 };
const bedTiltConfig = (cfg: string) =>
  homeZOnProbe(fastZ(cfg)).concat(
    '\n[probe]\npin: ^PD3\nz_offset: 1\nspeed: 10\nlift_speed: 10\nsample_retract_dist: 1\n' +
      '\n[bed_tilt]\npoints:\n  20, 20\n  160, 20\n  160, 120\n  20, 120\nspeed: 150\nhorizontal_move_z: 3\n',
  );

describe('[bed_tilt] on a live printer', () => {
  // Tolerances as above: each probed height is exact to 2 Z steps (0.005 mm); over the 140 mm
  // and 100 mm spans of the points that bounds the fitted slopes to 0.0001 mm/mm, and the move's
  // end height (plane at X160 Y120) to 3 Z steps.
  it('BED_TILT_CALIBRATE measures the sloped bed; a G1 across it then follows the plane in Z', async () => {
    const p = await startLivePrinter('bed-tilt', {
      edit: bedTiltConfig,
      overrides: { steppers: NEAR, endstops: { probe: { tilt: BED_TILT } } },
    });
    let output: string;
    let status: { x_adjust: number; y_adjust: number; z_adjust: number };
    try {
      await p.run('G28');
      output = await p.run('BED_TILT_CALIBRATE');
      status = p.host.printer.lookupObject<{ getStatus(): typeof status }>('bed_tilt').getStatus();
      await p.run('G1 X20 Y20 Z1 F6000\nG1 X160 Y120 F3000\nM400');
    } finally {
      await p.stop();
    }
    expect(output!).toContain('Calculated bed tilt parameters:');
    const slopeErr = Math.max(Math.abs(status!.x_adjust - BED_TILT.dz_dx), Math.abs(status!.y_adjust - BED_TILT.dz_dy));
    const trace = p.trace() as StepperEv[];
    // The sim keeps physics on nominal clocks only while it keeps up: a run with a CPU hog beside
    // the whole suite left it 268 ms behind, its switch polls lagging its steps, and the probed
    // heights 0.7 mm off. Its trace says how far behind it fell; each height may be off by the
    // probe speed (10 mm/s) times that, and the limits grow by it (a quiet run: ~0).
    const lateS =
      Math.max(0, ...trace.filter((e) => e.ev === 'timing').map((e) => Number((e as { late_max_us?: number }).late_max_us ?? 0))) / 1e6;
    const heightTol = 2 * Z_STEP_MM + 10 * lateS;
    const slopeTol = 1e-4 + (2 * heightTol - 2 * 2 * Z_STEP_MM) / 100; // 100 mm: the shorter span of the points
    const zEnd = trace.filter((e) => e.ev === 'stepper' && e.name === 'stepper_z').at(-1)!.mm!;
    const want = 1 + BED_TILT.dz_dx * 160 + BED_TILT.dz_dy * 120;
    console.log(
      `bed_tilt: x_adjust ${status!.x_adjust.toFixed(6)} y_adjust ${status!.y_adjust.toFixed(6)} z_adjust ${status!.z_adjust.toFixed(6)}; ` +
        `worst slope off the sim's bed ${slopeErr.toExponential(2)} (allowed ${slopeTol.toExponential(2)}); end Z ${zEnd.toFixed(4)} (bed + 1: ${want.toFixed(4)}); sim late up to ${(lateS * 1000).toFixed(1)} ms`,
    );
    expect(slopeErr).toBeLessThanOrEqual(slopeTol);
    expect(Math.abs(status!.z_adjust)).toBeLessThanOrEqual(heightTol + 1e-9);
    expect(Math.abs(zEnd - want)).toBeLessThanOrEqual(3 * Z_STEP_MM + 3 * (heightTol - 2 * Z_STEP_MM) + 1e-9);
  }, 90_000);
});
