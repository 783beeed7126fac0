// [mcp4728 NAME]: Microchip's quad 12-bit I2C DAC. Each set channel_a..d is written once at
// config with the multi-write command: 0b01000, the channel, UDAC 0 (update now); then VREF 0
// (VDD reference), power-down 00, gain x1 and data bits 11..8; then data bits 7..0.
import type { ConfigSection } from '../config/section';
import type { Printer } from '../printer';
import { digipotCode, digipotI2c, readScaledValues } from './digipot';
import { MCP4728_OPTIONS } from './digipot-options';

const MCP4728_MAX_CODE = 4095;
const MULTI_WRITE = 0x40;

/** The three bytes that set output 0..3 (A..D) to a 12-bit code. */
export function mcp4728Write(channel: number, code: number): Uint8Array {
  return Uint8Array.of(MULTI_WRITE | (channel << 1), (code >> 8) & 0x0f, code & 0xff);
}

export function loadMcp4728(printer: Printer, section: ConfigSection): void {
  const o = section.read(MCP4728_OPTIONS);
  const names = ['channel_a', 'channel_b', 'channel_c', 'channel_d'];
  const { scale, values } = readScaledValues(section, names);
  const i2c = digipotI2c(printer, section, o.i2c_address);
  i2c.mcu.registerConfigCallback(() => {
    names.forEach((name, i) => {
      const v = values.get(name);
      if (v !== undefined) i2c.addInitWrite(mcp4728Write(i, digipotCode(v, scale, MCP4728_MAX_CODE)));
    });
  });
}
