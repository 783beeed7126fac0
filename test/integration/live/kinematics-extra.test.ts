// hybrid_corexy, polar and deltesian printers on the sim (machine generated from the config):
// G28 homes each as Klipper does (the sim's switches sit where those machines have them), then a
// move; every stepper's MCU step count must change by exactly what our own inverse kinematics,
// written out here, says (read once the sim has settled: M400 ends by the MCU clock, and a late
// sim on a loaded machine may still be stepping).
import { describe, expect, it } from 'vitest';
import type { PrinterToolhead } from '../../../src-main/host/objects/toolhead';
import { startLivePrinter, type LivePrinter } from './live-printer';

const MOTOR = (step: string, dir: string, en: string, extra: string) =>
  `step_pin: ${step}\ndir_pin: ${dir}\nenable_pin: !${en}\nmicrosteps: 16\n${extra}`;
const STEP_MM = 40 / 3200;
const Z_STEP_MM = 8 / 3200;

type Status = { getStatus(t?: number): Record<string, unknown> };

async function start(name: string, body: string, overrides: Record<string, { position_mm: number }>): Promise<LivePrinter> {
  return startLivePrinter(name, {
    edit: (c) => `[mcu]\n${/^serial: .*$/m.exec(c)![0]}\n\n${body}\n`,
    overrides: { steppers: overrides },
  });
}

/** Each stepper's MCU count, once two reads 100 ms apart agree (the sim has stopped stepping). */
async function settledCounts(p: LivePrinter): Promise<Record<string, number>> {
  const steppers = p.host.printer.lookupObject<PrinterToolhead>('printer_toolhead').steppers;
  const read = async () => Object.fromEntries(await Promise.all(steppers.map(async (s) => [s.name, await s.queryMcuPosition()] as const)));
  let last = await read();
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await read();
    if (Object.keys(now).every((k) => now[k] === last[k])) return now;
    last = now;
  }
  throw new Error('the sim kept stepping for 5 s after M400');
}

/** G1 to `to` and back the MCU's count changes against `rails(to) - rails(home)` in steps. */
async function checkMove(
  p: LivePrinter,
  to: number[],
  rails: (pos: number[]) => Record<string, number>,
  stepOf: Record<string, number>,
): Promise<void> {
  const th = p.host.printer.lookupObject<Status>('toolhead');
  const home = (th.getStatus().position as number[]).slice(0, 3);
  const before = await settledCounts(p);
  await p.run(`G1 X${to[0]} Y${to[1]} Z${to[2]} F12000\nM400`);
  const after = await settledCounts(p);
  const [a, b] = [rails(home), rails(to)];
  for (const name of Object.keys(a)) {
    const expected = Math.round((b[name]! - a[name]!) / stepOf[name]!);
    expect(after[name]! - before[name]!, `${name} from ${home.map((v) => v.toFixed(3))} to ${to}`).toBe(expected);
  }
  expect(p.trace().filter((e) => e.ev === 'shutdown')).toEqual([]);
}

