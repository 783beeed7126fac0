// Raw chip values <-> degrees for the four SPI chips, worked by hand from their datasheets'
// data formats; the PT100/PT1000 Callendar-Van Dusen curve against IEC 60751 table values;
// the configuration bytes and fault words.
import { describe, expect, it } from 'vitest';
import {
  checkedRaw,
  configWrites,
  faultText,
  rawFromTemp,
  rawLimits,
  rtdOhmFromTemp,
  rtdTempFromOhm,
  tempFromValue,
  type SpiChipSettings,
} from '../../../src-main/host/objects/spi-temperature-chips';

const base: SpiChipSettings = {
  chip: 'MAX31855',
  tcType: 'K',
  tcUse50Hz: false,
  tcAveragingCount: 1,
  rtdNominalOhm: 100,
  rtdReferenceOhm: 430,
  rtdWires: 2,
  rtdUse50Hz: false,
};
const chip = (c: SpiChipSettings['chip'], more: Partial<SpiChipSettings> = {}) => ({ ...base, chip: c, ...more });

describe('SPI temperature chip conversions', () => {
  it('MAX31855: the 14-bit signed field in frame bits 31..18, 0.25 C a step (datasheet format table)', () => {
    const s = chip('MAX31855');
    const cases: [number, number][] = [
      [0x1900, 1600],
      [0x0fa0, 1000],
      [0x0193, 100.75],
      [0x0064, 25],
      [0x0000, 0],
      [0x3fff, -0.25],
      [0x3ffc, -1],
      [0x3c18, -250],
    ];
    for (const [field, t] of cases) {
      // The cold-junction field and fault bits below bit 18 do not change the reading.
      const frame = ((field << 18) | (0x190 << 4)) >>> 0;
      expect(tempFromValue(s, frame), `0x${field.toString(16)}`).toBe(t);
      expect(rawFromTemp(s, t) & 0x3fff).toBe(field);
    }
  });

  it('MAX6675: bits 14..3, 0.25 C a step', () => {
    const s = chip('MAX6675');
    expect(tempFromValue(s, 0x0000)).toBe(0);
    expect(tempFromValue(s, 0x7ff8)).toBe(1023.75);
    expect(tempFromValue(s, 100 << 3)).toBe(25);
    expect(tempFromValue(s, (100 << 3) | 0x04)).toBe(25); // the open bit is not part of the reading
  });

  it('MAX31856: LTCB is a 19-bit signed value in bits 23..5, 1/128 C a step (datasheet format table)', () => {
    const s = chip('MAX31856');
    expect(tempFromValue(s, 0x640000)).toBe(1600);
    expect(tempFromValue(s, 0x000020)).toBe(0.0078125);
    expect(tempFromValue(s, 0x000000)).toBe(0);
    expect(tempFromValue(s, 0xfffff0 & ~0x1f)).toBe(-0.0078125);
    expect(tempFromValue(s, 0xf06000)).toBe(-250);
    expect(checkedRaw('MAX31856', 0xf06000)).toBe(-32000);
  });

  it('Callendar-Van Dusen: IEC 60751 PT100 table values both ways', () => {
    const table: [number, number][] = [
      [-200, 18.52],
      [-100, 60.26],
      [0, 100],
      [100, 138.51],
      [200, 175.86],
      [300, 212.05],
      [400, 247.09],
    ];
    for (const [t, r] of table) {
      expect(rtdOhmFromTemp(100, t)).toBeCloseTo(r, 2);
      expect(rtdTempFromOhm(100, r)).toBeCloseTo(t, 1);
      expect(rtdTempFromOhm(100, rtdOhmFromTemp(100, t))).toBeCloseTo(t, 6);
    }
    expect(rtdOhmFromTemp(1000, 100)).toBeCloseTo(1385.055, 3); // PT1000
  });

  it('MAX31865: code = R * 32768 / Rref in RTD bits 15..1', () => {
    // Rref 400: 0 C (100 ohm) is code 8192 exactly; 100 C (138.5055 ohm) is 11346.37 -> 11346;
    // code 11347 is 138.5132 ohm, 0.0077 ohm above 100 C at 0.379 ohm/C: 100.02 C.
    const s = chip('MAX31865', { rtdReferenceOhm: 400 });
    expect(tempFromValue(s, 8192 << 1)).toBeCloseTo(0, 9);
    expect(tempFromValue(s, (11347 << 1) | 1)).toBeCloseTo(100.02, 2);
    expect(rawFromTemp(s, 100)).toBe(11346);
    // PT1000 with a 4300 ohm reference: 0 C = 1000/4300 * 32768 = 7620.47 -> 7620, which is
    // 999.939 ohm: 0.061 ohm below 0 C at 3.908 ohm/C, -0.016 C.
    const pt1000 = chip('MAX31865', { rtdNominalOhm: 1000, rtdReferenceOhm: 4300 });
    expect(rawFromTemp(pt1000, 0)).toBe(7620);
    expect(tempFromValue(pt1000, 7620 << 1)).toBeCloseTo(-0.016, 3);
  });

  it('min_temp/max_temp become the raw range the MCU checks, with a little margin', () => {
    expect(rawLimits(chip('MAX31855'), 0, 300)).toEqual({ minValue: -4, maxValue: 1204 });
    expect(rawLimits(chip('MAX31856'), -10, 500)).toEqual({ minValue: -1408, maxValue: 64128 });
    const rtd = rawLimits(chip('MAX31865', { rtdReferenceOhm: 400 }), 0, 100);
    expect(rtd).toEqual({ minValue: 8188, maxValue: 11350 });
  });

  it('configuration bytes: MAX31856 CR0/CR1/MASK, MAX31865 config', () => {
    expect(configWrites(chip('MAX31855'))).toEqual([]);
    expect(configWrites(chip('MAX6675'))).toEqual([]);
    // CR0: auto conversion 0x80 | OCFAULT 01 0x10 | 50 Hz 0x01; CR1: 4 samples (2 << 4) | K (3).
    expect(configWrites(chip('MAX31856', { tcUse50Hz: true, tcAveragingCount: 4 }))).toEqual([[0x80, 0x91, 0x23, 0x00]]);
    expect(configWrites(chip('MAX31856', { tcType: 'T', tcAveragingCount: 16 }))).toEqual([[0x80, 0x90, 0x47, 0x00]]);
    // Bias 0x80 | auto 0x40 | 3-wire 0x10 | fault clear 0x02 | 50 Hz 0x01.
    expect(configWrites(chip('MAX31865', { rtdWires: 3, rtdUse50Hz: true }))).toEqual([[0x80, 0xd3]]);
    expect(configWrites(chip('MAX31865', { rtdWires: 4 }))).toEqual([[0x80, 0xc2]]);
  });

  it('fault bits in words', () => {
    expect(faultText('MAX31855', 0x01)).toBe('thermocouple open circuit');
    expect(faultText('MAX31855', 0x06)).toBe('thermocouple shorted to GND, thermocouple shorted to VCC');
    expect(faultText('MAX31856', 0x01)).toBe('thermocouple open circuit');
    expect(faultText('MAX31865', 0x80)).toMatch(/^RTD high threshold/);
    expect(faultText('MAX31865', 0x40)).toMatch(/^RTD low threshold/);
    expect(faultText('MAX6675', 0x04)).toBe('thermocouple input open');
    expect(faultText('MAX6675', 0x10)).toBe('unknown fault bits 0x10');
    expect(faultText('MAX31855', 0)).toBe('');
  });
});
