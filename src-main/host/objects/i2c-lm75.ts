// LM75 / LM75A on I2C, from the datasheets: the temperature register (pointer 0x00) is a 16-bit
// two's complement value, MSB first, in 1/256 C steps of which the chip fills the top 9 (LM75)
// or 11 (LM75A) bits; the configuration register (0x01) is written 0 (comparator, running).
import type { I2cBus, I2cChip, I2cReadings } from './i2c-sensor';

/** The temperature register's two bytes as degrees C. */
export function decodeLm75(bytes: ArrayLike<number>): number {
  const word = (((bytes[0]! << 8) | bytes[1]!) << 16) >> 16;
  return word / 256;
}

export class Lm75Chip implements I2cChip {
  readonly label = 'LM75';
  constructor(readonly reportTimeS: number) {}

  async init(bus: I2cBus): Promise<void> {
    await bus.transfer([0x01, 0x00], 0);
  }

  async read(bus: I2cBus): Promise<I2cReadings> {
    return { temperatureC: decodeLm75(await bus.transfer([0x00], 2)) };
  }
}
