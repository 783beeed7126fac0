// [mcp4018 NAME]: Microchip's single 7-bit I2C digital potentiometer, usually on two software
// I2C pins (Mightyboard / FlashForge Creator Pro: one per axis). The wiper is a single data byte
// (0..127). It is written at config and by SET_DIGIPOT DIGIPOT=NAME WIPER=<0..scale>.
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import { digipotCode, digipotI2c, readScaledValues, type DigipotI2c } from './digipot';
import { MCP4018_OPTIONS } from './digipot-options';

const MCP4018_MAX_CODE = 127;

export class Mcp4018 {
  /** The wiper as last set, 0..scale (what printer.configfile-style macros read back). */
  wiper: number;

  constructor(
    readonly i2c: DigipotI2c,
    readonly scale: number,
    wiper: number,
  ) {
    this.wiper = wiper;
    i2c.mcu.registerConfigCallback(() => i2c.addInitWrite([digipotCode(wiper, scale, MCP4018_MAX_CODE)]));
  }

  setWiper(value: number): void {
    this.wiper = value;
    this.i2c.write([digipotCode(value, this.scale, MCP4018_MAX_CODE)]);
  }

  getStatus(): Record<string, unknown> {
    return { wiper: this.wiper };
  }
}

export function loadMcp4018(printer: Printer, gcode: GCodeDispatcher, section: ConfigSection): Mcp4018 {
  const o = section.read(MCP4018_OPTIONS);
  const { scale, values } = readScaledValues(section, ['wiper']);
  const pot = new Mcp4018(digipotI2c(printer, section, o.i2c_address), scale, values.get('wiper') ?? o.wiper);
  digipotsOf(printer, gcode).set(section.suffix, pot);
  return pot;
}

/** The mcp4018 chips by name, with SET_DIGIPOT registered once for all. */
function digipotsOf(printer: Printer, gcode: GCodeDispatcher): Map<string, Mcp4018> {
  const known = printer.lookupObjectOrNull<Map<string, Mcp4018>>('mcp4018_digipots');
  if (known) return known;
  const all = new Map<string, Mcp4018>();
  printer.addObject('mcp4018_digipots', all);
  gcode.register(
    'SET_DIGIPOT',
    (c: GCodeCommand) => {
      const name = c.get('DIGIPOT');
      const pot = all.get(name);
      if (!pot) throw c.error(`Unknown digipot '${name}' (digipots: ${[...all.keys()].join(', ')})`);
      pot.setWiper(c.getFloat('WIPER', undefined, { minval: 0, maxval: pot.scale }));
      gcode.respondInfo(`New value for DIGIPOT = ${name}, wiper = ${pot.wiper.toFixed(2)}`);
    },
    { help: 'Set digipot value', params: { DIGIPOT: 'mcp4018 section name', WIPER: 'value, 0..scale' } },
  );
  return all;
}
