// Bosch BME280 (temperature, humidity, pressure) and BMP280 (no humidity) on I2C, from the
// datasheets' register map: chip id at 0xD0 (0x60 BME280, 0x56-0x58 BMP280), trimming values at
// 0x88-0xA1 and 0xE1-0xE7, ctrl_hum 0xF2, ctrl_meas 0xF4, config 0xF5, readings 0xF7-0xFE. The
// chip runs in normal mode (measuring continuously); each sample reads the burst of raw values
// and applies the datasheet's integer compensation (32-bit temperature/humidity, 64-bit pressure).
import { I2cChipError, type I2cBus, type I2cChip, type I2cReadings } from './i2c-sensor';

export const BME280_CHIP_ID = 0x60;
export const BMP280_CHIP_IDS = [0x56, 0x57, 0x58];
/** Other Bosch chips a user may have wired at this address, named in the error. */
const OTHER_IDS: Record<number, string> = { 0x55: 'BMP180', 0x50: 'BMP388', 0x61: 'BME680' };

export interface Bme280Trim {
  t1: number;
  t2: number;
  t3: number;
  p: number[]; // P1..P9
  h1: number;
  h2: number;
  h3: number;
  h4: number;
  h5: number;
  h6: number;
}

const u16 = (b: ArrayLike<number>, i: number) => b[i]! | (b[i + 1]! << 8);
const s16 = (b: ArrayLike<number>, i: number) => (u16(b, i) << 16) >> 16;
const s8 = (x: number) => (x << 24) >> 24;
const s12 = (x: number) => (x << 20) >> 20;

/** The trimming values from 0x88..0xA1 (26 bytes) and, for a BME280, 0xE1..0xE7 (7 bytes). */
export function parseBme280Trim(tp: ArrayLike<number>, h: ArrayLike<number> | null): Bme280Trim {
  const p = [u16(tp, 6)];
  for (let i = 0; i < 8; i++) p.push(s16(tp, 8 + 2 * i));
  return {
    t1: u16(tp, 0),
    t2: s16(tp, 2),
    t3: s16(tp, 4),
    p,
    h1: tp[25] ?? 0,
    h2: h ? s16(h, 0) : 0,
    h3: h ? h[2]! : 0,
    // H4 and H5 are 12-bit signed values sharing the nibbles of 0xE5.
    h4: h ? s12((h[3]! << 4) | (h[4]! & 0x0f)) : 0,
    h5: h ? s12((h[5]! << 4) | (h[4]! >> 4)) : 0,
    h6: h ? s8(h[6]!) : 0,
  };
}

/** Temperature in 0.01 C and t_fine (which pressure and humidity need), from the 20-bit raw value. */
export function bme280Temperature(adcT: number, trim: Bme280Trim): { centiC: number; tFine: bigint } {
  const a = BigInt(adcT);
  const t1 = BigInt(trim.t1);
  const var1 = (((a >> 3n) - (t1 << 1n)) * BigInt(trim.t2)) >> 11n;
  const d = (a >> 4n) - t1;
  const var2 = (((d * d) >> 12n) * BigInt(trim.t3)) >> 14n;
  const tFine = var1 + var2;
  return { centiC: Number((tFine * 5n + 128n) >> 8n), tFine };
}

/** Pressure in Pa (the datasheet's 64-bit result is Pa * 256), from the 20-bit raw value. */
export function bme280PressurePa(adcP: number, tFine: bigint, trim: Bme280Trim): number {
  const P = trim.p.map(BigInt);
  let var1 = tFine - 128000n;
  let var2 = var1 * var1 * P[5]!;
  var2 += (var1 * P[4]!) << 17n;
  var2 += P[3]! << 35n;
  var1 = ((var1 * var1 * P[2]!) >> 8n) + ((var1 * P[1]!) << 12n);
  var1 = (((1n << 47n) + var1) * P[0]!) >> 33n;
  if (var1 === 0n) return 0; // avoids a division by zero (uncalibrated chip)
  let p = 1048576n - BigInt(adcP);
  p = (((p << 31n) - var2) * 3125n) / var1;
  var1 = (P[8]! * (p >> 13n) * (p >> 13n)) >> 25n;
  var2 = (P[7]! * p) >> 19n;
  p = ((p + var1 + var2) >> 8n) + (P[6]! << 4n);
  return Number(p) / 256;
}

