// [ad5206 NAME]: Analog Devices' six-channel 8-bit SPI digital potentiometer, setting the
// stepper drivers' current on boards such as the RAMBo. Each set channel_N is written once at
// config: an 11-bit word (3 address bits = channel - 1, then the 8-bit code) in two bytes, mode 0.
import type { ConfigSection } from '../config/section';
import type { Printer } from '../printer';
import { digipotCode, digipotSpi, readScaledValues } from './digipot';
import { AD5206_OPTIONS } from './digipot-options';

const AD5206_SPI_MODE = 0;
const AD5206_MAX_CODE = 255;

/** The two bytes that set channel 1..6 to `code` (the chip keeps the last 11 bits clocked in). */
export function ad5206Frame(channel: number, code: number): Uint8Array {
  return Uint8Array.of(channel - 1, code);
}

export function loadAd5206(printer: Printer, section: ConfigSection): void {
  const o = section.read(AD5206_OPTIONS);
  const names = [1, 2, 3, 4, 5, 6].map((i) => `channel_${i}`);
  const { scale, values } = readScaledValues(section, names);
  const spi = digipotSpi(printer, section, AD5206_SPI_MODE, o.spi_speed);
  spi.mcu.registerConfigCallback(() => {
    names.forEach((name, i) => {
      const v = values.get(name);
      if (v !== undefined) spi.addInitBytes(ad5206Frame(i + 1, digipotCode(v, scale, AD5206_MAX_CODE)));
    });
  });
}
