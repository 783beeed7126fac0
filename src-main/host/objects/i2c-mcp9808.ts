// Microchip MCP9808 on I2C, from its datasheet: manufacturer id (register 0x06) reads 0x0054,
// device id (0x07) 0x04xx; the ambient temperature (0x05) is 13 bits two's complement in 1/16 C
// under three alert flags.
import { I2cChipError, type I2cBus, type I2cChip, type I2cReadings } from './i2c-sensor';

/** The ambient temperature register's two bytes as degrees C. */
export function decodeMcp9808(bytes: ArrayLike<number>): number {
  const raw = ((bytes[0]! & 0x1f) << 8) | bytes[1]!;
  return ((raw << 19) >> 19) / 16;
}

export class Mcp9808Chip implements I2cChip {
  readonly label = 'MCP9808';
  constructor(readonly reportTimeS: number) {}

  async init(bus: I2cBus): Promise<void> {
    const m = await bus.transfer([0x06], 2);
    const manufacturer = (m[0]! << 8) | m[1]!;
    if (manufacturer !== 0x0054)
      throw new I2cChipError(
        `answered manufacturer id 0x${manufacturer.toString(16)}, not an MCP9808's (0x54): check sensor_type and i2c_address`,
      );
  }

  async read(bus: I2cBus): Promise<I2cReadings> {
    return { temperatureC: decodeMcp9808(await bus.transfer([0x05], 2)) };
  }
}
