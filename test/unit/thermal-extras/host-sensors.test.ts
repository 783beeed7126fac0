// sensor_type temperature_combined and temperature_host: the combination maths, the shutdowns
// (maximum_deviation, min/max temp, a vanished host file) and their config errors.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import { Printer } from '../../../src-main/host/printer';
import {
  CombinedSensor,
  combineTemperatures,
  readCombinedSettings,
  type CombinedSettings,
} from '../../../src-main/host/objects/temperature-combined';
import { HostTemperatureSensor, parseHostTemperature, readHostSensorPath } from '../../../src-main/host/objects/temperature-host';
import { testOutputDir } from '../../support/paths';
import { CARTESIAN, loadText, loadError } from '../objects/load-helpers';

const config = (text: string) => new PrinterConfig(parseConfigText(text, '/virtual/printer.cfg'));

const COMBINED = `
[temperature_sensor a]
sensor_type: EPCOS 100K B57560G104F
sensor_pin: PK7

[temperature_sensor both]
sensor_type: temperature_combined
sensor_list: temperature_sensor a, extruder
combination_method: mean
maximum_deviation: 5
min_temp: 0
max_temp: 100
`;

describe('temperature_combined', () => {
  it('combines by max, min and mean', () => {
    expect(combineTemperatures([20, 30, 25], 'max')).toBe(30);
    expect(combineTemperatures([20, 30, 25], 'min')).toBe(20);
    expect(combineTemperatures([20, 30, 25], 'mean')).toBe(25);
    expect(combineTemperatures([], 'mean')).toBeNull();
  });

  it('reports the combined value; a spread beyond maximum_deviation or a value out of range shuts down', () => {
    const settings: CombinedSettings = { sensorList: ['extruder', 'heater_bed'], method: 'max', maximumDeviationC: 5 };
    const run = (temps: number[]) => {
      const printer = new Printer();
      const got: number[] = [];
      const s = new CombinedSensor(
        printer,
        'temperature_sensor both',
        settings,
        0,
        100,
        () => null,
        () => 12.5,
      );
      s.setCallback((t, c) => got.push(t, c));
      s.sample(temps);
      return { printer, got };
    };
    expect(run([40, 44]).got).toEqual([12.5, 44]);
    const dev = run([40, 46]);
    expect(dev.got).toEqual([]);
    expect(dev.printer.state).toBe('shutdown');
    expect(dev.printer.stateMessage).toMatch(
      /^\[temperature_sensor both\] maximum deviation exceeded limit of 5\.0: its sensors read from 40\.0 to 46\.0/,
    );
    const hot = run([101, 103]);
    expect(hot.printer.stateMessage).toBe('[temperature_sensor both] temperature 103.0 outside range of 0.0:100.0');
  });

  it('reads its options in a [temperature_sensor]; a config using it loads', () => {
    const cfg = config(`${CARTESIAN}\n${COMBINED}`);
    expect(readCombinedSettings(cfg.get('temperature_sensor both'), cfg)).toEqual({
      sensorList: ['temperature_sensor a', 'extruder'],
      method: 'mean',
      maximumDeviationC: 5,
    });
    expect(() => loadText(`${CARTESIAN}\n${COMBINED}`)).not.toThrow();
  });

  it('names a missing option or an unknown sensor with the line', () => {
    const cfg = config(`${CARTESIAN}\n${COMBINED.replace('maximum_deviation: 5\n', '')}`);
    expect(() => readCombinedSettings(cfg.get('temperature_sensor both'), cfg)).toThrow(
      /Option 'maximum_deviation' in section 'temperature_sensor both' must be specified \(sensor_type: temperature_combined\).*printer\.cfg:\d+/,
    );
    const bad = config(`${CARTESIAN}\n${COMBINED.replace('temperature_sensor a, extruder', 'temperature_sensor b')}`);
    expect(() => readCombinedSettings(bad.get('temperature_sensor both'), bad)).toThrow(
      /Unknown sensor 'temperature_sensor b' in option 'sensor_list' of section 'temperature_sensor both'.*printer\.cfg:\d+/,
    );
    expect(loadError(`${CARTESIAN}\n${COMBINED.replace('combination_method: mean', 'combination_method: median')}`)).toMatch(
      /combination_method.*printer\.cfg:\d+/,
    );
  });
});

describe('temperature_host', () => {
  const dir = path.join(testOutputDir, 'thermal-extras');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `zone-${process.pid}`);
  const section = (extra: string) =>
    config(`[temperature_sensor host]\nsensor_type: temperature_host\n${extra}`).get('temperature_sensor host');

  it('reads millidegrees', () => {
    expect(parseHostTemperature('48312\n')).toBeCloseTo(48.312, 9);
    expect(parseHostTemperature('')).toBeNull();
    expect(parseHostTemperature('hot')).toBeNull();
  });

  it('a missing thermal-zone file is a config error naming sensor_path and what to do', () => {
    expect(() => readHostSensorPath(section(`sensor_path: ${dir}/no-such-zone\n`), true)).toThrow(
      /Unable to open temperature file '.*no-such-zone' \(ENOENT\): .*set sensor_path to one that exists \(ls \/sys\/class\/thermal\).*printer\.cfg:3/,
    );
    // Batch mode (no live sensor) only reads the option; the default is the Raspberry Pi's zone.
    expect(readHostSensorPath(section(''), false)).toBe('/sys/class/thermal/thermal_zone0/temp');
  });

  it('samples the file; out of range or vanished shuts down', () => {
    fs.writeFileSync(file, '45500\n');
    expect(readHostSensorPath(section(`sensor_path: ${file}\n`), true)).toBe(file);
    const printer = new Printer();
    const got: number[] = [];
    const s = new HostTemperatureSensor(printer, 'temperature_sensor host', file, 0, 60, () => 3);
    s.setCallback((_t, c) => got.push(c));
    s.sample();
    expect(got).toEqual([45.5]);
    fs.writeFileSync(file, '61000\n');
    s.sample();
    expect(printer.stateMessage).toBe('HOST temperature 61.0 above maximum temperature of 60.0.');
    const gone = new Printer();
    new HostTemperatureSensor(gone, 'temperature_sensor host', `${file}-gone`, 0, 60, () => 3).sample();
    expect(gone.stateMessage).toMatch(/unable to read the host temperature/);
  });
});
