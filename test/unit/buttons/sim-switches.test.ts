// The sim machine generated from printer.cfg gets a switch per [filament_switch_sensor] (following
// the extruder's stepper) and [gcode_button]; overrides set the runout distance and presses.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import { DEFAULT_RUNOUT_AFTER_MM, machineFromConfig } from '../../../src-main/host/sim/machine';
import { CARTESIAN } from '../objects/load-helpers';

const config = (extra: string) => new PrinterConfig(parseConfigText(CARTESIAN + extra, '/virtual/printer.cfg'));

describe('sim switches from printer.cfg', () => {
  it('a filament switch follows the extruder, a button waits for presses; pins keep their "!"', () => {
    const m = machineFromConfig(
      config('[filament_switch_sensor runout]\nswitch_pin: ^!PE4\n[gcode_button lcd]\npin: ^PE3\npress_gcode: M117\n'),
      { switches: { 'gcode_button lcd': { presses: [{ at_s: 1 }] } } },
    );
    expect(m.switches).toEqual([
      { name: 'filament_switch_sensor runout', pin: '!PE4', filament_stepper: 'extruder', runout_after_mm: DEFAULT_RUNOUT_AFTER_MM },
      { name: 'gcode_button lcd', pin: 'PE3', presses: [{ at_s: 1 }] },
    ]);
    const short = machineFromConfig(config('[filament_switch_sensor runout]\nswitch_pin: PE4\n'), {
      switches: { 'filament_switch_sensor runout': { runout_after_mm: 6 } },
    });
    expect(short.switches?.[0].runout_after_mm).toBe(6);
  });

  it('leaves out switches on endstop pins, aliases and other MCUs', () => {
    const m = machineFromConfig(
      config(
        '[filament_switch_sensor a]\nswitch_pin: EXP1_1\n[filament_switch_sensor b]\nswitch_pin: toolboard:PA1\n[filament_switch_sensor c]\nswitch_pin: ^PE5\n',
      ),
    );
    expect(m.switches).toBeUndefined();
  });
});
