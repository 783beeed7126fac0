// [adc_temperature NAME]: a custom ADC sensor given as a table of temperature/voltage points (an
// amplifier's output) or temperature/resistance points (a resistive sensor on a pullup), then
// usable as `sensor_type: NAME`. Between points the reading is interpolated linearly; beyond the
// first and last point the end segments are extended, so a slightly out-of-table reading still
// gives a temperature (min_temp/max_temp decide whether it is acceptable).
import type { ConfigSection, PrinterConfig } from '../config/section';
import { defineOptions } from '../config/options';
import type { AdcCurve } from './thermistor';

/** The options of the table's first two points, for the editor's catalog (later points follow the same names). */
export const ADC_TEMPERATURE_OPTIONS = defineOptions({
  temperature1: { type: 'float', doc: 'Temperature (C) of the first point; temperature2, temperature3... follow' },
  voltage1: { type: 'float', optional: true, doc: 'Voltage (V) at temperature1 (voltage table); voltage2... follow' },
  resistance1: { type: 'float', optional: true, doc: 'Resistance (ohm) at temperature1 (resistance table); resistance2... follow' },
  temperature2: { type: 'float', doc: 'Temperature (C) of the second point: at least two points are needed' },
  voltage2: { type: 'float', optional: true, doc: 'Voltage (V) at temperature2' },
  resistance2: { type: 'float', optional: true, doc: 'Resistance (ohm) at temperature2' },
});

/** Piecewise-linear y(x) through points with strictly increasing x; the end segments extend outwards. */
export class LinearTable {
  private readonly xs: number[];
  private readonly ys: number[];

  /** Throws a plain Error (the caller names the section) for fewer than two points or a repeated x. */
  constructor(points: readonly (readonly [x: number, y: number])[]) {
    const sorted = [...points].sort((a, b) => a[0] - b[0]);
    if (sorted.length < 2) throw new Error('at least two points are needed');
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]![0] === sorted[i - 1]![0]) throw new Error(`two points share the same value ${sorted[i]![0]}`);
    }
    this.xs = sorted.map((p) => p[0]);
    this.ys = sorted.map((p) => p[1]);
  }

  /** y at x: the segment around x, or the first/last one extended. */
  at(x: number): number {
    let i = 1;
    while (i < this.xs.length - 1 && x > this.xs[i]!) i++;
    const x0 = this.xs[i - 1]!;
    const x1 = this.xs[i]!;
    const y0 = this.ys[i - 1]!;
    const y1 = this.ys[i]!;
    return y0 + ((x - x0) * (y1 - y0)) / (x1 - x0);
  }

  /** x at y, for a table whose y rises or falls monotonically (a sensor's); the ends extend too. */
  inverse(y: number): number {
    // A flat stretch (two points with the same y) has no single x: its first point stands for it.
    const seen = new Set<number>();
    const flipped = this.ys.flatMap((v, i) => (seen.has(v) ? [] : (seen.add(v), [[v, this.xs[i]!] as const])));
    return new LinearTable(flipped).at(y);
  }
}

/** One table as read from its section. */
export interface AdcTemperatureTable {
  kind: 'voltage' | 'resistance';
  /** [temperature C, volts or ohms] in the config's order. */
  points: [number, number][];
}

/** Reads temperature1/voltage1 (or resistance1), temperature2/... until the first missing temperatureN. */
export function readAdcTemperatureTable(section: ConfigSection): AdcTemperatureTable {
  const kind = section.has('resistance1') ? 'resistance' : 'voltage';
  const other = kind === 'voltage' ? 'resistance' : 'voltage';
  const points: [number, number][] = [];
  for (let i = 1; section.has(`temperature${i}`); i++) {
    const t = section.getFloat(`temperature${i}`, undefined, { minval: -273.15 });
    if (!section.has(`${kind}${i}`)) {
      throw section.error(
        `temperature${i}`,
        `Option '${kind}${i}' in section '${section.name}' must be specified (each temperatureN needs its ${kind}N)`,
      );
    }
    points.push([t, section.getFloat(`${kind}${i}`, undefined, kind === 'resistance' ? { minval: 0 } : {})]);
  }
  // A mixed table or a point after a gap would silently be ignored: name it instead.
  for (const name of section.optionNames()) {
    const m = /^(temperature|voltage|resistance)(\d+)$/.exec(name);
    if (!m) continue;
    const n = Number(m[2]);
    if (m[1] === other) throw section.error(name, `Section '${section.name}' mixes ${kind} and ${other} points: use one kind of table`);
    if (n > points.length) {
      throw section.error(name, `Option '${name}' in section '${section.name}' follows a gap: temperature${points.length + 1} is missing`);
    }
  }
  if (points.length < 2) {
    throw section.error(
      points.length ? 'temperature1' : (section.optionNames()[0] ?? 'temperature1'),
      `Section '${section.name}' needs at least two points (temperature1/${kind}1 and temperature2/${kind}2)`,
    );
  }
  return { kind, points };
}

/** What the sensor's own section says about the circuit (adc_voltage and voltage_offset, or pullup_resistor). */
export interface AdcCircuit {
  adcVoltage?: number;
  voltageOffset?: number;
  pullupOhm?: number;
}

/**
 * A table as an ADC curve. Voltage tables: ADC fraction = (V - voltage_offset) / adc_voltage
 * (defaults 5 V and 0 V). Resistance tables: the sensor on a pullup (default 4700 ohm) to the
 * ADC reference, R = pullup * adc / (1 - adc).
 */
export function adcTableCurve(table: AdcTemperatureTable, circuit: AdcCircuit): AdcCurve {
  if (table.kind === 'voltage') {
    const vref = circuit.adcVoltage ?? 5;
    const offset = circuit.voltageOffset ?? 0;
    const toAdc = (v: number) => Math.max(0, Math.min(1, (v - offset) / vref));
    const byAdc = new LinearTable(table.points.map(([t, v]) => [toAdc(v), t] as const));
    return { tempFromAdc: (adc) => byAdc.at(adc), adcFromTemp: (t) => Math.max(0, Math.min(1, byAdc.inverse(t))) };
  }
  const pullup = circuit.pullupOhm ?? 4700;
  const byOhm = new LinearTable(table.points.map(([t, r]) => [r, t] as const));
  return {
    tempFromAdc(adc) {
      const a = Math.max(0.00001, Math.min(0.99999, adc));
      return byOhm.at((pullup * a) / (1 - a));
    },
    adcFromTemp(t) {
      const r = Math.max(0, byOhm.inverse(t));
      return r / (pullup + r);
    },
  };
}

/** The curve for `sensor_type: NAME` when the config has [adc_temperature NAME], else null. */
export function customAdcCurve(config: PrinterConfig, sensorType: string, circuit: AdcCircuit): AdcCurve | null {
  const s = config.getOrNull(`adc_temperature ${sensorType}`);
  if (!s) return null;
  const table = readAdcTemperatureTable(s);
  try {
    return adcTableCurve(table, circuit);
  } catch (e) {
    throw s.error('temperature1', `Section '${s.name}': ${(e as Error).message}`);
  }
}
