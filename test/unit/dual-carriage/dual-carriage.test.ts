// [dual_carriage] (IDEX) in batch mode, with real step generation: the carriage each mode moves
// and by how many steps, safe_distance, SAVE/RESTORE_DUAL_CARRIAGE_STATE, the status, option
// errors naming section/option/line, and Klipper's sample-idex.cfg loading.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Toolhead } from '../../../src-main/host/motion/index';
import type { DualCarriage } from '../../../src-main/host/objects/dual-carriage';
import type { PrinterToolhead } from '../../../src-main/host/objects/toolhead';
import { CARTESIAN, connectWithRun, loadError, loadText } from '../objects/load-helpers';
import { referenceDir } from '../../support/paths';
import { DUAL_CARRIAGE, IDEX } from './dual-carriage-config';

/** 200 full steps x 16 microsteps per 40 mm. */
const STEPS_PER_MM = 80;

type Run = Awaited<ReturnType<typeof connectWithRun>>;

function motors(p: Run) {
  const steppers = p.printer.lookupObject<PrinterToolhead>('printer_toolhead').steppers;
  const by = (n: string) => steppers.find((s) => s.name === n)!.motion;
  return { c0: by('stepper_x'), c1: by('dual_carriage') };
}
const dc = (p: Run) => p.printer.lookupObject<DualCarriage>('dual_carriage');
/** Net steps of both carriages' motors. */
const steps = (p: Run) => {
  const m = motors(p);
  return [m.c0.mcuPositionSteps, m.c1.mcuPositionSteps];
};

/**
 * Batch mode has no switches to home on: place carriage 0 at 20 and carriage 1 at 180 with
 * SET_KINEMATIC_POSITION (each while it is the primary, which marks it homed).
 */
async function placed(text = IDEX): Promise<Run> {
  const p = await connectWithRun(text);
  await p.run(
    'SET_KINEMATIC_POSITION X=20 Y=0 Z=0\nSET_DUAL_CARRIAGE CARRIAGE=1\nSET_KINEMATIC_POSITION X=180\nSET_DUAL_CARRIAGE CARRIAGE=0',
  );
  return p;
}

