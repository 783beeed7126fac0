// The new kinematics from printer.cfg: Klipper's example configs load; mistakes name the section
// and option; a winch's G28 (no switches: the toolhead is declared at 0, 0, 0) and a move in
// batch mode step each cable motor by its length change.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PrinterToolhead } from '../../../src-main/host/objects/toolhead';
import { referenceDir } from '../../support/paths';
import { connectMcu, loadError, loadFile, loadText } from '../objects/load-helpers';

const example = (name: string) => path.join(referenceDir, 'klipper-configs', name);
const exampleText = (name: string) => readFileSync(example(name), 'utf8');
type Status = { getStatus(t?: number): Record<string, unknown> };

describe('hybrid, polar, winch and deltesian configs', () => {
  it("Klipper's examples load with the kinematics they name", () => {
    for (const [file, kin] of [
      ['example-hybrid-corexy.cfg', 'hybrid_corexy'],
      ['example-hybrid-corexz.cfg', 'hybrid_corexz'],
      ['example-polar.cfg', 'polar'],
      ['example-winch.cfg', 'winch'],
      ['example-deltesian.cfg', 'deltesian'],
    ]) {
      const p = loadFile(example(file!));
      const th = p.printer.lookupObject<PrinterToolhead>('printer_toolhead');
      expect(th.kinematicsName, file).toBe(kin);
      expect(th.toolhead.kinematics.name, file).toBe(kin);
    }
  });

  it('mistakes name the section and option', () => {
    const winch = exampleText('example-winch.cfg');
    expect(loadError(winch.replace(/anchor_x: 2000\n/, ''))).toMatch(/Option 'anchor_x' in section 'stepper_b' must be specified/);
    const polar = exampleText('example-polar.cfg');
    expect(loadError(polar.replace('gear_ratio: 80:16', 'rotation_distance: 40'))).toMatch(
      /'rotation_distance' is not used in section 'stepper_bed'/,
    );
    expect(loadError(polar.replace('gear_ratio: 80:16', ''))).toMatch(/Option 'gear_ratio' in section 'stepper_bed' must be specified/);
    const deltesian = exampleText('example-deltesian.cfg');
    expect(loadError(deltesian.replace('arm_x_length: 160\n', ''))).toMatch(
      /Option 'arm_x_length' in section 'stepper_left' must be specified/,
    );
    expect(loadError(deltesian.replace('arm_length: 217', 'arm_length: 150'))).toMatch(
      /'arm_length' in section 'stepper_left' must be above arm_x_length/,
    );
    expect(loadError(deltesian.replace('max_z_velocity: 150', 'max_z_velocity: 150\nprint_width: 500'))).toMatch(
      /'print_width' in section 'printer' must be at most 112/,
    );
  });

  it('winch: G28 declares 0, 0, 0 without moving; a move winds each cable by its length change', async () => {
    const text = exampleText('example-winch.cfg').replace(/\[heater_bed\][\s\S]*?(?=\n\[)/, '');
    const p = await connectMcu(loadText(text));
    const pt = p.printer.lookupObject<PrinterToolhead>('printer_toolhead');
    const motors = pt.steppers.filter((s) => /^stepper_[a-d]$/.test(s.name));
    const start = motors.map((s) => s.motion.mcuPositionSteps);
    await p.gcode.run('G28');
    expect(motors.map((s) => s.motion.mcuPositionSteps)).toEqual(start);
    const th = p.printer.lookupObject<Status>('toolhead');
    expect(th.getStatus().homed_axes).toBe('xyz');
    expect((th.getStatus().position as number[]).slice(0, 3)).toEqual([0, 0, 0]);
    await p.gcode.run('G1 X100 Y-50 Z30 F6000\nM400');
    const anchors = [
      [0, -2000, -100],
      [2000, 1000, -100],
      [-2000, 1000, -100],
      [0, 0, 3000],
    ];
    const len = (q: number[], a: number[]) => Math.hypot(q[0]! - a[0]!, q[1]! - a[1]!, q[2]! - a[2]!);
    motors.forEach((s, i) => {
      const expected = Math.round((len([100, -50, 30], anchors[i]!) - len([0, 0, 0], anchors[i]!)) / (40 / 3200));
      expect(s.motion.mcuPositionSteps - start[i]!, s.name).toBe(expected);
    });
  });
});
