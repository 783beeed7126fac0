// I2C sensor sections: Klipper's options with their limits, the bare [bme280]-style sections,
// the errors for a bad option or a sensor type we do not read yet, and the sim machine entries.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import { machineFromConfig } from '../../../src-main/host/sim/machine';
import { validateConfigText } from '../../../src-main/api/config-validate';
import { CARTESIAN, loadError, loadText } from '../objects/load-helpers';

const SENSORS = `
[bme280]

[sht3x]

[temperature_sensor chamber]
sensor_type: BME280
i2c_address: 119
i2c_speed: 400000

[temperature_sensor enclosure]
sensor_type: HTU21D
htu21d_resolution: TEMP14_HUM12
htu21d_hold_master: True
htu21d_report_time: 10

[temperature_sensor board]
sensor_type: LM75
i2c_software_scl_pin: PC4
i2c_software_sda_pin: PC5
lm75_report_time: 0.5

[temperature_sensor air]
sensor_type: AHT20
aht10_report_time: 5
`;

describe('I2C sensor options', () => {
  it("Klipper's options and the bare sections load", () => {
    expect(() => loadText(`${CARTESIAN}\n${SENSORS}`)).not.toThrow();
  });

  it('names a bad option with its line', () => {
    const bad = (from: string, to: string) => loadError(`${CARTESIAN}\n${SENSORS.replace(from, to)}`);
    expect(bad('htu21d_resolution: TEMP14_HUM12', 'htu21d_resolution: TEMP16')).toMatch(/htu21d_resolution.*printer\.cfg:\d+/s);
    expect(bad('lm75_report_time: 0.5', 'lm75_report_time: 0.2')).toMatch(/lm75_report_time.*printer\.cfg:\d+/s);
    expect(bad('aht10_report_time: 5', 'aht10_report_time: 2')).toMatch(/aht10_report_time.*printer\.cfg:\d+/s);
    expect(bad('i2c_address: 119', 'i2c_address: 200')).toMatch(/i2c_address.*printer\.cfg:\d+/s);
    expect(bad('i2c_address: 119', 'sht3x_reprt_time: 2')).toMatch(
      /Option 'sht3x_reprt_time' is not valid in section 'temperature_sensor chamber'/,
    );
  });

  it('a Bosch chip with another register map is named as not supported yet', () => {
    expect(loadError(`${CARTESIAN}\n${SENSORS.replace('sensor_type: BME280', 'sensor_type: BME680')}`)).toMatch(
      /sensor_type BME680 in section 'temperature_sensor chamber' is not supported yet \(I2C sensors: BME280, BMP280, SHT3X/,
    );
  });
});

describe("the editor's validation", () => {
  it('knows the I2C options in sensor and heater sections and still names a missing sensor_type', () => {
    const heater = `\n[heater_generic chamber]\nheater_pin: PH4\nsensor_type: SHT3X\ni2c_address: 69\nsht3x_report_time: 2\ncontrol: watermark\nmin_temp: 0\nmax_temp: 70\n`;
    const messages = (text: string) => validateConfigText(text, '/virtual/printer.cfg').map((d) => d.message);
    expect(messages(`${CARTESIAN}\n${SENSORS}${heater}`)).toEqual([]);
    expect(messages(`${CARTESIAN}\n[temperature_sensor x]\ni2c_address: 118\n`)).toEqual([
      "Option 'sensor_type' in section 'temperature_sensor x' must be specified",
    ]);
  });
});

describe('the sim machine', () => {
  it("has a chip model for each I2C sensor on this MCU, at its address (default the chip's)", () => {
    const config = new PrinterConfig(parseConfigText(`${CARTESIAN}\n${SENSORS}`, '/virtual/printer.cfg'));
    const m = machineFromConfig(config, { i2c_sensors: { 'temperature_sensor chamber': { temperature_c: 30 } } });
    expect(m.i2c_sensors).toEqual([
      { name: 'temperature_sensor chamber', kind: 'bme280', i2c_address: 0x77, temperature_c: 30 },
      { name: 'temperature_sensor enclosure', kind: 'htu21d', i2c_address: 0x40 },
      { name: 'temperature_sensor board', kind: 'lm75', i2c_address: 0x48, scl_pin: 'PC4', sda_pin: 'PC5' },
      { name: 'temperature_sensor air', kind: 'aht20', i2c_address: 0x38 },
    ]);
  });
});
