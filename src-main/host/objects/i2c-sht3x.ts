// Sensirion SHT3x (SHT30/31/35) on I2C, from its datasheet: a single-shot measurement (high
// repeatability, no clock stretching: command 0x2400) is read back after the conversion as
// temperature and humidity words, each followed by its CRC-8 (polynomial 0x31, init 0xFF).
import { crc8, I2cChipError, type I2cBus, type I2cChip, type I2cReadings } from './i2c-sensor';

/** A word and its CRC from bytes i..i+2; a wrong CRC is the chip's (or the wire's) error. */
export function sensirionWord(bytes: ArrayLike<number>, i: number, what: string): number {
  const word = (bytes[i]! << 8) | bytes[i + 1]!;
  const crc = crc8([bytes[i]!, bytes[i + 1]!], 0xff);
  if (crc !== bytes[i + 2])
    throw new I2cChipError(
      `gave a bad CRC on its ${what} (0x${bytes[i + 2]!.toString(16)} instead of 0x${crc.toString(16)}): check the wiring`,
    );
  return word;
}

/** The 6 bytes of a measurement as degrees C and %RH (T = -45 + 175 S/65535, RH = 100 S/65535). */
export function decodeSht3x(bytes: ArrayLike<number>): I2cReadings {
  const st = sensirionWord(bytes, 0, 'temperature');
  const srh = sensirionWord(bytes, 3, 'humidity');
  return { temperatureC: -45 + (175 * st) / 65535, humidityPct: (100 * srh) / 65535 };
}

export class Sht3xChip implements I2cChip {
  readonly label = 'SHT3X';
  constructor(readonly reportTimeS: number) {}

  async init(bus: I2cBus): Promise<void> {
    await bus.transfer([0x30, 0xa2], 0); // soft reset
    await bus.delayMs(2);
    // The status register (0xF32D) answers with its CRC: proof the chip is an SHT3x.
    sensirionWord(await bus.transfer([0xf3, 0x2d], 3), 0, 'status');
  }

  async read(bus: I2cBus): Promise<I2cReadings> {
    await bus.transfer([0x24, 0x00], 0);
    await bus.delayMs(20); // high repeatability: 15.5 ms at most
    return decodeSht3x(await bus.transfer([], 6));
  }
}
