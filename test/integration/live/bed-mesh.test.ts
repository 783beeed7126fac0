// [bed_mesh] on the sim over a real pty: BED_MESH_CALIBRATE probes a tilted bed (the sim's
// probe switch follows a plane, `tilt`) through the real [probe], and a G1 across the bed
// afterwards steps Z with the mesh, checked against the sim's own trace.
//
// Tolerances: the sim moves its steppers and reads the switch at the nominal clock of each
// timer, whatever the machine's load (a late timer runs late in real time, not in simulated
// physics), so a loaded 2-core machine changes no position here. What remains is the MCU's
// sampling and the step grid: a trigger is exact to a step or two (Z step 0.0025 mm), so probed
// values get 2 Z steps; along the move the sim's Z is compared with the mesh at the sim's X
// (interpolated between stepper_x events), which adds the X step times the slope: 3 Z steps.
// The measured figures are logged.
import { describe, expect, it } from 'vitest';
import type { BedMesh } from '../../../src-main/host/objects/bed-mesh';
import { startLivePrinter } from './live-printer';
import { fastZ, homeZOnProbe } from './probe-printer';

const Z_STEP_MM = 8 / 3200;
const Z_OFFSET_MM = 1;
/** The bed rises 0.004 mm per mm of X and 0.002 per mm of Y (zero at X0 Y0, where Z homes). */
const TILT = { x_stepper: 'stepper_x', y_stepper: 'stepper_y', dz_dx: 0.004, dz_dy: 0.002 };
const bedZ = (x: number, y: number) => TILT.dz_dx * x + TILT.dz_dy * y;

/** Z homes on the probe (no probe offsets: the sim's plane is keyed to the carriage, as is the probe). */
const meshConfig = (cfg: string) =>
  homeZOnProbe(fastZ(cfg)).concat(
    `\n[probe]\npin: ^PD3\nz_offset: ${Z_OFFSET_MM}\nspeed: 10\nlift_speed: 10\nsample_retract_dist: 1\n` +
      '\n[bed_mesh]\nspeed: 150\nhorizontal_move_z: 3\nmesh_min: 20, 20\nmesh_max: 160, 120\nprobe_count: 3, 3\n' +
      '\n[screws_tilt_adjust]\nscrew1: 20, 20\nscrew1_name: front left\nscrew2: 160, 20\nscrew3: 20, 120\n' +
      'horizontal_move_z: 3\nspeed: 150\nscrew_thread: CW-M3\n',
  );

const NEAR = { stepper_x: { position_mm: 20 }, stepper_y: { position_mm: 20 }, stepper_z: { position_mm: 3 } };

type StepperEv = { ev: string; name?: string; clock: number; mm?: number };

