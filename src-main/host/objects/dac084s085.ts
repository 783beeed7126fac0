// [dac084S085 NAME]: Texas Instruments' four-channel 8-bit SPI DAC (Alligator boards' driver
// current). Each set channel_a..d is written once at config as a 16-bit word: 2 address bits,
// operating mode 01 (write the register and update the output), the 8-bit code, 4 unused bits.
// SPI mode 1 (the chip samples on the falling clock edge).
import type { ConfigSection } from '../config/section';
import type { Printer } from '../printer';
import { digipotCode, digipotSpi, readScaledValues } from './digipot';
import { DAC084S085_OPTIONS } from './digipot-options';

const DAC084S085_SPI_MODE = 1;
const DAC084S085_MAX_CODE = 255;
const WRITE_AND_UPDATE = 0b01;

/** The two bytes that set output 0..3 (A..D) to `code`. */
export function dac084s085Frame(channel: number, code: number): Uint8Array {
  const word = (channel << 14) | (WRITE_AND_UPDATE << 12) | (code << 4);
  return Uint8Array.of(word >> 8, word & 0xff);
}

export function loadDac084s085(printer: Printer, section: ConfigSection): void {
  const o = section.read(DAC084S085_OPTIONS);
  const names = ['channel_a', 'channel_b', 'channel_c', 'channel_d'];
  const { scale, values } = readScaledValues(section, names);
  const spi = digipotSpi(printer, section, DAC084S085_SPI_MODE, o.spi_speed);
  spi.mcu.registerConfigCallback(() => {
    names.forEach((name, i) => {
      const v = values.get(name);
      if (v !== undefined) spi.addInitBytes(dac084s085Frame(i, digipotCode(v, scale, DAC084S085_MAX_CODE)));
    });
  });
}
