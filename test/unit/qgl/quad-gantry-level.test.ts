// [quad_gantry_level]: the corner maths from synthetic probe heights, the options' errors, and
// QUAD_GANTRY_LEVEL against a modelled flying gantry: four motors at the corners of a frame
// whose height under the nozzle is the bilinear blend of the corner heights.
import { describe, expect, it } from 'vitest';
import type { MotionStepper } from '../../../src-main/host/motion/stepper';
import { gantryCornerHeights, type QuadGantryLevel } from '../../../src-main/host/objects/quad-gantry-level';
import { meshPrinter, standInProbe, type MeshPrinter } from '../bed-mesh/helpers';

const extra = (n: number, step: string, dir: string, en: string) => `
[stepper_z${n}]
step_pin: ${step}
dir_pin: ${dir}
enable_pin: !${en}
microsteps: 16
rotation_distance: 8
`;
const Z123 = extra(1, 'PC1', 'PC3', 'PC7') + extra(2, 'PC0', 'PC2', 'PC4') + extra(3, 'PC5', 'PC6', 'PG2');

/** Corners outside the bed (belts), probe points near each motor: z front left, z1 back left, z2 back right, z3 front right. */
const CORNERS: [[number, number], [number, number]] = [
  [-50, -10],
  [250, 230],
];
const POINTS: [number, number][] = [
  [25, 10],
  [25, 190],
  [175, 190],
  [175, 10],
];
const QGL = `
[quad_gantry_level]
gantry_corners:
   ${CORNERS[0].join(', ')}
   ${CORNERS[1].join(', ')}
points:
${POINTS.map((p) => `   ${p.join(', ')}`).join('\n')}
speed: 100
horizontal_move_z: 5
retries: 3
retry_tolerance: 0.005
max_adjust: 10
`;

/** The bilinear height over the gantry's rectangle from corner heights [fl, bl, br, fr]. */
function bilinear(h: readonly number[], x: number, y: number): number {
  const [[x0, y0], [x1, y1]] = CORNERS;
  const u = (x - x0) / (x1 - x0);
  const v = (y - y0) / (y1 - y0);
  const front = h[0]! + (h[3]! - h[0]!) * u;
  const back = h[1]! + (h[2]! - h[1]!) * u;
  return front + (back - front) * v;
}

describe('gantryCornerHeights', () => {
  it('recovers the corner heights of a bilinear (twisted) gantry from four probes', () => {
    const corners = [0.3, -0.2, 0.45, 0.1];
    const zs = POINTS.map(([x, y]) => bilinear(corners, x, y));
    const got = gantryCornerHeights(POINTS, zs, CORNERS);
    got.forEach((h, i) => expect(h).toBeCloseTo(corners[i]!, 12));
  });

  it('a level gantry gives equal corners; a plane tilted in X gives the plane at the corners', () => {
    expect(gantryCornerHeights(POINTS, [1, 1, 1, 1], CORNERS)).toEqual([1, 1, 1, 1]);
    const zs = POINTS.map(([x]) => 0.01 * x);
    const got = gantryCornerHeights(POINTS, zs, CORNERS);
    [-0.5, -0.5, 2.5, 2.5].forEach((h, i) => expect(got[i]).toBeCloseTo(h, 12));
  });

  it('refuses probe pairs that share a coordinate (no slope)', () => {
    const same: [number, number][] = [
      [25, 10],
      [25, 190],
      [175, 190],
      [25, 10],
    ];
    expect(() => gantryCornerHeights(same, [0, 0, 0, 0], CORNERS)).toThrow(/share the coordinate 25/);
  });
});

/**
 * A flying gantry carried at its corners by the four Z motors, starting twisted by `twist`
 * (each corner's height error). The probe triggers where the nozzle meets the bed (z = 0):
 * nozzle height = toolhead z + the frame shift of SET_POSITION + the gantry's blend under it.
 */
function gantryModel(p: MeshPrinter, twist: number[]): { forced: [string, number][]; cornerHeights: () => number[] } {
  const th = p.th;
  const rise = twist.slice();
  let frameMm = 0;
  const forced: [string, number][] = [];
  const steppers = p.printer.lookupObject<QuadGantryLevel>('quad_gantry_level').steppers;
  const force = th.forceMoveStepper.bind(th);
  th.forceMoveStepper = (s: MotionStepper, dist: number, speed: number, accel?: number) => {
    const i = steppers.findIndex((st) => st.motion === s);
    rise[i]! += dist;
    forced.push([steppers[i]!.name, dist]);
    force(s, dist, speed, accel);
  };
  const setPos = th.setPosition.bind(th);
  th.setPosition = (pos, axes) => {
    frameMm += th.getPosition()[2] - pos[2]!;
    setPos(pos, axes);
  };
  // A corner that sits low puts the bed high (closer) under the nozzle there.
  standInProbe(p, (x, y) => -frameMm - bilinear(rise, x, y));
  return { forced, cornerHeights: () => rise.map((r) => r + frameMm) };
}