describe('[bed_mesh] on a live printer', () => {
  it('BED_MESH_CALIBRATE measures the tilted bed; a G1 across it follows the mesh in Z', async () => {
    const p = await startLivePrinter('bed-mesh', { edit: meshConfig, overrides: { steppers: NEAR, endstops: { probe: { tilt: TILT } } } });
    let status: { probed_matrix: number[][]; mesh_min: number[]; mesh_max: number[]; profile_name: string };
    let mesh: BedMesh;
    let output: string;
    let tilt: string;
    try {
      await p.run('G28');
      output = await p.run('BED_MESH_CALIBRATE');
      mesh = p.host.printer.lookupObject<BedMesh>('bed_mesh');
      status = mesh.getStatus() as typeof status;
      tilt = await p.run('SCREWS_TILT_CALCULATE');
      await p.run('G1 X20 Y60 Z1 F6000');
      await p.run('G1 X160 Y60 F3000\nM400');
    } finally {
      await p.stop();
    }
    expect(output).toContain('Mesh Bed Leveling Complete');
    expect(status!.profile_name).toBe('default');
    expect([status!.mesh_min, status!.mesh_max]).toEqual([
      [20, 20],
      [160, 120],
    ]);
    // Each probed value is the sim's bed height at that point (z_offset taken off).
    const xs = [20, 90, 160];
    const ys = [20, 70, 120];
    let worstProbe = 0;
    ys.forEach((y, j) =>
      xs.forEach((x, i) => {
        worstProbe = Math.max(worstProbe, Math.abs(status.probed_matrix[j]![i]! - bedZ(x, y)));
      }),
    );
    console.log(`bed mesh: worst probed point off the sim's bed by ${worstProbe.toFixed(5)} mm (allowed ${2 * Z_STEP_MM})`);
    expect(worstProbe).toBeLessThanOrEqual(2 * Z_STEP_MM + 1e-9);

    // SCREWS_TILT_CALCULATE on the same bed: every screw is higher than front left, so each
    // turns CCW (lowers, with a CW-M3 thread) by its height difference / 0.5 mm per turn.
    // Two Z steps (0.005 mm) are 0.6 minutes of a turn: allow one minute.
    const turns = [...tilt!.matchAll(/: adjust (CW|CCW) (\d\d):(\d\d)/g)].map((m) => [m[1], Number(m[2]) * 60 + Number(m[3])] as const);
    expect(tilt!).toMatch(/front left \(base\) : x=20\.0, y=20\.0, z=0\.1\d+/);
    const screws = [
      [160, 20],
      [20, 120],
    ];
    expect(turns.map((t) => t[0])).toEqual(['CCW', 'CCW']);
    const worstMinutes = Math.max(...screws.map(([x, y], i) => Math.abs(turns[i]![1] - ((bedZ(x!, y!) - bedZ(20, 20)) / 0.5) * 60)));
    console.log(
      `screws tilt: ${turns.map((t) => `${t[0]} ${t[1]} min`).join(', ')}; worst off the bed's own figure by ${worstMinutes.toFixed(2)} min (allowed 1)`,
    );
    expect(worstMinutes).toBeLessThanOrEqual(1);

    // The move X20 -> X160 at Y60, G-code Z1: the sim's Z should be 1 + mesh(x, 60) all along.
    const trace = p.trace() as StepperEv[];
    const xEv = trace.filter((e) => e.ev === 'stepper' && e.name === 'stepper_x');
    const zEv = trace.filter((e) => e.ev === 'stepper' && e.name === 'stepper_z');
    const startAt = xEv.findLastIndex((e) => Math.abs(e.mm! - 20) < 0.02);
    const across = xEv.slice(startAt);
    expect(across.at(-1)!.mm!).toBeCloseTo(160, 1);
    const after = (a: StepperEv, b: StepperEv) => ((a.clock - b.clock) | 0) > 0;
    const zAcross = zEv.filter((e) => after(e, across[0]!) && !after(e, across.at(-1)!));
    // The correction grows 0.56 mm over the move: split every few mm, so Z steps many times.
    expect(zAcross.length).toBeGreaterThan(10);
    const xAt = (clock: number) => {
      const k = across.findIndex((e) => ((e.clock - clock) | 0) >= 0);
      if (k <= 0) return across[Math.max(k, 0)]!.mm!;
      const [a, b] = [across[k - 1]!, across[k]!];
      return a.mm! + ((b.mm! - a.mm!) * ((clock - a.clock) | 0)) / ((b.clock - a.clock) | 0);
    };
    let worstMove = 0;
    for (const e of zAcross) worstMove = Math.max(worstMove, Math.abs(e.mm! - (1 + mesh!.zMesh!.calcZ(xAt(e.clock), 60))));
    const zEnd = zEv.at(-1)!.mm!;
    console.log(
      `bed mesh move: ${zAcross.length} Z runs across the bed, worst Z off 1 + mesh(x) by ${worstMove.toFixed(5)} mm (allowed ${3 * Z_STEP_MM}), end Z ${zEnd.toFixed(4)}`,
    );
    expect(worstMove).toBeLessThanOrEqual(3 * Z_STEP_MM + 1e-9);
    // At the end the nozzle is 1 mm over the sim's own bed.
    expect(Math.abs(zEnd - (1 + bedZ(160, 60)))).toBeLessThanOrEqual(2 * Z_STEP_MM + 1e-9);
  }, 90_000);
});
