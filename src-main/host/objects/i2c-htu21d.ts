// HTU21D and the chips sharing its commands (Si7013/Si7020/Si7021, SHT21), from their
// datasheets: the user register (read 0xE7, write 0xE6; bits 7 and 0) sets the resolution;
// measurements (temperature 0xF3/0xE3, humidity 0xF5/0xE5; 0xEx hold the bus) answer with a
// 16-bit value whose two low bits are status, then a CRC-8 (polynomial 0x31, init 0x00).
import { crc8, I2cChipError, type I2cBus, type I2cChip, type I2cReadings } from './i2c-sensor';
import type { HTU21D_RESOLUTIONS } from './i2c-sensor-options';

export type Htu21dResolution = (typeof HTU21D_RESOLUTIONS)[number];

/** The user register's resolution bits (bit 7, bit 0) of each htu21d_resolution. */
export const HTU21D_RESOLUTION_BITS: Record<Htu21dResolution, number> = {
  TEMP14_HUM12: 0x00,
  TEMP12_HUM08: 0x01,
  TEMP13_HUM10: 0x80,
  TEMP11_HUM11: 0x81,
};

/** Worst-case conversion times (ms) by resolution: temperature, humidity (HTU21D datasheet). */
const CONVERSION_MS: Record<Htu21dResolution, [number, number]> = {
  TEMP14_HUM12: [50, 16],
  TEMP13_HUM10: [25, 5],
  TEMP12_HUM08: [13, 3],
  TEMP11_HUM11: [7, 8],
};

/** A measurement's 3 bytes as its 16-bit value with the status bits cleared (CRC checked). */
export function htu21dWord(bytes: ArrayLike<number>, what: string): number {
  const crc = crc8([bytes[0]!, bytes[1]!], 0x00);
  if (crc !== bytes[2])
    throw new I2cChipError(
      `gave a bad CRC on its ${what} (0x${bytes[2]!.toString(16)} instead of 0x${crc.toString(16)}): check the wiring`,
    );
  return ((bytes[0]! << 8) | bytes[1]!) & 0xfffc;
}

export const htu21dTemperatureC = (word: number) => -46.85 + (175.72 * word) / 65536;
export const htu21dHumidityPct = (word: number) => -6 + (125 * word) / 65536;

export class Htu21dChip implements I2cChip {
  constructor(
    readonly label: string,
    readonly reportTimeS: number,
    private readonly resolution: Htu21dResolution,
    private readonly holdMaster: boolean,
  ) {}

  async init(bus: I2cBus): Promise<void> {
    await bus.transfer([0xfe], 0); // soft reset (15 ms)
    await bus.delayMs(20);
    const user = (await bus.transfer([0xe7], 1))[0]!;
    await bus.transfer([0xe6, (user & 0x7e) | HTU21D_RESOLUTION_BITS[this.resolution]], 0);
    const back = (await bus.transfer([0xe7], 1))[0]!;
    if ((back & 0x81) !== HTU21D_RESOLUTION_BITS[this.resolution])
      throw new I2cChipError(`did not take htu21d_resolution ${this.resolution} (user register reads 0x${back.toString(16)})`);
  }

  private async measure(bus: I2cBus, command: number, waitMs: number, what: string): Promise<number> {
    if (this.holdMaster) return htu21dWord(await bus.transfer([command], 3), what);
    await bus.transfer([command], 0);
    await bus.delayMs(waitMs + 2);
    return htu21dWord(await bus.transfer([], 3), what);
  }

  async read(bus: I2cBus): Promise<I2cReadings> {
    const [tMs, hMs] = CONVERSION_MS[this.resolution];
    const t = await this.measure(bus, this.holdMaster ? 0xe3 : 0xf3, tMs, 'temperature');
    const h = await this.measure(bus, this.holdMaster ? 0xe5 : 0xf5, hMs, 'humidity');
    return { temperatureC: htu21dTemperatureC(t), humidityPct: htu21dHumidityPct(h) };
  }
}
