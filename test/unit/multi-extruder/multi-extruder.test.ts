// Several extruders on one toolhead (batch mode, real step generation): config loading and its
// errors, ACTIVATE_EXTRUDER choosing which motor E drives (each extruder keeping its own filament
// position), SET_EXTRUDER_ROTATION_DISTANCE, SYNC_EXTRUDER_MOTION, M104 T<n>, and the status.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Toolhead } from '../../../src-main/host/motion/index';
import type { PrinterExtruder } from '../../../src-main/host/objects/extruder';
import type { ExtruderStepper } from '../../../src-main/host/objects/extruder-stepper';
import type { PrintStats } from '../../../src-main/host/objects/print-stats';
import { statusOf } from '../../../src-main/host/objects/status-objects';
import { CARTESIAN, connectWithRun, loadFile, loadText, type LoadedPrinter } from '../objects/load-helpers';
import { referenceDir } from '../../support/paths';
import { DUAL, EXTRA_STEPPER, EXTRUDER1 } from './dual-config';

/** Step distance (mm) of a config's motor: rotation_distance / (200 full steps x 16 microsteps). */
const stepMm = (rotationDistanceMm: number) => rotationDistanceMm / 3200;

const dual = (text = DUAL) => connectWithRun(text);

/** Net steps each motor has been sent (MCU position, positive = filament forward). */
function netSteps(p: LoadedPrinter): Record<string, number> {
  const e0 = p.printer.lookupObject<PrinterExtruder>('extruder');
  const e1 = p.printer.lookupObject<PrinterExtruder>('extruder1');
  const belted = p.printer.lookupObject<ExtruderStepper>('extruder_stepper belted');
  return {
    extruder: e0.stepper!.motion.mcuPositionSteps,
    extruder1: e1.stepper!.motion.mcuPositionSteps,
    belted: belted.stepper.motion.mcuPositionSteps,
  };
}

/** Steps a motor makes from filament position a to b on the half-step grid starting at 0. */
const gridSteps = (aMm: number, bMm: number, stepDistMm: number) => Math.round(bMm / stepDistMm) - Math.round(aMm / stepDistMm);

describe('multi-extruder config', () => {
  it('loads [extruder1] and [extruder_stepper]; [extruder] is active, the others wait', async () => {
    const p = await dual();
    const th = p.printer.lookupObject<Toolhead>('toolhead');
    expect(th.getStatus().extruder).toBe('extruder');
    expect(p.printer.lookupObject<PrinterExtruder>('extruder1').name).toBe('extruder1');
    // [extruder_stepper belted] follows extruder: the toolhead steps it along with extruder's motor.
    expect(
      th
        .allSteppers()
        .map((s) => s.name)
        .slice(-2),
    ).toEqual(['extruder', 'extruder_stepper belted']);
    expect(statusOf(p.printer, 'extruder_stepper belted')).toEqual({ pressure_advance: 0, smooth_time: 0.04, motion_queue: 'extruder' });
    const s1 = statusOf(p.printer, 'extruder1')!;
    expect(s1).toMatchObject({ target: 0, can_extrude: true, motion_queue: 'extruder1', pressure_advance: 0 });
  });

  it('rejects gaps, shared_heater and unknown extruders with file:line', () => {
    const gap = CARTESIAN + EXTRUDER1.replace('[extruder1]', '[extruder2]');
    expect(() => loadText(gap)).toThrow(/Section \[extruder2\] needs \[extruder1\].*printer\.cfg:\d+/s);
    const shared = CARTESIAN + EXTRUDER1.replace('step_pin: PC1', 'shared_heater: extruder\nstep_pin: PC1');
    const sharedLine = shared.split('\n').findIndex((l) => l.startsWith('shared_heater')) + 1;
    expect(() => loadText(shared)).toThrow(new RegExp(`shared_heater.*removed.*extruder_stepper.*printer\\.cfg:${sharedLine}`, 's'));
    const bad = CARTESIAN + EXTRA_STEPPER.replace('extruder: extruder', 'extruder: extruder7');
    const badLine = bad.split('\n').findIndex((l) => l === 'extruder: extruder7') + 1;
    expect(() => loadText(bad)).toThrow(
      new RegExp(`'extruder7' is not a valid extruder \\(extruders: extruder\\).*printer\\.cfg:${badLine}`, 's'),
    );
    expect(() => loadText(CARTESIAN + EXTRA_STEPPER.replace('[extruder_stepper belted]', '[extruder_stepper]'))).toThrow(
      /\[extruder_stepper\] needs a name.*printer\.cfg:\d+/s,
    );
    expect(() => loadText(CARTESIAN + '\n[extruder0]\n')).toThrow(/Section 'extruder0' is not a valid config section/);
  });

  it('an [extruder_stepper] with an empty extruder: option stands still until synced', async () => {
    const p = await dual(DUAL.replace('extruder: extruder\n', 'extruder:\n'));
    expect(statusOf(p.printer, 'extruder_stepper belted')!.motion_queue).toBeNull();
    await p.run('G1 E4 F600\nM400');
    expect(netSteps(p).belted).toBe(0);
    expect(netSteps(p).extruder).toBe(gridSteps(0, 4, stepMm(33.5)));
  });
});

