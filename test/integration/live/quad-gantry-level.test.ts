// [quad_gantry_level] on the sim over a real pty: the stock printer with four Z motors under a
// flying gantry (the sim's "gantry" probe model, machine.ts/effector.c): each corner of the
// gantry sits at its own height (offset_mm), the probe reads the gantry's real height under the
// nozzle (the bilinear blend of the corners). QUAD_GANTRY_LEVEL probes through the real
// [probe], moves each motor by its own correction and probes again until the probed range is
// within retry_tolerance; the sim's own stepper positions then show the four corners level.
//
// Tolerances: the sim moves its steppers and samples the switch at the nominal clock of each
// timer, so machine load shifts no position while it keeps up; a CPU-hogged run can leave it
// behind (its trace says by how much: `late_max_us`), each probed height then being off by
// probe speed x that lateness, so the limits grow by it. What is left is the Z step grid
// (0.0025 mm): QGL stops when the four probed heights span <= retry_tolerance (3 steps); the
// corners lie beyond the probe points (gantry 220 mm wide and deep, points 160 mm apart), so
// their spread may be up to 220/160 of that plus a step per motor. The limits never exceed half
// the twist (0.175 mm), so a QGL that moved nothing or the wrong way fails whatever the load.
import { describe, expect, it } from 'vitest';
import type { SimGantry } from '../../../src-main/host/sim/machine';
import { startLivePrinter } from './live-printer';
import { fastZ, homeZOnProbe } from './probe-printer';

const Z_STEP_MM = 8 / 3200;
const TOLERANCE_MM = 3 * Z_STEP_MM;
const PROBE_SPEED_MMS = 5;
/** Each corner's height error: a gantry twisted out of level by up to 0.35 mm. */
const OFFSETS = [0.2, -0.15, 0.1, 0];
const CORNERS = [
  [-10, -10],
  [-10, 210],
  [210, 210],
  [210, -10],
];

const zN = (n: number, step: string, dir: string, en: string) =>
  `\n[stepper_z${n}]\nstep_pin: ${step}\ndir_pin: ${dir}\nenable_pin: !${en}\nmicrosteps: 16\nrotation_distance: 8\n`;

const qglConfig = (cfg: string) =>
  homeZOnProbe(fastZ(cfg)).concat(
    zN(1, 'PC1', 'PC3', 'PC7') +
      zN(2, 'PC0', 'PC2', 'PC4') +
      zN(3, 'PC5', 'PC6', 'PG2') +
      `\n[probe]\npin: ^PD3\nz_offset: 1\nspeed: ${PROBE_SPEED_MMS}\nlift_speed: 20\nsample_retract_dist: 1\n` +
      '\n[quad_gantry_level]\ngantry_corners:\n  -10, -10\n  210, 210\npoints:\n  20, 20\n  20, 180\n  180, 180\n  180, 20\n' +
      `speed: 200\nhorizontal_move_z: 3\nretries: 5\nretry_tolerance: ${TOLERANCE_MM}\nmax_adjust: 2\n`,
  );

const START = { position_mm: 3 };
const GANTRY: SimGantry = {
  x_stepper: 'stepper_x',
  y_stepper: 'stepper_y',
  corners: ['stepper_z', 'stepper_z1', 'stepper_z2', 'stepper_z3'].map((stepper, i) => ({
    stepper,
    x: CORNERS[i]![0]!,
    y: CORNERS[i]![1]!,
    offset_mm: OFFSETS[i]!,
  })),
};

type Ev = { ev: string; name?: string; mm?: number; late_max_us?: number };

describe('[quad_gantry_level] on a live printer', () => {
  it('QUAD_GANTRY_LEVEL levels a twisted gantry within retry_tolerance; the sim shows the corners level', async () => {
    const p = await startLivePrinter('quad-gantry-level', {
      edit: qglConfig,
      overrides: {
        steppers: {
          stepper_x: { position_mm: 20 },
          stepper_y: { position_mm: 20 },
          stepper_z: START,
          stepper_z1: START,
          stepper_z2: START,
          stepper_z3: START,
        },
        endstops: { probe: { gantry: GANTRY } },
      },
    });
    let output: string;
    let status: unknown;
    try {
      await p.run('G28');
      output = await p.run('QUAD_GANTRY_LEVEL');
      status = p.host.printer.lookupObject<{ getStatus(): unknown }>('quad_gantry_level').getStatus();
      await p.run('M400');
    } finally {
      // The trace is read only after the sim stopped: mid-run it may not be written out yet.
      await p.stop();
    }
    expect(status).toEqual({ applied: true });
    const trace = p.trace() as Ev[];
    const lateS = Math.max(0, ...trace.filter((e) => e.ev === 'timing').map((e) => Number(e.late_max_us ?? 0))) / 1e6;
    const lateMm = PROBE_SPEED_MMS * lateS;
    const rounds = [...output!.matchAll(/Retries: (\d+)\/5 Probed points range: ([\d.]+)/g)].map((m) => Number(m[2]));
    // The first corrections: each motor by its corner's height over the lowest (the bed is
    // high where a corner is low, so the highest offset's motor, stepper_z, stays).
    const first = /stepper_z = ([\d.]+)\n\/\/ stepper_z1 = ([\d.]+)\n\/\/ stepper_z2 = ([\d.]+)\n\/\/ stepper_z3 = ([\d.]+)/.exec(output!);
    expect(first, output!).not.toBeNull();
    const moved = first!.slice(1).map(Number);
    const want = OFFSETS.map((o) => Math.max(...OFFSETS) - o);
    const lastMm = (name: string) => trace.filter((e) => e.ev === 'stepper' && e.name === name).at(-1)!.mm!;
    const corners = GANTRY.corners.map((c) => lastMm(c.stepper) + c.offset_mm);
    const spread = Math.max(...corners) - Math.min(...corners);
    const ceiling = (Math.max(...OFFSETS) - Math.min(...OFFSETS)) / 2;
    const cornerTol = Math.min(ceiling, (220 / 160) * (TOLERANCE_MM + 2 * lateMm) + 2 * Z_STEP_MM);
    console.log(
      `qgl: probed ranges per round ${rounds.map((r) => r.toFixed(4)).join(', ')} (tolerance ${TOLERANCE_MM}); first corrections ${moved.map((m) => m.toFixed(4))} ` +
        `(twist says ${want.map((m) => m.toFixed(4))}); sim corners after: ${corners.map((c) => c.toFixed(4))} spread ${spread.toFixed(4)} (allowed ${cornerTol.toFixed(4)}); sim late up to ${(lateS * 1000).toFixed(1)} ms`,
    );
    // The first round measures the twist: each correction within two probe heights' error, scaled to the corners.
    const moveTol = Math.min(ceiling, (220 / 160) * 2 * (2 * Z_STEP_MM + lateMm));
    moved.forEach((m, i) => expect(Math.abs(m - want[i]!)).toBeLessThanOrEqual(moveTol + 1e-9));
    expect(rounds.length).toBeGreaterThanOrEqual(2);
    expect(rounds.at(-1)!).toBeLessThanOrEqual(TOLERANCE_MM + 1e-9);
    expect(spread).toBeLessThanOrEqual(cornerTol + 1e-9);
  }, 90_000);
});