/** Relative humidity in % (the datasheet's result is %RH * 1024), from the 16-bit raw value. */
export function bme280HumidityPct(adcH: number, tFine: bigint, trim: Bme280Trim): number {
  const [h1, h2, h3, h4, h5, h6] = [trim.h1, trim.h2, trim.h3, trim.h4, trim.h5, trim.h6].map(BigInt) as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  let v = tFine - 76800n;
  v =
    (((BigInt(adcH) << 14n) - (h4 << 20n) - h5 * v + 16384n) >> 15n) *
    (((((((v * h6) >> 10n) * (((v * h3) >> 11n) + 32768n)) >> 10n) + 2097152n) * h2 + 8192n) >> 14n);
  v = v - (((((v >> 15n) * (v >> 15n)) >> 7n) * h1) >> 4n);
  if (v < 0n) v = 0n;
  if (v > 419430400n) v = 419430400n;
  return Number(v >> 12n) / 1024;
}

/** The readings from the 0xF7.. burst (8 bytes on a BME280, 6 on a BMP280). */
export function decodeBme280(burst: ArrayLike<number>, trim: Bme280Trim, humidity: boolean): I2cReadings {
  const adcP = (burst[0]! << 12) | (burst[1]! << 4) | (burst[2]! >> 4);
  const adcT = (burst[3]! << 12) | (burst[4]! << 4) | (burst[5]! >> 4);
  const t = bme280Temperature(adcT, trim);
  const out: I2cReadings = { temperatureC: t.centiC / 100, pressureHpa: bme280PressurePa(adcP, t.tFine, trim) / 100 };
  if (humidity) out.humidityPct = bme280HumidityPct((burst[6]! << 8) | burst[7]!, t.tFine, trim);
  return out;
}

export class Bme280Chip implements I2cChip {
  label: string;
  private trim: Bme280Trim | null = null;
  private hasHumidity = false;

  constructor(
    private readonly sensorType: 'BME280' | 'BMP280',
    readonly reportTimeS: number,
  ) {
    this.label = sensorType;
  }

  async init(bus: I2cBus): Promise<void> {
    const id = (await bus.transfer([0xd0], 1))[0]!;
    if (id === BME280_CHIP_ID) this.hasHumidity = true;
    else if (!BMP280_CHIP_IDS.includes(id)) {
      const other = OTHER_IDS[id];
      throw new I2cChipError(
        `answered chip id 0x${id.toString(16)}${other ? ` (a ${other}, not supported yet)` : ''}, not a BME280's (0x60) or BMP280's (0x58): check sensor_type and i2c_address`,
      );
    }
    // A chip read as BMP280 really is one whatever sensor_type says (as in Klipper): no humidity.
    this.label = this.hasHumidity ? 'BME280' : this.sensorType === 'BME280' ? 'BMP280' : this.sensorType;
    const tp = await bus.transfer([0x88], 26);
    const h = this.hasHumidity ? await bus.transfer([0xe1], 7) : null;
    this.trim = parseBme280Trim(tp, h);
    if (this.trim.t1 === 0 || this.trim.p[0] === 0) throw new I2cChipError('has no calibration data (dig_T1/dig_P1 read 0)');
    // Oversampling x1 each, no IIR filter, 0.5 ms standby, normal mode. ctrl_hum takes effect
    // only after a ctrl_meas write, so it goes first.
    if (this.hasHumidity) await bus.transfer([0xf2, 0x01], 0);
    await bus.transfer([0xf5, 0x00], 0);
    await bus.transfer([0xf4, (1 << 5) | (1 << 2) | 3], 0);
    await bus.delayMs(10); // the first conversion (about 8 ms at x1 oversampling)
  }

  async read(bus: I2cBus): Promise<I2cReadings> {
    const burst = await bus.transfer([0xf7], this.hasHumidity ? 8 : 6);
    return decodeBme280(burst, this.trim!, this.hasHumidity);
  }
}
