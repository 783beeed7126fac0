// [stepper_z1] and friends: extra motors on a rail load with their own pins and geometry, take
// the main stepper's range and homing, stop on the rail's endstop or their own, and every
// Klipper sample config using them gets past them.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Toolhead } from '../../../src-main/host/motion/index';
import type { PrinterToolhead } from '../../../src-main/host/objects/toolhead';
import type { StepperEnable } from '../../../src-main/host/objects/stepper-enable';
import { referenceDir } from '../../support/paths';
import { parseConfigText } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import { CARTESIAN, connectMcu, loadConfig, loadFile, loadText } from '../objects/load-helpers';

const Z1 = `
[stepper_z1]
step_pin: PC1
dir_pin: !PC3
enable_pin: !PC7
microsteps: 32
rotation_distance: 4
`;

const toolheadOf = (text: string) => loadText(text).printer.lookupObject<PrinterToolhead>('printer_toolhead');

describe('extra steppers on a rail', () => {
  it('[stepper_z1] joins the Z rail with its own geometry, sharing stepper_z endstop', () => {
    const pt = toolheadOf(CARTESIAN + Z1);
    expect(pt.steppers.map((s) => s.name)).toEqual(['stepper_x', 'stepper_y', 'stepper_z', 'stepper_z1']);
    const z1 = pt.steppers[3]!;
    // 200 full steps x 32 microsteps over 4 mm.
    expect(z1.stepDistMm).toBeCloseTo(4 / 6400, 12);
    expect(z1.motion.invertDir).toBe(true);
    const zRail = pt.homingRails.find((r) => r.name === 'z')!;
    expect(zRail.steppers.map((s) => s.name)).toEqual(['stepper_z', 'stepper_z1']);
    expect(zRail.extraEndstops).toEqual([]);
    // The toolhead drives it: it is one of the kinematics' steppers.
    expect(pt.toolhead.kinematics.steppers).toContain(z1.motion);
  });

  it('an extra stepper with its own endstop_pin stops only on that switch', () => {
    const pt = toolheadOf(CARTESIAN + Z1 + 'endstop_pin: ^PD2\n');
    const zRail = pt.homingRails.find((r) => r.name === 'z')!;
    expect(zRail.steppers.map((s) => s.name)).toEqual(['stepper_z']);
    expect(zRail.extraEndstops.map((e) => [e.name, e.pin.pin, e.steppers.map((s) => s.name)])).toEqual([['z1', 'PD2', ['stepper_z1']]]);
  });

  it('stepper_z1 naming the main endstop pin shares it; stepper_z2 may share z1 switch', () => {
    const shared = toolheadOf(CARTESIAN + Z1 + 'endstop_pin: ^PD3\n').homingRails.find((r) => r.name === 'z')!;
    expect(shared.steppers.map((s) => s.name)).toEqual(['stepper_z', 'stepper_z1']);
    expect(shared.extraEndstops).toEqual([]);
    const z2 = `\n[stepper_z2]\nstep_pin: PC5\ndir_pin: PC6\nmicrosteps: 16\nrotation_distance: 8\nendstop_pin: ^PD2\n`;
    const four = toolheadOf(CARTESIAN + Z1 + 'endstop_pin: ^PD2\n' + z2).homingRails.find((r) => r.name === 'z')!;
    expect(four.extraEndstops.map((e) => [e.name, e.steppers.map((s) => s.name)])).toEqual([['z1', ['stepper_z1', 'stepper_z2']]]);
  });

  it('a shared switch must be read the same way', () => {
    expect(() => loadText(CARTESIAN + Z1 + 'endstop_pin: PD3\n')).toThrow(
      /endstop_pin 'PD3' in section 'stepper_z1' is shared with another stepper of the rail and must use the same pullup\/invert \('\^PD3'\) \(printer\.cfg:\d+\)/,
    );
  });

  it.each(['position_endstop: 0', 'position_max: 200', 'homing_speed: 5', 'position_min: 0', 'homing_positive_dir: False'])(
    'rejects the main stepper option "%s" in [stepper_z1], naming file and line',
    (line) => {
      const opt = line.split(':')[0];
      expect(() => loadText(CARTESIAN + Z1 + line + '\n')).toThrow(
        new RegExp(`Option '${opt}' is not valid in section 'stepper_z1'.*printer\\.cfg:\\d+`),
      );
    },
  );

  it('a gap in the numbering leaves the later section unread: an error, as in Klipper', () => {
    expect(() => loadText(CARTESIAN + Z1.replace('stepper_z1', 'stepper_z2'))).toThrow(
      /Section 'stepper_z2' is not a valid config section for this printer/,
    );
  });

  it('checks the extra stepper like any stepper: required options and pin conflicts', () => {
    expect(() => loadText(CARTESIAN + Z1.replace('rotation_distance: 4\n', ''))).toThrow(/rotation_distance.*stepper_z1/);
    expect(() => loadText(CARTESIAN + Z1.replace('step_pin: PC1', 'step_pin: PL3'))).toThrow(/pin PL3 used multiple times/i);
  });

  it('corexy: stepper_x1 and stepper_y1 are stopped by both carriage endstops, like their main motors', () => {
    const x1 = `\n[stepper_x1]\nstep_pin: PC1\ndir_pin: PC3\nmicrosteps: 16\nrotation_distance: 40\n`;
    const y1 = `\n[stepper_y1]\nstep_pin: PC5\ndir_pin: PC6\nmicrosteps: 16\nrotation_distance: 40\n`;
    const pt = toolheadOf(CARTESIAN.replace('kinematics: cartesian', 'kinematics: corexy') + x1 + y1);
    const names = (axis: string) =>
      pt.homingRails
        .find((r) => r.name === axis)!
        .steppers.map((s) => s.name)
        .sort();
    expect(names('x')).toEqual(['stepper_x', 'stepper_x1', 'stepper_y', 'stepper_y1']);
    expect(names('y')).toEqual(['stepper_x', 'stepper_x1', 'stepper_y', 'stepper_y1']);
  });

  it('corexy: stepper_x1 steps exactly like stepper_x (motor A = x + y), from the same rail position', async () => {
    const x1 = `\n[stepper_x1]\nstep_pin: PC1\ndir_pin: PC3\nmicrosteps: 32\nrotation_distance: 40\n`;
    const p = await connectMcu(loadText(CARTESIAN.replace('kinematics: cartesian', 'kinematics: corexy') + x1));
    await p.gcode.run('SET_KINEMATIC_POSITION X=100 Y=100 Z=10\nG1 X110 Y105 F3000');
    p.printer.lookupObject<Toolhead>('toolhead').flushStepGeneration();
    const pt = p.printer.lookupObject<PrinterToolhead>('printer_toolhead');
    const steps = (name: string) => pt.steppers.find((s) => s.name === name)!.motion.mcuPositionSteps;
    // A moves x + y = 15 mm: 16 microsteps -> 1200 steps, stepper_x1's 32 -> 2400.
    expect(steps('stepper_x')).toBe(1200);
    expect(steps('stepper_x1')).toBe(2400);
    expect(steps('stepper_y')).toBe(400); // B = x - y = 5 mm
  });

  it('stepper_z1 on a delta is not a valid section', () => {
    const delta = fs.readFileSync(path.join(referenceDir, 'klipper-configs', 'example-delta.cfg'), 'utf8');
    const config = new PrinterConfig(parseConfigText(delta + Z1, '/virtual/printer.cfg'));
    expect(() => loadConfig(config, 'skip')).toThrow(/Section 'stepper_z1' is not a valid config section for this printer/);
  });

  it('M84 and SET_STEPPER_ENABLE know the extra motor; its status lists it', async () => {
    const p = await connectMcu(loadText(CARTESIAN + Z1));
    const enable = p.printer.lookupObject<StepperEnable>('stepper_enable');
    expect(enable.stepperNames()).toContain('stepper_z1');
    await p.gcode.run('SET_STEPPER_ENABLE STEPPER=stepper_z1 ENABLE=1');
    expect(enable.isEnabled('stepper_z1')).toBe(true);
    await p.gcode.run('M84');
    expect((enable.getStatus().steppers as Record<string, boolean>).stepper_z1).toBe(false);
  });
});

