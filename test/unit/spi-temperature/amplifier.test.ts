// The built-in amplifier sensor types: NIST ITS-90 thermocouple EMF, each amplifier's output
// at datasheet/hand-worked points, and the ADC curve a heater uses (adc_voltage, voltage_offset).
import { describe, expect, it } from 'vitest';
import {
  AMPLIFIER_SENSOR_TYPES,
  amplifierCurve,
  amplifierVoltageTable,
  typeJMillivolts,
  typeKMillivolts,
} from '../../../src-main/host/objects/spi-temperature-amplifiers';

const voltsAt = (type: string, t: number) => amplifierVoltageTable(type)!.find(([c]) => c === t)![1];

describe('amplifier sensor types', () => {
  it('thermocouple EMF matches the NIST ITS-90 tables (mV)', () => {
    const k: [number, number][] = [
      [-100, -3.554],
      [0, 0],
      [25, 1.0],
      [100, 4.096],
      [200, 8.138],
      [300, 12.209],
      [500, 20.644],
    ];
    for (const [t, mv] of k) expect(typeKMillivolts(t), `K ${t}`).toBeCloseTo(mv, 3);
    const j: [number, number][] = [
      [-100, -4.633],
      [0, 0],
      [25, 1.277],
      [100, 5.269],
      [200, 10.779],
      [300, 16.327],
      [500, 27.393],
    ];
    for (const [t, mv] of j) expect(typeJMillivolts(t), `J ${t}`).toBeCloseTo(mv, 3);
  });

  it('AD595 follows its datasheet table: (EMF + 11 uV) x 247.3', () => {
    // AD595 table: 0 C 3 mV, 25 C 250 mV, 100 C 1015 mV, 200 C 2015 mV, 300 C 3022 mV.
    const points: [number, number][] = [
      [0, 0.003],
      [100, 1.015],
      [200, 2.015],
      [300, 3.022],
    ];
    for (const [t, v] of points) expect(Math.abs(voltsAt('AD595', t) - v), `AD595 ${t}`).toBeLessThan(0.0015);
  });

  it('AD8495/AD8497: 5 mV/C at their calibration temperature, K-type gain 122.4 elsewhere', () => {
    // At 100 C: 122.4 x (4.096 - 1.000) mV + 125 mV = 503.9 mV (AD8495, calibrated at 25 C).
    expect(voltsAt('AD8495', 100)).toBeCloseTo(0.5039, 3);
    // At the calibration temperature the output is exactly 5 mV/C.
    const ad8497 = amplifierVoltageTable('AD8497')!;
    expect(ad8497.find(([t]) => t === 60)![1]).toBeCloseTo(0.3, 9);
    expect(voltsAt('AD8494', 20)).toBeCloseTo(0.125 + (96.7 * (typeJMillivolts(20) - 1.277)) / 1000, 3);
  });

  it('PT100 INA826: 10 x 5 V x R / (4400 + R)', () => {
    expect(voltsAt('PT100 INA826', 0)).toBeCloseTo((50 * 100) / 4500, 6); // 1.1111 V
    expect(voltsAt('PT100 INA826', 100)).toBeCloseTo((50 * 138.5055) / 4538.5055, 4);
  });

  it('every type is a rising table usable as an ADC curve, and round-trips', () => {
    expect(AMPLIFIER_SENSOR_TYPES.sort()).toEqual(['AD595', 'AD597', 'AD8494', 'AD8495', 'AD8496', 'AD8497', 'PT100 INA826']);
    for (const type of AMPLIFIER_SENSOR_TYPES) {
      const table = amplifierVoltageTable(type)!;
      for (let i = 1; i < table.length; i++) expect(table[i]![1], type).toBeGreaterThan(table[i - 1]![1]);
      const curve = amplifierCurve(type, {})!;
      for (const t of [20, 150, 280]) expect(curve.tempFromAdc(curve.adcFromTemp(t)), type).toBeCloseTo(t, 6);
    }
    expect(amplifierCurve('EPCOS 100K B57560G104F', {})).toBeNull();
  });

  it('adc_voltage and voltage_offset scale the reading: ADC fraction = (V - offset) / adc_voltage', () => {
    const v100 = voltsAt('AD595', 100);
    expect(amplifierCurve('AD595', {})!.adcFromTemp(100)).toBeCloseTo(v100 / 5, 9);
    expect(amplifierCurve('AD595', { adcVoltage: 3.3 })!.adcFromTemp(100)).toBeCloseTo(v100 / 3.3, 9);
    expect(amplifierCurve('AD595', { adcVoltage: 3.3, voltageOffset: 0.1 })!.tempFromAdc((v100 - 0.1) / 3.3)).toBeCloseTo(100, 6);
  });
});
