// The config editor's pin check against the MCU's own dictionary: pins of this MCU that its
// firmware lacks are flagged on their line with a suggestion; other chips, aliases from
// [board_pins] and pin modifiers are handled as the host would.
import { describe, expect, it } from 'vitest';
import { configCatalog } from '../../../src-main/host/objects/catalog';
import { boardPinAliases, mcuPinDiagnostics } from '../../../src-renderer/features/config/mcu-pins';

const catalog = configCatalog();
const avr = { mcu: 'mcu', pins: ['PA0', 'PA1', 'PB4', 'PD7', 'PE5', 'PF0', 'PF1', 'PK5'] };

describe('MCU pin check', () => {
  it("flags pins the MCU's dictionary does not have, on their line", () => {
    const text = [
      '[stepper_x]',
      'step_pin: PF0',
      'dir_pin: !PZ1   # not on this chip',
      'enable_pin: !PD7',
      'endstop_pin: ^PE5',
      'rotation_distance: 40',
      '',
      '[extruder]',
      'heater_pin: pb4',
      'sensor_pin: mcu:PK9',
      '',
      '[bltouch]',
      'sensor_pin: ^probe:z_virtual_endstop',
    ].join('\n');
    const found = mcuPinDiagnostics(text, avr, catalog);
    expect(found.map((d) => d.line)).toEqual([3, 9, 10]);
    expect(found[0].message).toContain("Pin 'PZ1' in [stepper_x] dir_pin is not a pin of MCU 'mcu'");
    expect(found[1].message).toContain("Did you mean 'PB4'?");
    expect(found[2].message).toContain("'PK9'");
    expect(found.every((d) => d.severity === 'error')).toBe(true);
  });

  it('resolves [board_pins] aliases (continuation lines too) and checks what they name', () => {
    const text = ['[board_pins arduino]', 'aliases: ar0=PA0, ar1=PA1,', '  ar2=PQ2', '', '[stepper_y]', 'step_pin: ar1', 'dir_pin: ar2'].join('\n');
    expect([...boardPinAliases(text.split('\n'))]).toEqual([
      ['ar0', 'PA0'],
      ['ar1', 'PA1'],
      ['ar2', 'PQ2'],
    ]);
    const found = mcuPinDiagnostics(text, avr, catalog);
    expect(found).toHaveLength(1);
    expect(found[0].line).toBe(7);
    expect(found[0].message).toContain("alias 'ar2'");
  });

  it('checks nothing for another MCU and nothing outside pin options', () => {
    const text = ['[printer]', 'kinematics: PZ9', '[stepper_z]', 'step_pin: other:PZ9'].join('\n');
    expect(mcuPinDiagnostics(text, avr, catalog)).toEqual([]);
  });
});
