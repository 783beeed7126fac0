// ASAIR AHT10 / AHT20 / AHT21 on I2C, from their datasheets: after calibration (0xE1 0x08 0x00 on
// the AHT10, 0xBE 0x08 0x00 on the AHT2x) a trigger (0xAC 0x33 0x00) starts a measurement read
// back ~80 ms later as a status byte (bit 7 busy, bit 3 calibrated) and two 20-bit values; the
// AHT2x add a CRC-8 (polynomial 0x31, init 0xFF) over the first six bytes.
import { crc8, I2cChipError, type I2cBus, type I2cChip, type I2cReadings } from './i2c-sensor';

const BUSY = 0x80;
const CALIBRATED = 0x08;

/** A measurement (6 bytes, or 7 with the AHT2x CRC) as degrees C and %RH (RH = S/2^20, T = 200 S/2^20 - 50). */
export function decodeAht(bytes: ArrayLike<number>, withCrc: boolean): I2cReadings {
  if (withCrc) {
    const crc = crc8(Array.from(bytes).slice(0, 6), 0xff);
    if (crc !== bytes[6])
      throw new I2cChipError(`gave a bad CRC (0x${bytes[6]!.toString(16)} instead of 0x${crc.toString(16)}): check the wiring`);
  }
  const rawH = (bytes[1]! << 12) | (bytes[2]! << 4) | (bytes[3]! >> 4);
  const rawT = ((bytes[3]! & 0x0f) << 16) | (bytes[4]! << 8) | bytes[5]!;
  return { temperatureC: (rawT / 0x100000) * 200 - 50, humidityPct: (rawH / 0x100000) * 100 };
}

export class AhtChip implements I2cChip {
  constructor(
    readonly label: 'AHT10' | 'AHT20' | 'AHT21',
    readonly reportTimeS: number,
  ) {}

  private get isAht2x(): boolean {
    return this.label !== 'AHT10';
  }

  async init(bus: I2cBus): Promise<void> {
    await bus.transfer([0xba], 0); // soft reset
    await bus.delayMs(20);
    await bus.transfer(this.isAht2x ? [0xbe, 0x08, 0x00] : [0xe1, 0x08, 0x00], 0);
    await bus.delayMs(10);
    const status = (await bus.transfer([], 1))[0]!;
    if (!(status & CALIBRATED))
      throw new I2cChipError(`reports itself uncalibrated (status 0x${status.toString(16)}) after the calibrate command`);
  }

  async read(bus: I2cBus): Promise<I2cReadings> {
    await bus.transfer([0xac, 0x33, 0x00], 0);
    await bus.delayMs(80);
    const bytes = await bus.transfer([], this.isAht2x ? 7 : 6);
    if (bytes[0]! & BUSY) throw new I2cChipError('was still measuring 80 ms after the trigger');
    return decodeAht(bytes, this.isAht2x);
  }
}
