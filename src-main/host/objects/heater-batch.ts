// Heater commands in batch mode (file output): there is no sensor to read and no time passes,
// so, like Klipper's debug output, targets are checked and remembered and every temperature
// wait returns at once. M104/M109/M140/M190 in a sliced file must not stop `tether batch`.
// The MCU config is written as Klipper's batch mode writes it: each heater's and sensor's
// config_analog_in (+ its first query_analog_in), each heater pin's config_digital_out with
// max_duration and set_digital_out_pwm_cycle (+ its initial off state).
import type { PinDesc } from '../config/options';
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Mcu } from '../mcu/mcu';
import type { Printer } from '../printer';
import { adcRangeLimits, analogInQuery } from './adc-temperature';
import type { HeaterSettings } from './extruder';
import { TEMPERATURE_SENSOR_OPTIONS } from './fan-options';
import { addHeaterPinConfig } from './heater';
import type { PinRegistry } from './pins';
import type { SaveConfig } from './save-config';
import { resolveResistanceSensor, UnknownSensorError } from './temperature-sensor';
import { DividerSensor } from './thermistor';
import { m104HeaterName } from './multi-extruder';

/** Klipper's batch mode: the first ADC query 1 s into print time, sensors 10 ms apart by oid. */
const FIRST_QUERY_S = 1.0;
const QUERY_SLOT_S = 0.01;
/** The heater pin's initial off state is scheduled this long after print time 0 (as Klipper). */
const PWM_START_S = 0.2;

/** What a sensor's MCU config needs, from [extruder]/[heater_bed]/[temperature_sensor]. */
interface SensorOptions {
  sensor_type: string;
  sensor_pin?: PinDesc;
  pullup_resistor?: number;
  inline_resistor?: number;
  min_temp: number;
  max_temp: number;
}

interface BatchHeater {
  minTempC: number;
  maxTempC: number;
  targetC: number;
}

export class BatchHeaters {
  readonly heaters = new Map<string, BatchHeater>();
  private readonly sensors: string[] = [];

  constructor(
    private readonly printer: Printer,
    gcode: GCodeDispatcher,
  ) {
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
    const mcu = this.printer.lookupObject<Mcu>('mcu');
    // In config order like Klipper: the sensor's ADC, then the heater pin (oids taken then too).
    mcu.registerConfigCallback(() => {
      this.configSensor(mcu, name, h);
      this.configHeaterPin(mcu, h.heater_pin, h.pwm_cycle_time);
    });
  }

  addSensor(section: ConfigSection): void {
    this.sensors.push(section.name);
    const o = section.read(TEMPERATURE_SENSOR_OPTIONS);
    const mcu = this.printer.lookupObject<Mcu>('mcu');
    mcu.registerConfigCallback(() => this.configSensor(mcu, section.name, o));
  }

  /**
   * config_analog_in and the first query_analog_in, with min_temp/max_temp as the ADC range.
   * Resolved at config time (not at load), so a config with a sensor type we cannot read yet
   * still loads for checking and fails only when batch output is asked for, as a live printer would.
   */
  private configSensor(mcu: Mcu, sectionName: string, o: SensorOptions): void {
    const config = this.printer.lookupObject<SaveConfig>('configfile').printerConfig;
    const section = config.getOrNull(sectionName);
    const fail = (option: string, msg: string): Error => (section ? section.error(option, msg) : new Error(msg));
    let resolved;
    try {
      resolved = resolveResistanceSensor(config, o.sensor_type);
    } catch (e) {
      if (e instanceof UnknownSensorError) throw fail('sensor_type', e.message);
      throw e;
    }
    const pin = o.sensor_pin;
    if (!pin) throw fail('sensor_pin', `Option 'sensor_pin' in section '${sectionName}' must be specified`);
    if (pin.chip !== 'mcu')
      throw fail('sensor_pin', `sensor_pin on '${pin.chip}' is not supported in batch mode yet: use a pin of the main [mcu]`);
    if (section) this.printer.lookupObject<PinRegistry>('pins').resolve(pin, section.placeOf('sensor_pin'));
    const sensor = new DividerSensor(resolved.curve, o.pullup_resistor ?? 4700, o.inline_resistor ?? 0);
    const oid = mcu.createOid();
    mcu.addConfigCmd(`config_analog_in oid=${oid} pin=${pin.pin}`);
    const limits = adcRangeLimits(sensor, o.min_temp, o.max_temp, mcu.getConstantFloat('ADC_MAX'));
    const clock = mcu.printTimeToClock(FIRST_QUERY_S) + mcu.secondsToClock(oid * QUERY_SLOT_S);
    const query = analogInQuery(mcu, oid, clock, limits);
    const params = Object.entries(query).map(([name, value]) => `${name}=${value}`);
    mcu.addConfigCmd(`query_analog_in ${params.join(' ')}`, { isInit: true });
  }

  /** The heater's soft-PWM pin: off by default, off if the host stops refreshing it. */
  private configHeaterPin(mcu: Mcu, pin: PinDesc, cycleTimeS: number): void {
    const oid = mcu.createOid();
    const off = pin.invert ? 1 : 0;
    const cycleTicks = addHeaterPinConfig(mcu, oid, pin, cycleTimeS);
    mcu.addConfigCmd(`queue_digital_out oid=${oid} clock=${mcu.printTimeToClock(PWM_START_S)} on_ticks=${off ? cycleTicks : 0}`, {
      isInit: true,
    });
  }

  private lookup(c: GCodeCommand, name: string): BatchHeater {
    const h = this.heaters.get(name);
    if (!h) throw c.error(`Unknown heater '${name}' (heaters: ${[...this.heaters.keys()].join(', ') || 'none'})`);
    return h;
  }

  private cmdSetTemp(c: GCodeCommand, defaultHeater: string): void {
    // M104/M109: T<index> or else the active extruder (multi-extruder.ts).
    const name = defaultHeater === 'extruder' ? m104HeaterName(this.printer, c) : defaultHeater;
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
    h = new BatchHeaters(printer, gcode);
    printer.addObject('heaters', h);
  }
  return h;
}