describe('ACTIVATE_EXTRUDER', () => {
  it('moves E to the active extruder; each keeps its own filament position', async () => {
    const p = await dual();
    const th = p.printer.lookupObject<Toolhead>('toolhead');
    await p.run('G1 E5 F600\nM400');
    expect(netSteps(p)).toEqual({ extruder: gridSteps(0, 5, stepMm(33.5)), extruder1: 0, belted: gridSteps(0, 5, stepMm(33.5)) });

    expect(await p.run('ACTIVATE_EXTRUDER EXTRUDER=extruder1')).toBe('// Activating extruder extruder1');
    expect(th.getStatus().extruder).toBe('extruder1');
    expect(th.getPosition()[3]).toBe(0); // extruder1's own last position
    // G-code E starts over (Klipper): absolute E3 is 3 mm of extruder1's filament.
    await p.run('G1 E3 F600\nM400');
    const after1 = netSteps(p);
    expect(after1.extruder1).toBe(gridSteps(0, 3, stepMm(22.4)));
    expect(after1.extruder).toBe(gridSteps(0, 5, stepMm(33.5))); // untouched
    expect(after1.belted).toBe(gridSteps(0, 5, stepMm(33.5))); // it follows extruder, not the toolhead
    expect(await p.run('ACTIVATE_EXTRUDER EXTRUDER=extruder1')).toBe('// Extruder extruder1 already active');

    await p.run('ACTIVATE_EXTRUDER EXTRUDER=extruder');
    expect(th.getPosition()[3]).toBe(5); // back where extruder stopped
    await p.run('G1 E2 F600\nM400');
    expect(netSteps(p)).toEqual({
      extruder: gridSteps(0, 7, stepMm(33.5)),
      extruder1: gridSteps(0, 3, stepMm(22.4)),
      belted: gridSteps(0, 7, stepMm(33.5)),
    });
    await expect(p.run('ACTIVATE_EXTRUDER EXTRUDER=extruder9')).rejects.toThrow(
      /The value 'extruder9' is not valid for EXTRUDER \(extruders: extruder, extruder1\)/,
    );
  });

  it("M104/M109 T<n> pick the heater; without T the active extruder's", async () => {
    const p = await dual();
    const heaters = p.printer.lookupObject<{ heaters: Map<string, { targetC: number }> }>('heaters').heaters;
    await p.run('M104 T1 S205');
    expect(heaters.get('extruder1')!.targetC).toBe(205);
    expect(heaters.get('extruder')!.targetC).toBe(0);
    await p.run('M104 S190');
    expect(heaters.get('extruder')!.targetC).toBe(190);
    await p.run('ACTIVATE_EXTRUDER EXTRUDER=extruder1\nM109 S215');
    expect(heaters.get('extruder1')!.targetC).toBe(215);
    expect(heaters.get('extruder')!.targetC).toBe(190);
    await p.run('M104 T2 S0'); // turning off a heater that does not exist is fine (Klipper)
    await expect(p.run('M104 T2 S100')).rejects.toThrow(/Heater extruder2 not configured/);
    await expect(p.run('M104 T1.5 S100')).rejects.toThrow(/Unable to parse T='1.5' as an integer/);
  });
});

