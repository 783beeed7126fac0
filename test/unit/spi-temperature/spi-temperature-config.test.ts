// SPI/amplifier sensor options as a live printer reads them: option errors name the section,
// the option and the place; Klipper's sample configs using these sensors load; batch output
// refuses them with a clear message (it does not write their MCU configuration yet).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src-main/host/config/errors';
import { parseConfigText } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import { GCodeDispatcher } from '../../../src-main/host/gcode/dispatcher';
import { loadPrinterObjects } from '../../../src-main/host/objects/registry';
import { SpiTemperatureSensor } from '../../../src-main/host/objects/spi-temperature';
import type { PrinterHeaters } from '../../../src-main/host/objects/heaters';
import { Printer } from '../../../src-main/host/printer';
import { machineFromConfig } from '../../../src-main/host/sim/machine';
import { referenceDir } from '../../support/paths';
import { CARTESIAN, connectMcu, loadText } from '../objects/load-helpers';

/** Loads with live objects (no MCU file output): heaters read their sensors as on a printer. */
function loadLive(config: PrinterConfig, unsupported: 'error' | 'skip' = 'error'): Printer {
  const printer = new Printer();
  const gcode = new GCodeDispatcher();
  printer.addObject('gcode', gcode);
  loadPrinterObjects({ printer, gcode, config, mcuFileOutput: null, unsupportedSections: unsupported });
  return printer;
}
const liveText = (text: string) => loadLive(new PrinterConfig(parseConfigText(text, '/virtual/printer.cfg')));
const withExtruderSensor = (lines: string) => CARTESIAN.replace('sensor_type: EPCOS 100K B57560G104F\nsensor_pin: PK5', lines);
function liveError(text: string): ConfigError {
  try {
    liveText(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected the config to fail');
}

describe('SPI temperature sensor options', () => {
  it('a MAX31865 extruder and MAX31856/MAX6675 sensors load; the heater reads the SPI chip', () => {
    const p = liveText(
      withExtruderSensor(
        'sensor_type: MAX31865\nsensor_pin: PL0\nspi_bus: spi\nrtd_nominal_r: 1000\nrtd_reference_r: 4300\nrtd_num_of_wires: 3',
      ) +
        '\n[temperature_sensor a]\nsensor_type: MAX31856\nsensor_pin: PG0\nspi_software_sclk_pin: PC0\nspi_software_mosi_pin: PC1\nspi_software_miso_pin: PC2\ntc_type: J\n' +
        '\n[temperature_sensor b]\nsensor_type: MAX6675\nsensor_pin: PG1\nspi_software_sclk_pin: PC0\nspi_software_mosi_pin: PC1\nspi_software_miso_pin: PC2\n' +
        '\n[temperature_sensor c]\nsensor_type: AD8495\nsensor_pin: PK7\nadc_voltage: 3.3\n',
    );
    const heaters = p.lookupObject<PrinterHeaters>('heaters');
    const ext = heaters.heaters.get('extruder')!.sensor;
    expect(ext).toBeInstanceOf(SpiTemperatureSensor);
    const s = (ext as SpiTemperatureSensor).settings;
    expect([s.chip, s.rtdNominalOhm, s.rtdReferenceOhm, s.rtdWires]).toEqual(['MAX31865', 1000, 4300, 3]);
    const a = heaters.sensors.find((x) => x.name === 'temperature_sensor a')!.sensor as SpiTemperatureSensor;
    expect([a.settings.chip, a.settings.tcType]).toEqual(['MAX31856', 'J']);
    expect(heaters.sensors.find((x) => x.name === 'temperature_sensor c')!.sensor).not.toBeInstanceOf(SpiTemperatureSensor);
  });

  it('bad options name the section, the option and the line', () => {
    const cases: [string, string, RegExp][] = [
      [
        'sensor_type: MAX31856\nsensor_pin: PL0\ntc_type: Q',
        'tc_type',
        /Option 'tc_type' in section 'extruder' must be one of B, E, J, K, N, R, S, T \(got 'Q'\)/,
      ],
      [
        'sensor_type: MAX31856\nsensor_pin: PL0\ntc_averaging_count: 3',
        'tc_averaging_count',
        /'tc_averaging_count' in section 'extruder' must be 1, 2, 4, 8 or 16/,
      ],
      [
        'sensor_type: MAX31865\nsensor_pin: PL0\nrtd_num_of_wires: 5',
        'rtd_num_of_wires',
        /'rtd_num_of_wires' in section 'extruder' must be 2, 3 or 4/,
      ],
      [
        'sensor_type: MAX31865\nsensor_pin: PL0\nrtd_nominal_r: 1000',
        'rtd_reference_r',
        /'rtd_reference_r' in section 'extruder' \(430 ohm\) must be above rtd_nominal_r/,
      ],
      [
        'sensor_type: MAX31855',
        'sensor_pin',
        /Option 'sensor_pin' in section 'extruder' must be specified \(the MAX31855's chip select pin\)/,
      ],
      [
        'sensor_type: MAX6675\nsensor_pin: PL0\nspi_software_sclk_pin: PC0',
        'spi_software_sclk_pin',
        /\[extruder\] needs all three of spi_software_sclk_pin/,
      ],
    ];
    for (const [lines, option, re] of cases) {
      const text = withExtruderSensor(lines);
      const e = liveError(text);
      expect(e.message, option).toMatch(re);
      const line = text.split('\n').findIndex((l) => l.startsWith(`${option}:`)) + 1;
      if (line > 0) expect(e.message, option).toContain(`printer.cfg:${line}`);
    }
    // An unknown type lists the new ones among the supported.
    expect(liveError(withExtruderSensor('sensor_type: MAX9999\nsensor_pin: PL0')).message).toMatch(/MAX31865.*AD8495.*PT100 INA826/);
  });

  it("Klipper's sample configs with these sensors load on a live printer", () => {
    const dir = path.join(referenceDir, 'klipper-configs');
    const using = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.cfg'))
      .filter((f) =>
        /^sensor_type: *(MAX6675|MAX31855|MAX31856|MAX31865|AD595|AD597|AD849[4-7]|PT100 INA826)\s*$/m.test(
          fs.readFileSync(path.join(dir, f), 'utf8'),
        ),
      );
    expect(using.length).toBeGreaterThanOrEqual(4);
    for (const f of using) {
      // Sections we do not support yet are set aside, and so are sensors of another type we do
      // not read yet (temperature_mcu): their section is cut out of the text.
      const text = fs
        .readFileSync(path.join(dir, f), 'utf8')
        .replace(/^\[[^\]]+\]\n(?:(?!\[).*\n)*?sensor_type: *temperature_mcu\n(?:(?!\[).*\n)*/gm, '');
      const printer = new Printer();
      const gcode = new GCodeDispatcher();
      printer.addObject('gcode', gcode);
      const config = new PrinterConfig(parseConfigText(text, path.join(dir, f)));
      try {
        loadPrinterObjects({ printer, gcode, config, mcuFileOutput: null, unsupportedSections: 'skip' });
      } catch (e) {
        // Something unsupported elsewhere (hardware_pwm of an [output_pin], a driver of a
        // skipped stepper) may still stop the load, but never about the sensors, and the check
        // below proves every sensor section was built before it.
        expect((e as Error).message, f).not.toMatch(/sensor|MAX|AD5|AD8|INA826/);
        console.log(`${f}: loads up to ${(e as Error).message.slice(0, 100)}`);
      }
      const heaters = printer.lookupObject<PrinterHeaters>('heaters');
      const sections = config
        .sections()
        .filter((s) => s.has('sensor_type') && /^(MAX|AD[58]|PT100 INA826)/.test(s.getString('sensor_type')));
      expect(sections.length, f).toBeGreaterThan(0);
      for (const s of sections)
        expect(
          heaters.sensors.map((x) => x.name),
          f,
        ).toContain(s.name);
    }
    console.log(`configs with SPI/amplifier sensors loading live: ${using.join(', ')}`);
  });

  it('the sim machine of such a config: the heater follows its chip, sensors read 25 C, overrides inject faults', () => {
    const text =
      withExtruderSensor('sensor_type: MAX31865\nsensor_pin: PL0\nspi_bus: spi1\nrtd_nominal_r: 1000\nrtd_reference_r: 4300') +
      '\n[temperature_sensor a]\nsensor_type: MAX6675\nsensor_pin: PG1\nspi_software_sclk_pin: PC0\nspi_software_mosi_pin: PC1\nspi_software_miso_pin: PC2\n';
    const m = machineFromConfig(new PrinterConfig(parseConfigText(text, '/virtual/printer.cfg')), {
      spi_sensors: { extruder: { fault: 'short_gnd', fault_after_s: 3 } },
    });
    const heater = m.heaters.find((h) => h.name === 'extruder')!;
    expect([heater.heater_pin, heater.sensor_pin]).toEqual(['PB4', 'PL0']);
    expect(m.spi_sensors).toEqual([
      {
        name: 'extruder',
        kind: 'max31865',
        cs_pin: 'PL0',
        spi_bus: 'spi1',
        rtd_nominal_r: 1000,
        rtd_reference_r: 4300,
        heater: 'extruder',
        fault: 'short_gnd',
        fault_after_s: 3,
      },
      { name: 'temperature_sensor a', kind: 'max6675', cs_pin: 'PG1', sclk_pin: 'PC0', mosi_pin: 'PC1', miso_pin: 'PC2', temp_c: 25 },
    ]);
  });

  it('batch output refuses them with a clear message', async () => {
    const p = loadText(withExtruderSensor('sensor_type: MAX31865\nsensor_pin: PL0'));
    await expect(connectMcu(p)).rejects.toThrow(
      /'MAX31865' as a thermistor: it is an SPI temperature chip, which batch output \(tether batch\) does not configure yet/,
    );
    const q = loadText(withExtruderSensor('sensor_type: AD595\nsensor_pin: PK5'));
    await expect(connectMcu(q)).rejects.toThrow(/'AD595' as a thermistor: it is an analog amplifier/);
  });
});
