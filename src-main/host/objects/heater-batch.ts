// Heater commands in batch mode (file output): there is no sensor to read and no time passes,
// so, like Klipper's debug output, targets are checked and remembered and every temperature
// wait returns at once. M104/M109/M140/M190 in a sliced file must not stop `tether batch`.
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import type { HeaterSettings } from './extruder';

interface BatchHeater {
  minTempC: number;
  maxTempC: number;
  targetC: number;
}

export class BatchHeaters {
  readonly heaters = new Map<string, BatchHeater>();
  private readonly sensors: string[] = [];

  constructor(gcode: GCodeDispatcher) {
    gcode.register('M104', (c) => this.cmdSetTemp(c, 'extruder'), { help: 'Set the extruder temperature' });
    gcode.register('M109', (c) => this.cmdSetTemp(c, 'extruder'), {
      help: 'Set the extruder temperature and wait (at once in batch mode)',
    });
    gcode.register('M140', (c) => this.cmdSetTemp(c, 'heater_bed'), { help: 'Set the bed temperature' });
    gcode.register('M190', (c) => this.cmdSetTemp(c, 'heater_bed'), { help: 'Set the bed temperature and wait (at once in batch mode)' });
    gcode.register('M105', () => gcode.respondRaw(`ok ${this.m105Text()}`), { help: 'Report the temperatures' });
    gcode.register('SET_HEATER_TEMPERATURE', (c) => this.setTarget(c, this.lookup(c, c.get('HEATER')), c.getFloat('TARGET', 0)), {
      help: 'Sets a heater temperature',
    });
    gcode.register('TEMPERATURE_WAIT', (c) => this.cmdTemperatureWait(c), {
      help: 'Wait for a temperature on a sensor (at once in batch mode)',
    });
    gcode.register('TURN_OFF_HEATERS', () => this.heaters.forEach((h) => (h.targetC = 0)), { help: 'Turn off all heaters' });
  }

  addHeater(name: string, h: HeaterSettings): void {
    this.heaters.set(name, { minTempC: h.min_temp, maxTempC: h.max_temp, targetC: 0 });
  }

  addSensor(section: ConfigSection): void {
    this.sensors.push(section.name);
  }

  private lookup(c: GCodeCommand, name: string): BatchHeater {
    const h = this.heaters.get(name);
    if (!h) throw c.error(`Unknown heater '${name}' (heaters: ${[...this.heaters.keys()].join(', ') || 'none'})`);
    return h;
  }

  private cmdSetTemp(c: GCodeCommand, defaultHeater: string): void {
    let name = defaultHeater;
    if (defaultHeater === 'extruder' && c.has('T')) {
      const t = c.getFloat('T');
      name = t === 0 ? 'extruder' : `extruder${t}`;
    }
    const temp = c.getFloat('S', 0);
    const h = this.heaters.get(name);
    if (!h) {
      if (temp <= 0) return;
      throw c.error(`Heater ${name} not configured`);
    }
    this.setTarget(c, h, temp);
  }

  private setTarget(c: GCodeCommand, h: BatchHeater, tempC: number): void {
    if (tempC !== 0 && (tempC < h.minTempC || tempC > h.maxTempC)) {
      throw c.error(`Requested temperature (${tempC.toFixed(1)}) out of range (${h.minTempC.toFixed(1)}:${h.maxTempC.toFixed(1)})`);
    }
    h.targetC = tempC;
  }

  private cmdTemperatureWait(c: GCodeCommand): void {
    const name = c.get('SENSOR');
    if (!this.heaters.has(name) && !this.sensors.some((s) => s === name || s === `temperature_sensor ${name}`))
      throw c.error(`Unknown sensor '${name}'`);
    if (!c.has('MINIMUM') && !c.has('MAXIMUM')) throw c.error('Error on TEMPERATURE_WAIT: missing MINIMUM or MAXIMUM.');
  }

  private m105Text(): string {
    const parts: string[] = [];
    for (const [name, h] of this.heaters) {
      const id = name === 'heater_bed' ? 'B' : name === 'extruder' ? 'T0' : null;
      if (id) parts.push(`${id}:0.0 /${h.targetC.toFixed(1)}`);
    }
    return parts.length ? parts.join(' ') : 'T:0';
  }

  getStatus(): Record<string, unknown> {
    return { available_heaters: [...this.heaters.keys()], available_sensors: [...this.heaters.keys(), ...this.sensors] };
  }
}

/** Batch mode's 'heaters' object, created by the first heater section. */
export function batchHeatersOf(printer: Printer, gcode: GCodeDispatcher): BatchHeaters {
  let h = printer.lookupObjectOrNull<BatchHeaters>('heaters');
  if (!h) {
    h = new BatchHeaters(gcode);
    printer.addObject('heaters', h);
  }
  return h;
}
