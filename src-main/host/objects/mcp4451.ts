// [mcp4451 NAME]: Microchip's quad I2C digital potentiometer (Smoothieboard, Azteeg X5 mini).
// At config both terminal-control registers are set to connect every terminal, then each set
// wiper_0..3 is written to its volatile wiper register. A write is a command byte (4-bit memory
// address, command 00 = write, data bits 9..8) and the low data byte.
import type { ConfigSection } from '../config/section';
import type { Printer } from '../printer';
import { digipotCode, digipotI2c, readScaledValues } from './digipot';
import { MCP4451_OPTIONS } from './digipot-options';

const MCP4451_MAX_CODE = 255;
const WIPER_REGISTERS = [0x00, 0x01, 0x06, 0x07];
const TCON0 = 0x04;
const TCON1 = 0x0a;
/** Every terminal (A, W, B) of every resistor connected, none in hardware shutdown. */
const TCON_ALL_CONNECTED = 0xff;

/** The bytes writing a 9-bit value to a memory address. */
export function mcp4451Write(address: number, value: number): Uint8Array {
  return Uint8Array.of((address << 4) | ((value >> 8) & 0x03), value & 0xff);
}

export function loadMcp4451(printer: Printer, section: ConfigSection): void {
  const o = section.read(MCP4451_OPTIONS);
  const names = WIPER_REGISTERS.map((_, i) => `wiper_${i}`);
  const { scale, values } = readScaledValues(section, names);
  const i2c = digipotI2c(printer, section, o.i2c_address);
  i2c.mcu.registerConfigCallback(() => {
    i2c.addInitWrite(mcp4451Write(TCON0, TCON_ALL_CONNECTED));
    i2c.addInitWrite(mcp4451Write(TCON1, TCON_ALL_CONNECTED));
    names.forEach((name, i) => {
      const v = values.get(name);
      if (v !== undefined) i2c.addInitWrite(mcp4451Write(WIPER_REGISTERS[i], digipotCode(v, scale, MCP4451_MAX_CODE)));
    });
  });
}
