// [dual_carriage] on hybrid_corexy / hybrid_corexz through a real toolhead: every motor's net
// steps in PRIMARY, COPY and MIRROR against hand-worked kinematics (stepper_x = carriage 0 - y,
// dual_carriage = carriage 1 - y, stepper_y = y; 80 steps/mm, stepper_z 400), GET_POSITION's stepper line in
// each carriage's real frame, the Y switch halting both X motors, and the axis: y refusal.
import { describe, expect, it } from 'vitest';
import type { Toolhead } from '../../../src-main/host/motion/index';
import type { DualCarriage } from '../../../src-main/host/objects/dual-carriage';
import type { PrinterToolhead } from '../../../src-main/host/objects/toolhead';
import { connectWithRun, loadError, loadText } from '../objects/load-helpers';
import { HYBRID_IDEX } from './dual-carriage-config';

/** stepper_x, stepper_y, stepper_z (rotation_distance 8), dual_carriage. */
const STEPS_PER_MM = [80, 80, 400, 80];
type Run = Awaited<ReturnType<typeof connectWithRun>>;

/** Net steps of stepper_x, stepper_y, stepper_z and dual_carriage. */
function steps(p: Run): number[] {
  const steppers = p.printer.lookupObject<PrinterToolhead>('printer_toolhead').steppers;
  return ['stepper_x', 'stepper_y', 'stepper_z', 'dual_carriage'].map((n) => steppers.find((s) => s.name === n)!.motion.mcuPositionSteps);
}
const since = (a: number[], b: number[]) => b.map((v, i) => v - a[i]!);
/** Motor travels (mm) as step counts. */
const mm = (...v: number[]) => v.map((x, i) => Math.round(x * STEPS_PER_MM[i]!));
const dc = (p: Run) => p.printer.lookupObject<DualCarriage>('dual_carriage');

/** Carriage 0 at 20, carriage 1 at 180, Y 0 (batch mode: placed, not homed on switches). */
async function placed(text = HYBRID_IDEX): Promise<Run> {
  const p = await connectWithRun(text);
  await p.run(
    'SET_KINEMATIC_POSITION X=20 Y=0 Z=0\nSET_DUAL_CARRIAGE CARRIAGE=1\nSET_KINEMATIC_POSITION X=180\nSET_DUAL_CARRIAGE CARRIAGE=0',
  );
  return p;
}