describe('SET_EXTRUDER_ROTATION_DISTANCE', () => {
  it('changes the steps per mm from the next move; negative inverts; reports like Klipper', async () => {
    const p = await dual();
    expect(await p.run('SET_EXTRUDER_ROTATION_DISTANCE EXTRUDER=extruder1')).toBe(
      "// Extruder 'extruder1' rotation distance set to 22.400000",
    );
    await p.run('ACTIVATE_EXTRUDER EXTRUDER=extruder1\nG1 E2 F600\nM400');
    const before = netSteps(p).extruder1;
    expect(before).toBe(gridSteps(0, 2, stepMm(22.4)));
    // Half the rotation distance: twice the steps for the same filament.
    expect(await p.run('SET_EXTRUDER_ROTATION_DISTANCE EXTRUDER=extruder1 DISTANCE=11.2')).toBe(
      "// Extruder 'extruder1' rotation distance set to 11.200000",
    );
    await p.run('G1 E4 F600\nM400');
    const doubled = netSteps(p).extruder1 - before;
    expect(Math.abs(doubled - 2 / stepMm(11.2))).toBeLessThanOrEqual(1);
    const e1 = p.printer.lookupObject<PrinterExtruder>('extruder1').stepper!.motion;
    expect(e1.invertDir).toBe(false);
    expect(await p.run('SET_EXTRUDER_ROTATION_DISTANCE EXTRUDER=extruder1 DISTANCE=-11.2')).toBe(
      "// Extruder 'extruder1' rotation distance set to -11.200000",
    );
    expect(e1.invertDir).toBe(true); // dir_pin PC3 has no '!': inverted now
    expect(await p.run('SET_EXTRUDER_ROTATION_DISTANCE EXTRUDER=belted DISTANCE=-33.5')).toBe(
      "// Extruder 'belted' rotation distance set to -33.500000",
    );
    // belted's dir_pin is !PG0: a negative distance turns that inversion off.
    expect(p.printer.lookupObject<ExtruderStepper>('extruder_stepper belted').stepper.motion.invertDir).toBe(false);
    await expect(p.run('SET_EXTRUDER_ROTATION_DISTANCE EXTRUDER=extruder1 DISTANCE=0')).rejects.toThrow(
      /Rotation distance can not be zero/,
    );
    await expect(p.run('SET_EXTRUDER_ROTATION_DISTANCE EXTRUDER=nosuch DISTANCE=1')).rejects.toThrow(
      /The value 'nosuch' is not valid for EXTRUDER \(extruder steppers: extruder, extruder1, belted\)/,
    );
    await expect(p.run('SET_EXTRUDER_STEP_DISTANCE EXTRUDER=extruder DISTANCE=0.01')).rejects.toThrow(/use SET_EXTRUDER_ROTATION_DISTANCE/);
  });
});

describe('SYNC_EXTRUDER_MOTION', () => {
  it("moves a stepper to another extruder's queue, or to none", async () => {
    const p = await dual();
    expect(await p.run('SYNC_EXTRUDER_MOTION EXTRUDER=belted MOTION_QUEUE=extruder1')).toBe(
      "// Extruder 'belted' now syncing with 'extruder1'",
    );
    expect(statusOf(p.printer, 'extruder_stepper belted')!.motion_queue).toBe('extruder1');
    await p.run('G1 E3 F600\nM400'); // extruder is active: belted no longer follows it
    expect(netSteps(p)).toEqual({ extruder: gridSteps(0, 3, stepMm(33.5)), extruder1: 0, belted: 0 });
    await p.run('ACTIVATE_EXTRUDER EXTRUDER=extruder1\nG1 E4 F600\nM400');
    expect(netSteps(p)).toMatchObject({ extruder1: gridSteps(0, 4, stepMm(22.4)), belted: gridSteps(0, 4, stepMm(33.5)) });

    // extruder1's own motor onto extruder's queue (a mixing setup): E on extruder drives both.
    await p.run('SYNC_EXTRUDER_MOTION EXTRUDER=extruder1 MOTION_QUEUE=extruder\nACTIVATE_EXTRUDER EXTRUDER=extruder');
    const before = netSteps(p);
    await p.run('G1 E2 F600\nM400'); // extruder: 3 -> 5 mm (G-code E restarted at 0 after the switch)
    const after = netSteps(p);
    expect(after.extruder - before.extruder).toBe(gridSteps(3, 5, stepMm(33.5)));
    expect(Math.abs(after.extruder1 - before.extruder1 - 2 / stepMm(22.4))).toBeLessThanOrEqual(1);
    expect(after.belted).toBe(before.belted); // still on extruder1's queue, which is idle
    expect(statusOf(p.printer, 'extruder1')!.motion_queue).toBe('extruder');

    expect(await p.run('SYNC_EXTRUDER_MOTION EXTRUDER=extruder1 MOTION_QUEUE=')).toBe("// Extruder 'extruder1' now syncing with ''");
    await p.run('G1 E4 F600\nM400');
    expect(netSteps(p).extruder1).toBe(after.extruder1);
    await expect(p.run('SYNC_EXTRUDER_MOTION EXTRUDER=belted MOTION_QUEUE=nosuch')).rejects.toThrow(/'nosuch' is not a valid extruder\./);
    await expect(p.run('SYNC_EXTRUDER_MOTION EXTRUDER=belted')).rejects.toThrow(/Missing parameter MOTION_QUEUE/);
  });
});