describe('[dual_carriage] motion', () => {
  it('PRIMARY: only the active carriage steps; the toolhead takes over the other one where it is', async () => {
    const p = await placed();
    const th = p.printer.lookupObject<Toolhead>('toolhead');
    expect(th.getPosition()[0]).toBe(20);
    expect(dc(p).getStatus()).toEqual({ carriage_0: 'PRIMARY', carriage_1: 'INACTIVE' });
    await p.run('G1 X50 F6000\nM400');
    expect(steps(p)).toEqual([30 * STEPS_PER_MM, 0]);
    await p.run('SET_DUAL_CARRIAGE CARRIAGE=1');
    expect(th.getPosition()[0]).toBe(180);
    expect(dc(p).getStatus()).toEqual({ carriage_0: 'INACTIVE', carriage_1: 'PRIMARY' });
    // G-code coordinates follow the new carriage (gcode_move resynced: a relative move is relative to it).
    await p.run('G91\nG1 X-25 F6000\nG90\nM400');
    expect(steps(p)).toEqual([30 * STEPS_PER_MM, -25 * STEPS_PER_MM]);
    expect(dc(p).carriagePositions()).toEqual([50, 155]);
    const pos = await p.run('GET_POSITION');
    expect(pos).toMatch(/kinematic: X:155\.000000/);
    expect(pos).toMatch(/mcu: stepper_x:2400 stepper_y:0 stepper_z:0 dual_carriage:-2000/);
    // The stepper line: each carriage where it is (carriage 0 parked at 50), not its motor's own frame.
    expect(pos).toMatch(/stepper: stepper_x:50\.000000 stepper_y:0\.000000 stepper_z:0\.000000 dual_carriage:155\.000000/);
    // Carriage 1's range is its own: position_min 0 .. 200.
    await expect(p.run('G1 X201')).rejects.toThrow(/Move out of range: 201\.000/);
  });

  it('COPY steps both carriages the same way, MIRROR the opposite way, by equal counts', async () => {
    const p = await placed();
    await p.run('SET_DUAL_CARRIAGE CARRIAGE=1 MODE=COPY');
    expect(dc(p).getStatus()).toEqual({ carriage_0: 'PRIMARY', carriage_1: 'COPY' });
    expect(p.printer.lookupObject<Toolhead>('toolhead').getPosition()[0]).toBe(20);
    await p.run('G1 X35.5 F6000\nM400');
    expect(steps(p)).toEqual([15.5 * STEPS_PER_MM, 15.5 * STEPS_PER_MM]);
    expect(dc(p).carriagePositions()).toEqual([35.5, 195.5]);
    // Carriage 1 would leave its range (195.5 + 10 > 200): refused, naming the carriage.
    await expect(p.run('G1 X45.5')).rejects.toThrow(/Move out of range for carriage 1 of \[dual_carriage\] \(it would reach 205\.500\)/);
    await p.run('SET_DUAL_CARRIAGE CARRIAGE=1 MODE=MIRROR');
    expect(dc(p).getStatus()).toEqual({ carriage_0: 'PRIMARY', carriage_1: 'MIRROR' });
    const before = steps(p);
    await p.run('G1 X60 F6000\nM400');
    const after = steps(p);
    expect([after[0]! - before[0]!, after[1]! - before[1]!]).toEqual([24.5 * STEPS_PER_MM, -24.5 * STEPS_PER_MM]);
    expect(dc(p).carriagePositions()).toEqual([60, 171]);
    expect(await p.run('GET_POSITION')).toMatch(/stepper: stepper_x:60\.000000 .*dual_carriage:171\.000000/);
    // Back to PRIMARY: carriage 1 stays where mirroring left it.
    await p.run('SET_DUAL_CARRIAGE CARRIAGE=0\nG1 X70\nM400');
    expect(steps(p)[1]).toBe(after[1]);
    expect(dc(p).carriagePositions()).toEqual([70, 171]);
  });

  it('safe_distance: moves bringing the carriages closer than 40 mm are refused, moving apart is not', async () => {
    const p = await placed();
    await p.run('G1 X140 F6000');
    await expect(p.run('G1 X140.5')).rejects.toThrow(
      /Move would bring the carriages of \[dual_carriage\] 39\.500 mm apart, closer than safe_distance 40\.000 mm.*: 140\.500 0\.000 0\.000/,
    );
    await p.run('SET_DUAL_CARRIAGE CARRIAGE=1');
    await expect(p.run('G1 X179')).rejects.toThrow(/39\.000 mm apart/);
    await p.run('G1 X190\nM400');
    // MIRROR closes the gap twice as fast: 50 mm apart allows 5 mm, not 6.
    await p.run('SET_DUAL_CARRIAGE CARRIAGE=0\nSET_DUAL_CARRIAGE CARRIAGE=1 MODE=MIRROR');
    await p.run('G1 X145');
    await expect(p.run('G1 X146')).rejects.toThrow(/38\.000 mm apart/);
    // COPY keeps the gap whatever the move.
    await p.run('SET_DUAL_CARRIAGE CARRIAGE=1 MODE=COPY\nG1 X10\nM400');
    expect(dc(p).kinematics.gapMm(10)).toBeCloseTo(40, 9);
  });

  it('COPY/MIRROR need both carriages homed and carriage 1; M84 forgets both', async () => {
    const p = await connectWithRun(IDEX);
    await p.run('SET_KINEMATIC_POSITION X=20 Y=0 Z=0');
    await expect(p.run('SET_DUAL_CARRIAGE CARRIAGE=1 MODE=COPY')).rejects.toThrow(/needs both carriages homed: run G28 X first/);
    await expect(p.run('SET_DUAL_CARRIAGE CARRIAGE=0 MODE=MIRROR')).rejects.toThrow(/Mode MIRROR is only for CARRIAGE=1/);
    await expect(p.run('SET_DUAL_CARRIAGE CARRIAGE=2')).rejects.toThrow(/CARRIAGE/);
    await expect(p.run('SET_DUAL_CARRIAGE CARRIAGE=1 MODE=SIDEWAYS')).rejects.toThrow(/Invalid MODE=SIDEWAYS/);
    // Carriage 1 not homed yet: as the primary, X is not homed.
    await p.run('SET_DUAL_CARRIAGE CARRIAGE=1');
    await expect(p.run('G1 X100')).rejects.toThrow(/Must home axis first/);
    await p.run('SET_KINEMATIC_POSITION X=180\nM84');
    expect(dc(p).kinematics.isHomed(0) || dc(p).kinematics.isHomed(1)).toBe(false);
    expect(p.printer.lookupObject<Toolhead>('toolhead').getStatus().homed_axes).toBe('');
  });

  it('SAVE/RESTORE_DUAL_CARRIAGE_STATE put modes and (MOVE=1) positions back', async () => {
    const p = await placed();
    await p.run('SET_DUAL_CARRIAGE CARRIAGE=1 MODE=COPY\nG1 X10 F6000\nSAVE_DUAL_CARRIAGE_STATE NAME=print');
    await p.run('SET_DUAL_CARRIAGE CARRIAGE=0\nG1 X60\nSET_DUAL_CARRIAGE CARRIAGE=1\nG1 X190\nM400');
    expect(dc(p).carriagePositions()).toEqual([60, 190]);
    await p.run('RESTORE_DUAL_CARRIAGE_STATE NAME=print MOVE=0');
    expect(dc(p).getStatus()).toEqual({ carriage_0: 'PRIMARY', carriage_1: 'COPY' });
    expect(dc(p).carriagePositions()).toEqual([60, 190]);
    await p.run('SET_DUAL_CARRIAGE CARRIAGE=0\nRESTORE_DUAL_CARRIAGE_STATE NAME=print MOVE_SPEED=100\nM400');
    expect(dc(p).getStatus()).toEqual({ carriage_0: 'PRIMARY', carriage_1: 'COPY' });
    expect(dc(p).carriagePositions()).toEqual([10, 170]);
    expect(steps(p)).toEqual([-10 * STEPS_PER_MM, -10 * STEPS_PER_MM]);
    await expect(p.run('RESTORE_DUAL_CARRIAGE_STATE NAME=nope')).rejects.toThrow(/Unknown DUAL_CARRIAGE state: nope \(saved: print\)/);
  });

  it('axis: y puts the second carriage on Y: stepper_y and dual_carriage share that axis', async () => {
    const p = await connectWithRun(IDEX.replace('axis: x', 'axis: y'));
    await p.run('SET_KINEMATIC_POSITION X=0 Y=20 Z=0\nSET_DUAL_CARRIAGE CARRIAGE=1\nSET_KINEMATIC_POSITION Y=180');
    expect(p.printer.lookupObject<Toolhead>('toolhead').getPosition()[1]).toBe(180);
    await p.run('G1 X10 Y170 F6000\nSET_DUAL_CARRIAGE CARRIAGE=0\nG1 Y30\nM400');
    const steppers = p.printer.lookupObject<PrinterToolhead>('printer_toolhead').steppers;
    const net = (n: string) => steppers.find((s) => s.name === n)!.motion.mcuPositionSteps;
    expect([net('stepper_x'), net('stepper_y'), net('dual_carriage')]).toEqual([10 * STEPS_PER_MM, 10 * STEPS_PER_MM, -10 * STEPS_PER_MM]);
    await expect(p.run('G1 Y130.5')).rejects.toThrow(/39\.500 mm apart/);
  });

  it('FORCE_MOVE STEPPER=dual_carriage moves carriage 1 alone; QUERY_ENDSTOPS-ready endstop list', async () => {
    const p = await placed();
    await p.run('FORCE_MOVE STEPPER=dual_carriage DISTANCE=-5 VELOCITY=10\nM400');
    expect(steps(p)).toEqual([0, -5 * STEPS_PER_MM]);
    const homing = p.printer.lookupObject<DualCarriage>('dual_carriage').carriageRails;
    expect(homing.map((r) => r.name)).toEqual(['x', 'dual_carriage']);
  });
});