describe('[dual_carriage] on hybrid_corexy', () => {
  it('PRIMARY: the active carriage follows X and Y, the parked one still turns with Y (its belt runs with the gantry)', async () => {
    const p = await placed();
    const th = p.printer.lookupObject<Toolhead>('toolhead');
    let a = steps(p);
    // c0 20 -> 50, y 0 -> 10: stepper_x +30 - 10, stepper_y +10, dual_carriage (c1 stays 180) -10.
    await p.run('G1 X50 Y10 F6000\nM400');
    expect(since(a, steps(p))).toEqual(mm(20, 10, 0, -10));
    expect(dc(p).carriagePositions()).toEqual([50, 180]);
    await p.run('SET_DUAL_CARRIAGE CARRIAGE=1');
    expect(th.getPosition()[0]).toBe(180);
    a = steps(p);
    // c1 180 -> 150, y 10 -> 30: dual_carriage -30 - 20, stepper_x (c0 stays 50) -20, stepper_y +20.
    await p.run('G1 X150 Y30 F6000\nM400');
    expect(since(a, steps(p))).toEqual(mm(-20, 20, 0, -50));
    expect(dc(p).carriagePositions()).toEqual([50, 150]);
    const pos = await p.run('GET_POSITION');
    // Each motor where its carriage and the gantry put it: stepper_x 50 - 30, dual_carriage 150 - 30.
    expect(pos).toMatch(/stepper: stepper_x:20\.000000 stepper_y:30\.000000 stepper_z:0\.000000 dual_carriage:120\.000000/);
    expect(pos).toMatch(/kinematic: X:150\.000000 Y:30\.000000 Z:0\.000000/);
  });

  it('COPY moves both carriages alike, MIRROR opposite, each motor minus the Y travel', async () => {
    const p = await placed();
    await p.run('G1 X50 Y30 F6000\nSET_DUAL_CARRIAGE CARRIAGE=1 MODE=COPY');
    let a = steps(p);
    // x 50 -> 60, y 30 -> 20: both X motors +10 + 10, stepper_y -10.
    await p.run('G1 X60 Y20 F6000\nM400');
    expect(since(a, steps(p))).toEqual(mm(20, -10, 0, 20));
    expect(dc(p).carriagePositions()).toEqual([60, 190]);
    await p.run('SET_DUAL_CARRIAGE CARRIAGE=1 MODE=MIRROR');
    a = steps(p);
    // x 60 -> 70, y 20 -> 25: stepper_x +10 - 5, dual_carriage (c1 190 -> 180) -10 - 5.
    await p.run('G1 X70 Y25 F6000\nM400');
    expect(since(a, steps(p))).toEqual(mm(5, 5, 0, -15));
    expect(dc(p).carriagePositions()).toEqual([70, 180]);
    const pos = await p.run('GET_POSITION');
    expect(pos).toMatch(/stepper: stepper_x:45\.000000 stepper_y:25\.000000 stepper_z:0\.000000 dual_carriage:155\.000000/);
    expect(pos).toMatch(/kinematic: X:70\.000000 Y:25\.000000/);
    // From the start: each motor's total is its carriage's travel minus Y's (exact, no drift).
    expect(steps(p)).toEqual(mm(70 - 20 - 25, 25, 0, 180 - 180 - 25));
  });

  it('the Y switch halts both X motors; axis: y is refused on hybrid', () => {
    const p = loadText(HYBRID_IDEX);
    const rails = p.printer.lookupObject<PrinterToolhead>('printer_toolhead').homingRails;
    expect(rails.find((r) => r.axis === 'y')!.steppers.map((s) => s.name)).toEqual(['stepper_y', 'stepper_x', 'dual_carriage']);
    expect(rails.find((r) => r.name === 'dual_carriage')!.steppers.map((s) => s.name)).toEqual(['dual_carriage']);
    expect(loadError(HYBRID_IDEX.replace('axis: x', 'axis: y'))).toMatch(
      /\[dual_carriage\] on hybrid_corexy moves along X only: set axis: x/,
    );
  });
});

describe('[dual_carriage] on hybrid_corexz', () => {
  it('the motors turn x - z: a Z move turns both X motors, MIRROR included', async () => {
    const p = await placed(HYBRID_IDEX.replace('hybrid_corexy', 'hybrid_corexz'));
    const rails = p.printer.lookupObject<PrinterToolhead>('printer_toolhead').homingRails;
    expect(rails.find((r) => r.axis === 'z')!.steppers.map((s) => s.name)).toEqual(['stepper_z', 'stepper_x', 'dual_carriage']);
    let a = steps(p);
    await p.run('G1 X30 Z2 F600\nM400');
    expect(since(a, steps(p))).toEqual(mm(10 - 2, 0, 2, -2));
    await p.run('SET_DUAL_CARRIAGE CARRIAGE=1 MODE=MIRROR');
    a = steps(p);
    await p.run('G1 X40 Z1 F600\nM400');
    expect(since(a, steps(p))).toEqual(mm(10 + 1, 0, -1, -10 + 1));
    // Mirrored about 105 (carriages at 30 and 180): carriage 1 at 170, its motor 170 - z.
    expect(dc(p).carriagePositions()).toEqual([40, 170]);
    expect(await p.run('GET_POSITION')).toMatch(
      /stepper: stepper_x:39\.000000 stepper_y:0\.000000 stepper_z:1\.000000 dual_carriage:169\.000000/,
    );
  });
});