describe('Klipper sample configs with several extruders', () => {
  it('load their [extruderN] and [extruder_stepper] sections (other unsupported sections set aside)', () => {
    const dir = path.join(referenceDir, 'klipper-configs');
    const files = fs
      .readdirSync(dir)
      .filter((f) => /^\[(extruder[1-9]|extruder_stepper )/m.test(fs.readFileSync(path.join(dir, f), 'utf8')));
    const loaded: string[] = [];
    for (const f of files) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      let p: LoadedPrinter;
      try {
        p = loadFile(path.join(dir, f), 'skip');
      } catch (e) {
        // Snippets without [mcu]/[printer] and kinematics we lack cannot load at all.
        expect((e as Error).message, f).toMatch(/Section \[(mcu|printer)\] is missing|kinematics '\w+' is not supported yet/);
        continue;
      }
      for (const m of text.matchAll(/^\[(extruder[1-9]\d*|extruder_stepper [^\]]+)\]/gm)) {
        expect(statusOf(p.printer, m[1]!), `${f} [${m[1]}]`).toHaveProperty('motion_queue');
      }
      loaded.push(f);
    }
    console.log(`configs with several extruders: ${files.length}; loading with them read: ${loaded.join(', ')}`);
    expect(files.length).toBeGreaterThanOrEqual(8);
    expect(loaded.length).toBeGreaterThanOrEqual(6);
  });
});

describe('pressure advance per extruder stepper', () => {
  it('an [extruder_stepper] keeps its own pressure_advance, also across SYNC_EXTRUDER_MOTION', async () => {
    const p = await dual(DUAL.replace('extruder: extruder\n', 'extruder: extruder\npressure_advance: 0.05\n'));
    const belted = p.printer.lookupObject<ExtruderStepper>('extruder_stepper belted').stepper.motion;
    const own = p.printer.lookupObject<PrinterExtruder>('extruder').stepper!.motion;
    expect(statusOf(p.printer, 'extruder_stepper belted')).toMatchObject({ pressure_advance: 0.05, motion_queue: 'extruder' });
    // Only belted's rail is the advanced one (it looks ahead in time); extruder's stays plain E.
    expect(belted.scanWindowS).toBeGreaterThan(0);
    expect(own.scanWindowS).toBe(0);
    await p.run('SYNC_EXTRUDER_MOTION EXTRUDER=belted MOTION_QUEUE=\nSYNC_EXTRUDER_MOTION EXTRUDER=belted MOTION_QUEUE=extruder1');
    expect(belted.scanWindowS).toBeGreaterThan(0);
    await p.run('SET_KINEMATIC_POSITION X=100 Y=100 Z=10\nACTIVATE_EXTRUDER EXTRUDER=extruder1\nG1 X110 E2 F600\nM400');
    // The advance shifts steps in time, not their number: the whole move's steps arrive.
    expect(netSteps(p).belted).toBe(gridSteps(0, 2, stepMm(33.5)));
  });
});

describe('FORCE_MOVE on extra extruder motors', () => {
  it('moves [extruder1] and an [extruder_stepper] alone, by name', async () => {
    const p = await dual(`${DUAL}\n[force_move]\nenable_force_move: True\n`);
    const belted = p.printer.lookupObject<ExtruderStepper>('extruder_stepper belted');
    const before = netSteps(p);
    await p.run(
      `FORCE_MOVE STEPPER=extruder1 DISTANCE=2 VELOCITY=5\nFORCE_MOVE STEPPER="${belted.stepper.name}" DISTANCE=-1 VELOCITY=5\nM400`,
    );
    const after = netSteps(p);
    expect(after.extruder1 - before.extruder1).toBe(Math.round(2 / stepMm(22.4)));
    expect(after.belted - before.belted).toBe(-Math.round(1 / stepMm(33.5)));
    expect(after.extruder).toBe(before.extruder);
  });
});

describe('print_stats across ACTIVATE_EXTRUDER', () => {
  it('counts the filament each extruder pushed, with no jump at the switch', async () => {
    const p = await dual();
    await p.run('G1 E5 F600\nACTIVATE_EXTRUDER EXTRUDER=extruder1\nG1 E7 F600\nM400');
    const stats = p.printer.lookupObject<PrintStats>('print_stats');
    stats.noteStart();
    // extruder1 at 7, then back to extruder (its own position 5): 3 + 2 + 4 = 9 mm pushed.
    await p.run('G1 E10 F600\nACTIVATE_EXTRUDER EXTRUDER=extruder\nG1 E2 F600\nACTIVATE_EXTRUDER EXTRUDER=extruder1\nG1 E4 F600\nM400');
    expect(stats.getStatus().filament_used).toBeCloseTo(9, 6);
    expect(statusOf(p.printer, 'extruder')).toMatchObject({ can_extrude: true, pressure_advance: 0 });
  });
});
