// [z_tilt]: options, each motor's correction, and Z_TILT_ADJUST against a modelled gantry whose
// two Z motors (pivots at X -50 and X 250) tilt the nozzle's height as the motors move.
import { describe, expect, it } from 'vitest';
import type { MotionStepper } from '../../../src-main/host/motion/stepper';
import { motorCorrections, type ZTilt } from '../../../src-main/host/objects/z-tilt';
import { meshPrinter, standInProbe, type MeshPrinter } from '../bed-mesh/helpers';

const Z1 = `
[stepper_z1]
step_pin: PC1
dir_pin: PC3
enable_pin: !PC7
microsteps: 16
rotation_distance: 8
`;

const ZTILT = `
[z_tilt]
z_positions:
    -50, 100
    250, 100
points:
    30, 100
    170, 100
    100, 170
speed: 100
horizontal_move_z: 5
retries: 3
retry_tolerance: 0.01
`;

/**
 * Installs a probe over a bed z = bedTilt * x seen from a gantry the two motors carry: each
 * forced motor move raises the nozzle by the line through the motor pivots, and each toolhead
 * SET_POSITION shifts the toolhead's frame. Returns the forced moves [stepper, mm] and the bed's
 * height under the nozzle at X in the toolhead's frame.
 */
function gantryModel(p: MeshPrinter, bedTilt: number, stuck = false): { forced: [string, number][]; bedZ: (x: number) => number } {
  const th = p.th;
  const pivots = [-50, 250];
  const rise = [0, 0];
  let frameMm = 0; // physical nozzle height = toolhead z + frame + gantry rise at x
  const forced: [string, number][] = [];
  const steppers = p.printer.lookupObject<ZTilt>('z_tilt').steppers;
  const force = th.forceMoveStepper.bind(th);
  th.forceMoveStepper = (s: MotionStepper, dist: number, speed: number, accel?: number) => {
    const i = steppers.findIndex((st) => st.motion === s);
    rise[i] += dist;
    forced.push([steppers[i]!.name, dist]);
    force(s, dist, speed, accel);
  };
  const setPos = th.setPosition.bind(th);
  th.setPosition = (pos, axes) => {
    frameMm += th.getPosition()[2] - pos[2]!;
    setPos(pos, axes);
  };
  const gantry = (x: number) => rise[0]! + ((rise[1]! - rise[0]!) * (x - pivots[0]!)) / (pivots[1]! - pivots[0]!);
  // The probe triggers where the nozzle (toolhead z) meets the bed in the physical frame.
  const bedZ = (x: number) => bedTilt * x - frameMm - gantry(x);
  // A stuck probe reads the same tilted surface whatever the motors do.
  standInProbe(p, stuck ? (x) => bedTilt * x : bedZ);
  return { forced, bedZ };
}

describe('motorCorrections', () => {
  it('raises every motor to the highest bed point, relative to the lowest', () => {
    const c = motorCorrections([0.2, -0.1, 0.05]);
    expect(c[0]).toBeCloseTo(0.3, 12);
    expect(c[1]).toBe(0);
    expect(c[2]).toBeCloseTo(0.15, 12);
  });
});

describe('[z_tilt] options', () => {
  it('needs one z_position per Z stepper and at least two Z motors', async () => {
    const p = await meshPrinter(Z1 + ZTILT);
    expect(p.printer.lookupObject<ZTilt>('z_tilt').steppers.map((s) => s.name)).toEqual(['stepper_z', 'stepper_z1']);
    await expect(meshPrinter(Z1 + ZTILT.replace('    250, 100\n', '    250, 100\n    100, 250\n'))).rejects.toThrow(
      'z_positions lists 3 positions but the printer has 2 Z steppers (stepper_z, stepper_z1)',
    );
    await expect(meshPrinter(ZTILT.replace('    250, 100\n', '    250, 100\n'))).rejects.toThrow('needs at least two Z motors');
  });
});

describe('Z_TILT_ADJUST', () => {
  it('moves each motor by its own correction and levels the gantry in one round', async () => {
    const p = await meshPrinter(Z1 + ZTILT);
    await p.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=10');
    // Bed rises 0.002 mm per mm of X: 0.6 mm higher at the right pivot than the left.
    const { forced, bedZ } = gantryModel(p, 0.002);
    expect(p.printer.lookupObject<ZTilt>('z_tilt').getStatus()).toEqual({ applied: false });
    await p.run('Z_TILT_ADJUST');
    // Only stepper_z1 (right, where the bed is high) moves, by 0.002 * 300 mm.
    expect(forced[0]![0]).toBe('stepper_z1');
    expect(forced[0]![1]).toBeCloseTo(0.6, 6);
    // The second round finds it level: at most rounding-sized moves.
    for (const [, d] of forced.slice(1)) expect(Math.abs(d)).toBeLessThan(1e-9);
    const text = p.out.join('\n');
    expect(text).toContain('Making the following Z adjustments:\n// stepper_z = 0.000000\n// stepper_z1 = 0.600000');
    // First round: the three probes span 0.002 * 140 mm; second: level.
    expect(text).toContain('Retries: 0/3 Probed points range: 0.280000 tolerance: 0.010000');
    expect(text).toContain('Retries: 1/3 Probed points range: 0.000000 tolerance: 0.010000');
    expect(p.printer.lookupObject<ZTilt>('z_tilt').getStatus()).toEqual({ applied: true });
    // The bed is now level and at Z 0 in the toolhead's new frame.
    for (const x of [-50, 0, 100, 250]) expect(bedZ(x)).toBeCloseTo(0, 9);
  });

  it("fails with Klipper's 'Too many retries' when the bed will not level", async () => {
    const p = await meshPrinter(Z1 + ZTILT.replace('retries: 3', 'retries: 1'));
    await p.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=10');
    // A probe stuck on a tilted surface: nothing the motors do changes what it reads.
    gantryModel(p, 0.002, true);
    await expect(p.run('Z_TILT_ADJUST')).rejects.toThrow('Too many retries');
    expect(p.out.join('\n')).toContain('Retries: 1/1 Probed points range: 0.280000');
    expect(p.printer.lookupObject<ZTilt>('z_tilt').getStatus()).toEqual({ applied: false });
  });

  it('aborts when the probed range grows from one round to the next', async () => {
    const p = await meshPrinter(Z1 + ZTILT);
    await p.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=10');
    // A probe wired backwards in effect: every correction doubles the tilt it reads.
    const { forced } = gantryModel(p, 0.002, true);
    const probe = p.printer.lookupObject<{ runProbe: (c: null) => Promise<number[]> }>('probe');
    const read = probe.runProbe.bind(probe);
    probe.runProbe = async (c) => {
      const [x, y, z] = await read(c);
      return [x!, y!, z! * 2 ** forced.length];
    };
    await expect(p.run('Z_TILT_ADJUST')).rejects.toThrow('Retries aborting: Probed points range is increasing (0.280000 -> 0.560000)');
    expect(p.printer.lookupObject<ZTilt>('z_tilt').getStatus()).toEqual({ applied: false });
  });

  it('one pass without retries; RETRIES= overrides the config', async () => {
    const p = await meshPrinter(Z1 + ZTILT);
    await p.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=10');
    const { forced } = gantryModel(p, -0.001);
    await p.run('Z_TILT_ADJUST RETRIES=0');
    expect(p.out.join('\n')).not.toContain('Retries:');
    // The bed is high on the left now: stepper_z rises 0.3 mm.
    expect(forced.map(([n]) => n)).toEqual(['stepper_z']);
    expect(forced[0]![1]).toBeCloseTo(0.3, 6);
  });
});