describe('[quad_gantry_level] options', () => {
  it('loads with four Z motors; names what is wrong otherwise', async () => {
    const p = await meshPrinter(Z123 + QGL);
    const q = p.printer.lookupObject<QuadGantryLevel>('quad_gantry_level');
    expect(q.steppers.map((s) => s.name)).toEqual(['stepper_z', 'stepper_z1', 'stepper_z2', 'stepper_z3']);
    expect(q.getStatus()).toEqual({ applied: false });
    await expect(meshPrinter(extra(1, 'PC1', 'PC3', 'PC7') + QGL)).rejects.toThrow(
      'needs exactly four Z motors, stepper_z to stepper_z3 (found: stepper_z, stepper_z1)',
    );
    await expect(meshPrinter(Z123 + QGL.replace('   175, 10\n', ''))).rejects.toThrow(
      "Option 'points' in section 'quad_gantry_level' needs at least 4 points (it has 3)",
    );
    await expect(meshPrinter(Z123 + QGL.replace('   175, 10\n', '   175, 10\n   100, 100\n'))).rejects.toThrow(
      'points needs exactly 4 points (it has 5)',
    );
    await expect(meshPrinter(Z123 + QGL.replace('   250, 230\n', '   250, 230\n   1, 1\n'))).rejects.toThrow(
      'gantry_corners needs exactly 2 corners (it has 3)',
    );
    await expect(meshPrinter(Z123 + QGL.replace('   25, 10\n', '   25 10\n'))).rejects.toThrow(/Unable to parse '25 10'/);
    await expect(meshPrinter(Z123 + QGL.replace(/gantry_corners:\n.*\n.*\n/, ''))).rejects.toThrow(/gantry_corners/);
  });
});

describe('QUAD_GANTRY_LEVEL', () => {
  it('moves each motor by its corner height and converges within retry_tolerance', async () => {
    const p = await meshPrinter(Z123 + QGL);
    await p.run('SET_KINEMATIC_POSITION X=100 Y=100 Z=10');
    const twist = [0.4, -0.3, 0.25, 0.05];
    const { forced, cornerHeights } = gantryModel(p, twist);
    await p.run('QUAD_GANTRY_LEVEL');
    const text = p.out.join('\n');
    // The bed is high (nozzle close) where a corner is low: the lowest corner (z1 at -0.3) rises
    // least relative to the others; corrections = -(twist) - min(-(twist)).
    const want = twist.map((t) => Math.max(...twist) - t);
    // The first round's moves (a motor with nothing to do does not move); later rounds only round off.
    const first = Object.fromEntries(forced.slice(0, want.filter((w) => w > 0).length).map(([n, d]) => [n, d]));
    for (const [, d] of forced.slice(3)) expect(Math.abs(d)).toBeLessThan(1e-9);
    ['stepper_z', 'stepper_z1', 'stepper_z2', 'stepper_z3'].forEach((n, i) => {
      if (want[i]! > 0) expect(first[n]).toBeCloseTo(want[i]!, 6);
      else expect(first[n]).toBeUndefined();
    });
    expect(text).toMatch(
      /Gantry-relative probe points:\n\/\/ stepper_z: -0\.400000 stepper_z1: 0\.300000 stepper_z2: -0\.250000 stepper_z3: -0\.050000\n\/\/ Average: -0\.100000/,
    );
    expect(text).toContain('Retries: 1/3 Probed points range: 0.000000 tolerance: 0.005000');
    const h = cornerHeights();
    for (const c of h) expect(c).toBeCloseTo(h[0]!, 9);
    expect(p.printer.lookupObject<QuadGantryLevel>('quad_gantry_level').getStatus()).toEqual({ applied: true });
    // Motors off: the gantry may sag, so it is no longer applied (as Klipper's status says).
    await p.run('M84');
    expect(p.printer.lookupObject<QuadGantryLevel>('quad_gantry_level').getStatus()).toEqual({ applied: false });
  });

  it("stops with Klipper's max_adjust error before moving anything", async () => {
    const p = await meshPrinter(Z123 + QGL.replace('max_adjust: 10', 'max_adjust: 0.2'));
    await p.run('SET_KINEMATIC_POSITION X=100 Y=100 Z=10');
    const { forced } = gantryModel(p, [0.4, -0.3, 0.25, 0.05]);
    await expect(p.run('QUAD_GANTRY_LEVEL')).rejects.toThrow(
      'Aborting quad_gantry_level required adjustment 0.400000 is greater than max_adjust 0.200000',
    );
    expect(forced).toEqual([]);
    expect(p.printer.lookupObject<QuadGantryLevel>('quad_gantry_level').getStatus()).toEqual({ applied: false });
  });
});
