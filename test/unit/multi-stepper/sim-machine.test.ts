// The sim machine of a printer with extra steppers: a sim motor for each, at the main stepper's
// start position, and a switch of its own for an extra stepper with its own endstop_pin.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import { machineFromConfig } from '../../../src-main/host/sim/machine';
import { CARTESIAN } from '../objects/load-helpers';

const Z1 = `
[stepper_z1]
step_pin: PC1
dir_pin: !PC3
enable_pin: !PC7
microsteps: 32
rotation_distance: 4
`;
const machineOf = (text: string, overrides = {}) =>
  machineFromConfig(new PrinterConfig(parseConfigText(text, '/v/printer.cfg')), overrides);

describe('sim machine with extra steppers', () => {
  it('stepper_z1 is a sim motor on the Z axis starting where stepper_z does; without its own pin no extra switch', () => {
    const m = machineOf(CARTESIAN + Z1);
    const z = m.steppers.find((s) => s.name === 'stepper_z')!;
    const z1 = m.steppers.find((s) => s.name === 'stepper_z1')!;
    expect(z1).toMatchObject({ axis: 'z', step_pin: 'PC1', dir_pin: '!PC3', enable_pin: '!PC7', steps_per_mm: 1600 });
    expect(z1.position_mm).toBe(z.position_mm);
    expect(m.endstops.map((e) => e.name)).toEqual(['x_endstop', 'y_endstop', 'z_endstop']);
  });

  it('its own endstop_pin is a switch at the rail endstop, movable by override', () => {
    const m = machineOf(CARTESIAN + Z1 + 'endstop_pin: ^PD2\n', { endstops: { z1_endstop: { trigger_position_mm: 0.8 } } });
    const z1 = m.endstops.find((e) => e.name === 'z1_endstop')!;
    expect(z1).toMatchObject({ pin: 'PD2', steppers: ['stepper_z1'], side: 'min', trigger_position_mm: 0.8 });
    expect(m.endstops.find((e) => e.name === 'z_endstop')).toMatchObject({ pin: 'PD3', steppers: ['stepper_z'], trigger_position_mm: 0.5 });
  });

  it('an extra stepper naming the rail endstop pin shares that one switch', () => {
    const m = machineOf(CARTESIAN + Z1 + 'endstop_pin: ^PD3\n');
    expect(m.endstops.filter((e) => e.pin === 'PD3').map((e) => e.name)).toEqual(['z_endstop']);
  });
});
