// Accelerometer samples as the MCU sends them (sensor_bulk_data), per chip family, and the
// mapping of sample numbers to MCU clock. The packings are the Klipper protocol's, so a board
// running Klipper's firmware decodes alike:
// - ADXL345: 5 bytes a sample, the chip's three 13-bit full-resolution readings packed as x/y/z
//   low bytes, then x's top 5 bits with z's bits 8..10 above them, then y's top 5 bits with z's
//   bits 11..12 above them; 10 samples a message.
// - LIS2DW/LIS3DH: the six output registers as read (x, y, z little-endian 16-bit, the reading
//   left-justified); 8 samples a message.
// - MPU-9250 family/ICM-20948: six FIFO bytes (x, y, z big-endian 16-bit); 8 samples a message.

export const ADXL345_BYTES_PER_SAMPLE = 5;
/** Full resolution: 3.9 mg per count (1/256 g), in mm/s^2 as the rest of the host uses. */
export const ADXL345_MM_S2_PER_COUNT = 9806.65 / 256;
const GRAVITY_MM_S2 = 9806.65;

export interface RawSample {
  x: number;
  y: number;
  z: number;
}

/** How a chip's samples travel in sensor_bulk_data, and what one count is worth. */
export interface SampleFormat {
  bytesPerSample: number;
  samplesPerMessage: number;
  mmS2PerCount: number;
  /**
   * The chip FIFO's size in the status report's bytes: a report at or above it may have been
   * taken with the FIFO full, its level capped, so it undercounts the samples made.
   */
  fifoBytes: number;
  decode(data: Uint8Array): RawSample[];
}

function checkWhole(data: Uint8Array, bytes: number, chip: string): void {
  if (data.length % bytes) throw new Error(`${chip}: bulk data of ${data.length} bytes is not whole ${bytes}-byte samples`);
}

/** Decode one sensor_bulk_data payload into signed counts; throws on a length not a whole number of samples. */
export function decodeAdxl345Counts(data: Uint8Array): RawSample[] {
  checkWhole(data, ADXL345_BYTES_PER_SAMPLE, 'adxl345');
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

/** Six bytes a sample: x, y, z as signed 16-bit words (little- or big-endian). */
export function decodeInt16Samples(data: Uint8Array, littleEndian: boolean, chip: string): RawSample[] {
  checkWhole(data, 6, chip);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: RawSample[] = [];
  for (let i = 0; i < data.length; i += 6)
    out.push({ x: view.getInt16(i, littleEndian), y: view.getInt16(i + 2, littleEndian), z: view.getInt16(i + 4, littleEndian) });
  return out;
}

export const ADXL345_FORMAT: SampleFormat = {
  bytesPerSample: ADXL345_BYTES_PER_SAMPLE,
  samplesPerMessage: 10,
  mmS2PerCount: ADXL345_MM_S2_PER_COUNT,
  fifoBytes: 32 * ADXL345_BYTES_PER_SAMPLE,
  decode: decodeAdxl345Counts,
};

/**
 * LIS2DW12 at +-16 g (CTRL6 FS=11): 1.952 mg per 14-bit count, the count left-justified in 16
 * bits, so a 16-bit word is worth a quarter of that.
 */
export const LIS2DW_FORMAT: SampleFormat = {
  bytesPerSample: 6,
  samplesPerMessage: 8,
  mmS2PerCount: (1.952e-3 * GRAVITY_MM_S2) / 4,
  fifoBytes: 32 * 6,
  decode: (d) => decodeInt16Samples(d, true, 'lis2dw'),
};

/** LIS3DH at +-16 g in high-resolution mode: 12 mg per 12-bit count, left-justified (/16). */
export const LIS3DH_FORMAT: SampleFormat = {
  bytesPerSample: 6,
  samplesPerMessage: 8,
  mmS2PerCount: (12e-3 * GRAVITY_MM_S2) / 16,
  fifoBytes: 32 * 6,
  decode: (d) => decodeInt16Samples(d, true, 'lis3dh'),
};

/** MPU-9250/6500/6050 and ICM-20948 at +-16 g: 2048 counts per g. */
export const MPU_FORMAT: SampleFormat = {
  bytesPerSample: 6,
  samplesPerMessage: 8,
  mmS2PerCount: GRAVITY_MM_S2 / 2048,
  fifoBytes: 512,
  decode: (d) => decodeInt16Samples(d, false, 'mpu9250'),
};

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

/** Counts -> mm/s^2 on the printer's axes (ADXL345 counts unless the chip's scale is given). */
export function countsToAccel(
  s: RawSample,
  axesMap: { index: number; sign: number }[],
  mmS2PerCount = ADXL345_MM_S2_PER_COUNT,
): [number, number, number] {
  const raw = [s.x, s.y, s.z];
  return [0, 1, 2].map((i) => raw[axesMap[i].index] * axesMap[i].sign * mmS2PerCount) as [number, number, number];
}

/** Least-squares line through (count, clock) points; one point: the nominal rate. */
export function fitSampleClock(points: { count: number; clock: number }[], nominalTicksPerSample: number): (k: number) => number {
  if (points.length < 2) {
    const p = points[0] ?? { count: 0, clock: 0 };
    return (k) => p.clock + (k - p.count) * nominalTicksPerSample;
  }
  const n = points.length;
  const mc = points.reduce((a, p) => a + p.count, 0) / n;
  const mk = points.reduce((a, p) => a + p.clock, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.count - mc) ** 2;
    sxy += (p.count - mc) * (p.clock - mk);
  }
  const slope = sxx > 0 ? sxy / sxx : nominalTicksPerSample;
  return (k) => mk + (k - mc) * slope;
}
