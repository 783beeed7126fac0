// [heater_generic NAME] and [fan_generic NAME] as the host loads them (batch mode: options,
// names, the MCU config they produce, SET_HEATER_TEMPERATURE by the heater's short name).
import { describe, expect, it } from 'vitest';
import type { Mcu } from '../../../src-main/host/mcu/mcu';
import { CARTESIAN, connectMcu, loadText, loadError } from '../objects/load-helpers';

const CHAMBER = `
[heater_generic chamber]
gcode_id: C
heater_pin: PH3
sensor_type: EPCOS 100K B57560G104F
sensor_pin: PK7
control: watermark
min_temp: 0
max_temp: 70
`;

describe('[heater_generic]', () => {
  it("configures its sensor and heater pin on the MCU like [heater_bed]'s", async () => {
    const p = await connectMcu(loadText(`${CARTESIAN}\n${CHAMBER}`));
    const lines = p.printer.lookupObject<Mcu>('mcu').configLines();
    expect(lines.some((l) => /^config_analog_in oid=\d+ pin=PK7$/.test(l))).toBe(true);
    expect(lines.some((l) => /^config_digital_out oid=\d+ pin=PH3 value=0 default_value=0 max_duration=\d+$/.test(l))).toBe(true);
  });

  it('SET_HEATER_TEMPERATURE takes its short name and checks min_temp/max_temp', async () => {
    const p = loadText(`${CARTESIAN}\n${CHAMBER}`);
    await p.gcode.run('SET_HEATER_TEMPERATURE HEATER=chamber TARGET=50');
    await expect(p.gcode.run('SET_HEATER_TEMPERATURE HEATER=chamber TARGET=80')).rejects.toThrow(
      'Requested temperature (80.0) out of range (0.0:70.0)',
    );
    await expect(p.gcode.run('SET_HEATER_TEMPERATURE HEATER=oven TARGET=80')).rejects.toThrow(
      /Unknown heater 'oven' \(heaters: extruder, chamber\)/,
    );
  });

  it('names the option and line of a mistake', () => {
    expect(loadError(`${CARTESIAN}\n${CHAMBER.replace('max_temp: 70', 'max_temp: -1')}`)).toMatch(
      /Option 'max_temp' in section 'heater_generic chamber' must be above 0 \(min_temp\).*printer\.cfg:\d+/,
    );
    expect(loadError(`${CARTESIAN}\n${CHAMBER.replace('control: watermark', 'control: pid')}`)).toMatch(
      /Option 'pid_kp' in section 'heater_generic chamber' must be specified/,
    );
    expect(loadError(`${CARTESIAN}\n${CHAMBER.replace('heater_pin: PH3', 'heater_pin: PB4')}`)).toMatch(
      /pin PB4 used multiple times in config: by \[extruder\] heater_pin/,
    );
    expect(loadError(`${CARTESIAN}\n${CHAMBER}\n[fan_generic aux]\npin: PE4\nspeed: 1\n`)).toMatch(/speed/);
  });
});

describe('[fan_generic]', () => {
  it('loads with the options of [fan]', () => {
    expect(() => loadText(`${CARTESIAN}\n[fan_generic aux]\npin: PE4\nmax_power: 0.8\nkick_start_time: 0.5\n`)).not.toThrow();
    expect(loadError(`${CARTESIAN}\n[fan_generic aux]\npin: PE4\nmax_power: 1.5\n`)).toMatch(/max_power.*maximum of 1.*printer\.cfg:\d+/);
  });
});
