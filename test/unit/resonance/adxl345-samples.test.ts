import { describe, expect, it } from 'vitest';
import {
  ADXL345_MM_S2_PER_COUNT,
  countsToAccel,
  decodeAdxl345Counts,
  encodeAdxl345Counts,
  parseAxesMap,
} from '../../../src-main/host/objects/adxl345-samples';
import { fitSampleClock } from '../../../src-main/host/objects/adxl345';

describe('ADXL345 bulk samples', () => {
  it('decodes the 5-byte packing: a hand-packed sample and 13-bit extremes', () => {
    // x = -2 (0x1ffe), y = 300 (0x012c), z = 256 (0x0100): low bytes fe 2c 00; x's top 5 bits
    // 0x1f with z bits 8..10 (001) above -> 0x3f; y's top 5 bits 0x01 with z bits 11..12 (00) -> 0x01.
    expect(decodeAdxl345Counts(Uint8Array.of(0xfe, 0x2c, 0x00, 0x3f, 0x01))).toEqual([{ x: -2, y: 300, z: 256 }]);
    const extremes = [
      { x: 4095, y: -4096, z: -4096 },
      { x: -1, y: 0, z: 4095 },
      { x: 0, y: 1, z: -1 },
    ];
    expect(decodeAdxl345Counts(encodeAdxl345Counts(extremes))).toEqual(extremes);
  });

  it('rejects a payload that is not whole samples', () => {
    expect(() => decodeAdxl345Counts(new Uint8Array(7))).toThrow(/not whole 5-byte samples/);
  });

  it('maps axes and scales to mm/s^2 (256 counts = 1 g)', () => {
    const map = parseAxesMap('x, z, -y');
    expect(countsToAccel({ x: 0, y: 256, z: 10 }, map)).toEqual([0, 10 * ADXL345_MM_S2_PER_COUNT, -9806.65]);
    expect(() => parseAxesMap('x, x, z')).toThrow(/axes_map/);
    expect(() => parseAxesMap('x, y')).toThrow(/axes_map/);
  });

  it('fits sample numbers to MCU clock through the status reports', () => {
    // 3200 Hz on a 50 MHz clock = 15625 ticks a sample, starting at clock 1e6; reports jittered by
    // +-40 ticks (the status query's own duration).
    const pts = [0, 1600, 3200, 4800].map((count, i) => ({ count, clock: 1e6 + count * 15625 + (i % 2 ? 40 : -40) }));
    const fit = fitSampleClock(pts, 99999);
    expect(Math.abs(fit(6400) - (1e6 + 6400 * 15625))).toBeLessThan(100);
    expect(fitSampleClock([{ count: 10, clock: 500 }], 15625)(12)).toBe(500 + 2 * 15625);
  });
});
