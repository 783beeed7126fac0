// [adc_temperature NAME] tables: linear interpolation between points (checked against values
// worked out by hand), the ADC mapping of voltage and resistance tables, and config errors.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import { adcTableCurve, customAdcCurve, LinearTable, readAdcTemperatureTable } from '../../../src-main/host/objects/adc-table';
import { CARTESIAN, loadText, loadError } from '../objects/load-helpers';

const config = (text: string) => new PrinterConfig(parseConfigText(text, '/virtual/printer.cfg'));

describe('LinearTable', () => {
  const t = new LinearTable([
    [0, 0],
    [10, 100],
    [20, 150],
  ]);
  it('interpolates inside each segment', () => {
    expect(t.at(5)).toBeCloseTo(50, 12); // 0 + 5 * 100/10
    expect(t.at(15)).toBeCloseTo(125, 12); // 100 + 5 * 50/10
    expect(t.at(10)).toBeCloseTo(100, 12);
  });
  it('extends the end segments beyond the table', () => {
    expect(t.at(-2)).toBeCloseTo(-20, 12); // first slope 10/unit
    expect(t.at(30)).toBeCloseTo(200, 12); // last slope 5/unit
  });
  it('inverts a monotonic table', () => {
    expect(t.inverse(125)).toBeCloseTo(15, 12);
    expect(t.inverse(-20)).toBeCloseTo(-2, 12);
  });
  it('sorts the points and refuses a repeated value or a single point', () => {
    expect(
      new LinearTable([
        [20, 150],
        [0, 0],
        [10, 100],
      ]).at(15),
    ).toBeCloseTo(125, 12);
    expect(() => new LinearTable([[1, 2]])).toThrow(/at least two points/);
    expect(
      () =>
        new LinearTable([
          [1, 2],
          [1, 3],
        ]),
    ).toThrow(/same value 1/);
    // A flat stretch still inverts (to its first point).
    expect(
      new LinearTable([
        [0, 0],
        [1, 5],
        [2, 5],
        [3, 8],
      ]).inverse(5),
    ).toBeCloseTo(1, 12);
  });
});

describe('[adc_temperature] curves', () => {
  it('a voltage table maps volts to ADC fractions by adc_voltage and voltage_offset', () => {
    const table = {
      kind: 'voltage' as const,
      points: [
        [0, 1.0],
        [100, 2.0],
        [300, 3.0],
      ] as [number, number][],
    };
    const c = adcTableCurve(table, {});
    // Default 5 V reference: 1.5 V = ADC 0.3, halfway between 0 C (0.2) and 100 C (0.4).
    expect(c.tempFromAdc(0.3)).toBeCloseTo(50, 9);
    // 2.25 V = 0.45: a quarter into the 100..300 C segment (0.4..0.6) -> 150 C.
    expect(c.tempFromAdc(0.45)).toBeCloseTo(150, 9);
    expect(c.adcFromTemp(150)).toBeCloseTo(0.45, 9);
    // 3.3 V reference with a 0.5 V offset: 1.5 V -> (1.5 - 0.5) / 3.3 = 0.30303 -> 50 C.
    const d = adcTableCurve(table, { adcVoltage: 3.3, voltageOffset: 0.5 });
    expect(d.tempFromAdc(1.0 / 3.3)).toBeCloseTo(50, 9);
  });

  it('a resistance table reads the sensor on its pullup', () => {
    const table = {
      kind: 'resistance' as const,
      points: [
        [0, 1000],
        [100, 1385],
      ] as [number, number][],
    };
    const c = adcTableCurve(table, { pullupOhm: 1000 });
    // ADC 0.5 on a 1000 ohm pullup = 1000 ohm -> 0 C; 1192.5 ohm (halfway) -> 50 C.
    expect(c.tempFromAdc(0.5)).toBeCloseTo(0, 9);
    const adc = 1192.5 / (1000 + 1192.5);
    expect(c.tempFromAdc(adc)).toBeCloseTo(50, 9);
    expect(c.adcFromTemp(50)).toBeCloseTo(adc, 9);
  });

  it('reads temperatureN/voltageN from the section, and sensor_type finds it by name', () => {
    const cfg = config('[adc_temperature amp]\ntemperature1: 20\nvoltage1: 1.2\ntemperature2: 220\nvoltage2: 3.2\n');
    expect(readAdcTemperatureTable(cfg.get('adc_temperature amp'))).toEqual({
      kind: 'voltage',
      points: [
        [20, 1.2],
        [220, 3.2],
      ],
    });
    const c = customAdcCurve(cfg, 'amp', {})!;
    expect(c.tempFromAdc(2.2 / 5)).toBeCloseTo(120, 9);
    expect(customAdcCurve(cfg, 'other', {})).toBeNull();
  });

  it('names the section and line of a bad table', () => {
    expect(loadError(`${CARTESIAN}\n[adc_temperature amp]\ntemperature1: 20\nvoltage1: 1.2\n`)).toMatch(
      /Section 'adc_temperature amp' needs at least two points .*printer\.cfg:\d+/,
    );
    expect(loadError(`${CARTESIAN}\n[adc_temperature amp]\ntemperature1: 20\nvoltage1: 1.2\ntemperature2: 30\n`)).toMatch(
      /Option 'voltage2' in section 'adc_temperature amp' must be specified.*printer\.cfg:\d+/,
    );
    expect(
      loadError(
        `${CARTESIAN}\n[adc_temperature amp]\ntemperature1: 20\nresistance1: 100\ntemperature2: 30\nvoltage2: 1\nresistance2: 90\n`,
      ),
    ).toMatch(/mixes resistance and voltage points/);
    expect(
      loadError(`${CARTESIAN}\n[adc_temperature amp]\ntemperature1: 20\nvoltage1: 1\ntemperature2: 30\nvoltage2: 2\nvoltage4: 3\n`),
    ).toMatch(/Option 'voltage4' .* follows a gap: temperature3 is missing/);
    expect(loadError(`${CARTESIAN}\n[adc_temperature amp]\ntemperature1: 20\nvoltage1: 1\ntemperature2: 30\nvoltage2: 1\n`)).toMatch(
      /adc_temperature amp.*same value.*printer\.cfg:\d+/,
    );
  });

  it('a heater section may use it as sensor_type (with adc_voltage)', () => {
    const text = `${CARTESIAN}\n[adc_temperature amp]\ntemperature1: 20\nvoltage1: 1.2\ntemperature2: 220\nvoltage2: 3.2\n\n[heater_generic chamber]\nheater_pin: PH3\nsensor_type: amp\nsensor_pin: PK7\nadc_voltage: 3.3\ncontrol: watermark\nmin_temp: 0\nmax_temp: 100\n`;
    expect(() => loadText(text)).not.toThrow();
  });
});