describe('more kinematics on the sim', () => {
  it('hybrid_corexy: G28 homes X on the carriage switch (stepper_x = x - y), Y also halts stepper_x; a diagonal move', async () => {
    const p = await start(
      'kinematics-hybrid',
      `[printer]
kinematics: hybrid_corexy
max_velocity: 300
max_accel: 3000
max_z_velocity: 25
max_z_accel: 30
[stepper_x]
${MOTOR('PF0', 'PF1', 'PD7', 'rotation_distance: 40\nendstop_pin: ^PE5\nposition_endstop: 0\nposition_max: 200\nhoming_speed: 50')}
[stepper_y]
${MOTOR('PF6', 'PF7', 'PF2', 'rotation_distance: 40\nendstop_pin: ^PJ1\nposition_endstop: 0\nposition_max: 200\nhoming_speed: 50')}
[stepper_z]
${MOTOR('PL3', 'PL1', 'PK0', 'rotation_distance: 8\nendstop_pin: ^PD3\nposition_endstop: 0.5\nposition_max: 200\nhoming_retract_dist: 2')}`,
      // The carriage at x = 20 + 15 (stepper_x + stepper_y), y = 15, z = 3.
      { stepper_x: { position_mm: 20 }, stepper_y: { position_mm: 15 }, stepper_z: { position_mm: 3 } },
    );
    try {
      await p.run('G28');
      const th = p.host.printer.lookupObject<Status>('toolhead');
      expect(th.getStatus().homed_axes).toBe('xyz');
      const [x, y, z] = th.getStatus().position as number[];
      for (const [v, pe] of [
        [x, 0],
        [y, 0],
        [z, 0.5],
      ] as const)
        expect(Math.abs(v! - pe)).toBeLessThan(3 * STEP_MM);
      // Independently: the motors of a hybrid corexy turn x - y, y and z.
      const rails = (q: number[]) => ({ stepper_x: q[0]! - q[1]!, stepper_y: q[1]!, stepper_z: q[2]! });
      await checkMove(p, [150, 40, 12], rails, { stepper_x: STEP_MM, stepper_y: STEP_MM, stepper_z: Z_STEP_MM });
    } finally {
      await p.stop();
    }
  }, 120_000);

  it('polar: G28 homes the arm outwards along +X (the bed is not homed) and Z; a move across the bed', async () => {
    const bedStepRad = (2 * Math.PI) / (200 * 16 * 5);
    const p = await start(
      'kinematics-polar',
      `[printer]
kinematics: polar
max_velocity: 300
max_accel: 3000
max_z_velocity: 25
max_z_accel: 30
[stepper_bed]
${MOTOR('PF0', 'PF1', 'PD7', 'gear_ratio: 80:16')}
[stepper_arm]
${MOTOR('PF6', 'PF7', 'PF2', 'rotation_distance: 40\nendstop_pin: ^PJ1\nposition_endstop: 300\nposition_max: 300\nhoming_speed: 50')}
[stepper_z]
${MOTOR('PL3', 'PL1', 'PK0', 'rotation_distance: 8\nendstop_pin: ^PD3\nposition_endstop: 0.5\nposition_max: 200\nhoming_retract_dist: 2')}`,
      { stepper_arm: { position_mm: 270 }, stepper_z: { position_mm: 3 } },
    );
    try {
      await expect(p.run('G1 X10 F600')).rejects.toThrow(/Must home axis first/);
      await p.run('G28');
      const th = p.host.printer.lookupObject<Status>('toolhead');
      expect(th.getStatus().homed_axes).toBe('xyz');
      const [x, y] = th.getStatus().position as number[];
      expect(Math.abs(x! - 300)).toBeLessThan(3 * STEP_MM);
      expect(y).toBe(0);
      await expect(p.run('G1 X250 Y200 F3000')).rejects.toThrow(/Move out of range/); // radius 320
      // Independently: the arm is the radius, the bed the angle (both points are off the -X axis).
      const rails = (q: number[]) => ({ stepper_arm: Math.hypot(q[0]!, q[1]!), stepper_bed: Math.atan2(q[1]!, q[0]!), stepper_z: q[2]! });
      await checkMove(p, [-60, 120, 8], rails, { stepper_arm: STEP_MM, stepper_bed: bedStepRad, stepper_z: Z_STEP_MM });
    } finally {
      await p.stop();
    }
  }, 120_000);

  it('deltesian: G28 homes both towers up together and Y; a move in X, Y and Z', async () => {
    const [arm, armX, pe] = [217, 160, 268];
    const p = await start(
      'kinematics-deltesian',
      `[printer]
kinematics: deltesian
max_velocity: 500
max_accel: 3000
max_z_velocity: 150
[stepper_left]
${MOTOR('PF0', 'PF1', 'PD7', `rotation_distance: 40\nendstop_pin: ^PE5\nhoming_speed: 50\nposition_endstop: ${pe}\narm_length: ${arm}\narm_x_length: ${armX}`)}
[stepper_right]
${MOTOR('PL3', 'PL1', 'PK0', 'rotation_distance: 40\nendstop_pin: ^PD3')}
[stepper_y]
${MOTOR('PF6', 'PF7', 'PF2', 'rotation_distance: 40\nendstop_pin: ^PJ1\nposition_endstop: 0\nposition_max: 200\nhoming_speed: 50')}`,
      { stepper_left: { position_mm: 250 }, stepper_right: { position_mm: 240 }, stepper_y: { position_mm: 15 } },
    );
    try {
      await p.run('G28');
      const th = p.host.printer.lookupObject<Status>('toolhead');
      expect(th.getStatus().homed_axes).toBe('xyz');
      const [x, y, z] = th.getStatus().position as number[];
      expect(Math.abs(x!)).toBeLessThan(0.05);
      expect(Math.abs(y!)).toBeLessThan(3 * STEP_MM);
      expect(Math.abs(z! - pe)).toBeLessThan(0.05);
      // Independently: a carriage stands sqrt(arm^2 - (x -+ arm_x)^2) above the effector.
      const rails = (q: number[]) => ({
        stepper_left: q[2]! + Math.sqrt(arm ** 2 - (q[0]! + armX) ** 2),
        stepper_right: q[2]! + Math.sqrt(arm ** 2 - (q[0]! - armX) ** 2),
        stepper_y: q[1]!,
      });
      await checkMove(p, [30, 60, 150], rails, { stepper_left: STEP_MM, stepper_right: STEP_MM, stepper_y: STEP_MM });
    } finally {
      await p.stop();
    }
  }, 120_000);
});
