// ADXL345 samples as the MCU sends them (sensor_bulk_data): 5 bytes a sample, the chip's three
// 13-bit full-resolution readings packed as x/y/z low bytes, then x's top 5 bits with z's bits
// 8..10 above them, then y's top 5 bits with z's bits 11..12 above them (bit 7: FIFO overflow).
// This packing is the Klipper protocol's, so a board running Klipper's firmware decodes alike.

export const ADXL345_BYTES_PER_SAMPLE = 5;
/** Full resolution: 3.9 mg per count (1/256 g), in mm/s^2 as the rest of the host uses. */
export const ADXL345_MM_S2_PER_COUNT = 9806.65 / 256;

export interface RawSample {
  x: number;
  y: number;
  z: number;
}

/** Decode one sensor_bulk_data payload into signed counts; throws on a length not a whole number of samples. */
export function decodeAdxl345Counts(data: Uint8Array): RawSample[] {
  if (data.length % ADXL345_BYTES_PER_SAMPLE) throw new Error(`adxl345: bulk data of ${data.length} bytes is not whole 5-byte samples`);
  const out: RawSample[] = [];
  for (let i = 0; i < data.length; i += ADXL345_BYTES_PER_SAMPLE) {
    const [xlow, ylow, zlow, xzhigh, yzhigh] = data.subarray(i, i + 5);
    const x = (xlow | ((xzhigh & 0x1f) << 8)) - ((xzhigh & 0x10) << 9);
    const y = (ylow | ((yzhigh & 0x1f) << 8)) - ((yzhigh & 0x10) << 9);
    const z = (zlow | ((xzhigh & 0xe0) << 3) | ((yzhigh & 0x60) << 6)) - ((yzhigh & 0x40) << 7);
    out.push({ x, y, z });
  }
  return out;
}

/** The inverse (for tests and tools): pack signed 13-bit counts as the MCU does. */
export function encodeAdxl345Counts(samples: RawSample[]): Uint8Array {
  const out = new Uint8Array(samples.length * ADXL345_BYTES_PER_SAMPLE);
  samples.forEach((s, k) => {
    const [x, y, z] = [s.x & 0x1fff, s.y & 0x1fff, s.z & 0x1fff];
    out.set([x & 0xff, y & 0xff, z & 0xff, (x >> 8) | (((z >> 8) & 0x07) << 5), (y >> 8) | (((z >> 11) & 0x03) << 5)], k * 5);
  });
  return out;
}

/** Map the chip's axes onto the printer's: axes_map like "x,y,z" or "-y,x,z". */
export function parseAxesMap(text: string): { index: number; sign: number }[] {
  const parts = text.split(',').map((p) => p.trim().toLowerCase());
  const names = ['x', 'y', 'z'];
  const map = parts.map((p) => {
    const neg = p.startsWith('-');
    const index = names.indexOf(neg ? p.slice(1) : p);
    return { index, sign: neg ? -1 : 1 };
  });
  if (map.length !== 3 || map.some((m) => m.index < 0) || new Set(map.map((m) => m.index)).size !== 3)
    throw new Error(`Invalid axes_map parameter "${text}": give three of x, y, z (each once, optionally with -)`);
  return map;
}

/** Counts -> mm/s^2 on the printer's axes. */
export function countsToAccel(s: RawSample, axesMap: { index: number; sign: number }[]): [number, number, number] {
  const raw = [s.x, s.y, s.z];
  return [0, 1, 2].map((i) => raw[axesMap[i].index] * axesMap[i].sign * ADXL345_MM_S2_PER_COUNT) as [number, number, number];
}