describe('[dual_carriage] config', () => {
  const lineOf = (text: string, start: string) => text.split('\n').findIndex((l) => l.startsWith(start)) + 1;

  it('option errors name the section, the option and the line', () => {
    const badAxis = IDEX.replace('axis: x', 'axis: z');
    expect(loadError(badAxis)).toMatch(new RegExp(`axis.*dual_carriage.*|dual_carriage.*axis`, 's'));
    expect(loadError(badAxis)).toContain(`printer.cfg:${lineOf(badAxis, 'axis: z')}`);
    const noEndstop = IDEX.replace('position_endstop: 200\nposition_max: 200', 'position_max: 200');
    expect(loadError(noEndstop)).toMatch(/Option 'position_endstop' in section 'dual_carriage' must be specified/);
    const negative = IDEX.replace('safe_distance: 40', 'safe_distance: -1');
    expect(loadError(negative)).toMatch(/safe_distance/);
    expect(loadError(negative)).toContain(`printer.cfg:${lineOf(negative, 'safe_distance')}`);
    const corexy = IDEX.replace('kinematics: cartesian', 'kinematics: corexy');
    expect(loadError(corexy)).toMatch(
      /\[dual_carriage\] is supported on cartesian, hybrid_corexy, hybrid_corexz printers only \(this printer's kinematics is corexy\)/,
    );
    const noAxis = IDEX.replace('axis: x\n', '');
    expect(loadError(noAxis)).toMatch(/axis/);
  });

  it('safe_distance defaults to how far the two ranges are apart', async () => {
    const text = IDEX.replace('safe_distance: 40\n', '').replace(
      'position_max: 200\nhoming_speed: 50',
      'position_min: 30\nposition_max: 250\nhoming_speed: 50',
    );
    const p = loadText(text.replace('position_endstop: 200\n', 'position_endstop: 250\n'));
    expect(p.printer.lookupObject<DualCarriage>('dual_carriage').kinematics.safeDistanceMm).toBe(30);
    const same = loadText(IDEX.replace('safe_distance: 40\n', ''));
    expect(same.printer.lookupObject<DualCarriage>('dual_carriage').kinematics.safeDistanceMm).toBe(0);
  });

  it("Klipper's sample-idex.cfg (carriages, extruders, T0/T1 and copy/mirror macros) loads", async () => {
    const sample = fs.readFileSync(path.join(referenceDir, 'klipper-configs/sample-idex.cfg'), 'utf8');
    // The snippet has no [mcu]/[printer]/Y/Z: the shared test printer's, without its X and extruder.
    const base = CARTESIAN.replace(/\[stepper_x\][^[]*/, '').replace(/\[extruder\][^[]*/, '');
    // Its Arduino Mega pin names (arNN, analogNN) as aliases of the atmega2560's own.
    const arduino = `
[board_pins arduino]
aliases: ar54=PF0, ar55=PF1, ar38=PD7, ar3=PE5, ar26=PA4, ar28=PA6, ar24=PA2, ar10=PB4, analog13=PK5,
  ar16=PH1, ar17=PH0, ar23=PA1, ar2=PE4, ar36=PC1, ar34=PC3, ar30=PC7, ar11=PB5, analog15=PK7
`;
    const p = await connectWithRun(arduino + base + sample);
    expect(p.printer.lookupObject<DualCarriage>('dual_carriage').getStatus()).toEqual({ carriage_0: 'PRIMARY', carriage_1: 'INACTIVE' });
    await p.run(
      'SET_KINEMATIC_POSITION X=0 Y=0 Z=0\nSET_DUAL_CARRIAGE CARRIAGE=1\nSET_KINEMATIC_POSITION X=200\nSET_DUAL_CARRIAGE CARRIAGE=0',
    );
    await p.run('T1');
    const th = p.printer.lookupObject<Toolhead>('toolhead');
    expect(th.getStatus().extruder).toBe('extruder1');
    expect(th.getPosition()[0]).toBe(200);
    await p.run('T0\nACTIVATE_COPY_MODE');
    expect(p.printer.lookupObject<DualCarriage>('dual_carriage').getStatus()).toEqual({ carriage_0: 'PRIMARY', carriage_1: 'COPY' });
    expect(p.printer.lookupObject<DualCarriage>('dual_carriage').carriagePositions()).toEqual([0, 100]);
    await p.run('ACTIVATE_MIRROR_MODE');
    expect(p.printer.lookupObject<DualCarriage>('dual_carriage').carriagePositions()).toEqual([0, 200]);
    expect(p.printer.lookupObject<DualCarriage>('dual_carriage').getStatus().carriage_1).toBe('MIRROR');
  });

  it('DUAL_CARRIAGE text is a valid section on its own terms (no stray options)', () => {
    expect(() => loadText(CARTESIAN + DUAL_CARRIAGE)).not.toThrow();
  });
});