describe('Klipper sample configs with extra steppers', () => {
  const dir = path.join(referenceDir, 'klipper-configs');
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cfg') && /^\[stepper_[xyz]\d+\]/m.test(fs.readFileSync(path.join(dir, f), 'utf8')));

  it('all of them get past their extra steppers (other unsupported sections set aside)', () => {
    expect(files.length).toBeGreaterThanOrEqual(9);
    const counts: string[] = [];
    const multiMcu: string[] = [];
    const probeZ: string[] = [];
    for (const f of files) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      // These helpers load in batch mode, which takes one MCU: a Voron's [mcu z] is left to the live tests.
      if (/^\[mcu \S+\]/m.test(text)) {
        multiMcu.push(f);
        continue;
      }
      const expected = [...text.matchAll(/^\[(stepper_[xyz]\d+)\]/gm)].map((m) => m[1]);
      let pt: PrinterToolhead;
      try {
        pt = loadFile(path.join(dir, f), 'skip').printer.lookupObject<PrinterToolhead>('printer_toolhead');
      } catch (e) {
        // Homing Z on a probe (probe:z_virtual_endstop) needs the probe loaded, which 'skip' sets
        // aside while [probe]/[bltouch] are unsupported.
        if (/needs a \[probe\] section/.test((e as Error).message) && /probe:z_virtual_endstop/.test(text)) {
          probeZ.push(f);
          continue;
        }
        throw e;
      }
      const names = pt.steppers.map((s) => s.name);
      for (const e of expected) expect(names, f).toContain(e);
      counts.push(`${f}: ${expected.length}`);
    }
    expect(counts.length).toBeGreaterThanOrEqual(5);
    console.log(
      `configs with extra steppers (extra count): ${counts.join(', ')}; several MCUs, not loaded here: ${multiMcu.join(', ')}; Z on a probe set aside: ${probeZ.join(', ')}`,
    );
  });
});
