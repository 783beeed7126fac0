// 'heaters': every heater and temperature sensor of the printer and their G-code: M104/M109
// (extruder), M140/M190 (bed), M105, SET_HEATER_TEMPERATURE, TEMPERATURE_WAIT, PID_CALIBRATE.
// Heaters are built from the options [extruder]/[heater_bed] already read and checked.
import type { ConfigSection, PrinterConfig } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import { mcuForPin } from './mcu';
import type { Printer } from '../printer';
import { AdcTemperatureSensor } from './adc-temperature';
import type { HeaterSettings } from './extruder';
import { Heater } from './heater';
import type { IdleTimeout } from './idle-timeout';
import type { PinRegistry } from './pins';
import { PidCalibrate } from './pid-calibrate';
import { resolveResistanceSensor, UnknownSensorError } from './temperature-sensor';
import { DividerSensor } from './thermistor';
import { m104HeaterName } from './multi-extruder';
import { VerifyHeater } from './verify-heater';
import { VERIFY_HEATER_OPTIONS } from './verify-heater-options';
import { TEMPERATURE_SENSOR_OPTIONS } from './fan-options';
import type { TemperatureSensor } from './heater';
import { customAdcCurve } from './adc-table';
import { CombinedSensor, readCombinedSettings } from './temperature-combined';
import { HostTemperatureSensor, readHostSensorPath } from './temperature-host';
import { adcScaledOf } from './adc-scaled';
import { expandPin } from './multi-pin';
import type { Mcu } from '../mcu/mcu';
import type { AdcCurve } from './thermistor';
import { SpiTemperatureSensor } from './spi-temperature';
import { isSpiTemperatureChip } from './spi-temperature-chips';
import { amplifierCurve } from './spi-temperature-amplifiers';
import { isI2cSensorType } from './i2c-sensor-options';
import { i2cSensorOf } from './i2c-sensor-setup';

/** A sensor's options as its section gives them (heaters, [temperature_sensor], [temperature_fan]). */
export interface SensorSectionOptions {
  sensor_type: string;
  sensor_pin?: { pin: string; chip: string };
  pullup_resistor?: number;
  inline_resistor?: number;
  adc_voltage?: number;
  voltage_offset?: number;
  min_temp: number;
  max_temp: number;
}

/** A sensor shown in M105 and the UI (heaters and [temperature_sensor]s). */
export interface TemperatureSource {
  /** The status object's name: 'extruder', 'heater_generic chamber', 'temperature_sensor x'. */
  name: string;
  sensor: TemperatureSensor;
  readonly currentC: number;
  /** False until the first reading arrived (combined sensors leave such members out). */
  readonly hasReading?: boolean;
  /** [heater_generic]/[temperature_sensor]/[temperature_fan] gcode_id: reported by M105 as `ID:cur /target`. */
  gcodeId?: string;
  readonly targetC?: number;
}

export class PrinterHeaters {
  readonly heaters = new Map<string, Heater>();
  readonly sensors: TemperatureSource[] = [];
  /** Heater name -> its config section ('chamber' -> 'heater_generic chamber'). */
  private readonly heaterObjectNames = new Map<string, string>();
  private readonly pidCalibrate: PidCalibrate;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    private readonly config: PrinterConfig,
  ) {
    gcode.register('M105', () => gcode.respondRaw(`ok ${this.m105Text()}`), { help: 'Report the temperatures' });
    gcode.register('M104', (c) => this.cmdSetTemp(c, 'extruder', false), { help: 'Set the extruder temperature' });
    gcode.register('M109', (c) => this.cmdSetTemp(c, 'extruder', true), { help: 'Set the extruder temperature and wait' });
    gcode.register('M140', (c) => this.cmdSetTemp(c, 'heater_bed', false), { help: 'Set the bed temperature' });
    gcode.register('M190', (c) => this.cmdSetTemp(c, 'heater_bed', true), { help: 'Set the bed temperature and wait' });
    gcode.register('SET_HEATER_TEMPERATURE', (c) => this.cmdSetHeaterTemperature(c), {
      help: 'Sets a heater temperature',
      params: { HEATER: 'heater name', TARGET: 'target temperature (C); 0 = off' },
    });
    gcode.register('TEMPERATURE_WAIT', (c) => this.cmdTemperatureWait(c), {
      help: 'Wait for a temperature on a sensor',
      params: { SENSOR: 'heater or sensor name', MINIMUM: 'C', MAXIMUM: 'C' },
    });
    gcode.register('TURN_OFF_HEATERS', () => this.turnOffAll(), { help: 'Turn off all heaters' });
    this.pidCalibrate = new PidCalibrate(printer, gcode, this);
    void this.pidCalibrate;
    printer.on('printer:ready', () => {
      for (const s of this.sensors) s.sensor.startSampling();
    });
    printer.on('printer:shutdown', () => {
      for (const h of this.heaters.values()) h.stop();
    });
  }

  /** Builds the heater of [extruder] / [heater_bed] / [heater_generic x] from its read options. */
  addHeater(section: ConfigSection, h: HeaterSettings, name = section.name, gcodeId?: string): Heater {
    if (this.heaters.has(name)) throw section.error('heater_pin', `Heater ${name} already registered`);
    const heaterPins = expandPin(this.printer, h.heater_pin, section, 'heater_pin');
    const mcu = mcuForPin(this.printer, heaterPins[0]!, section, 'heater_pin');
    const adc = this.setupSensor(section, h);
    const heater = new Heater(
      {
        name,
        heaterPin: h.heater_pin,
        heaterPins,
        maxPower: h.max_power,
        pwmCycleTimeS: h.pwm_cycle_time,
        smoothTimeS: h.smooth_time,
        minTempC: h.min_temp,
        maxTempC: h.max_temp,
        control: h.control as 'pid' | 'watermark',
        kp: h.pid_kp,
        ki: h.pid_ki,
        kd: h.pid_kd,
        maxDeltaC: h.max_delta ?? 2,
      },
      adc,
      mcu,
    );
    this.heaters.set(name, heater);
    this.heaterObjectNames.set(name, section.name);
    this.sensors.push({
      name: section.name,
      sensor: adc,
      get currentC() {
        return heater.smoothedTempC;
      },
      get hasReading() {
        return heater.lastReadTimeS > 0;
      },
      get targetC() {
        return heater.targetC;
      },
      ...(gcodeId !== undefined ? { gcodeId } : {}),
    });
    const v = this.config.getOrNull(`verify_heater ${name}`)?.read(VERIFY_HEATER_OPTIONS);
    new VerifyHeater(this.printer, heater, {
      maxError: v?.max_error ?? 120,
      checkGainTimeS: v?.check_gain_time ?? (name === 'heater_bed' ? 60 : 20),
      hysteresis: v?.hysteresis ?? 5,
      heatingGain: v?.heating_gain ?? 2,
    });
    return heater;
  }

  /** [temperature_sensor NAME]: an ADC thermistor read like a heater's, shown to the UI. */
  addSensor(section: ConfigSection): void {
    const o = section.read(TEMPERATURE_SENSOR_OPTIONS);
    const adc = this.setupSensor(section, o);
    let currentC = 0;
    let minC = Infinity;
    let maxC = -Infinity;
    let read = false;
    adc.setCallback((_t, temp) => {
      currentC = temp;
      minC = Math.min(minC, temp);
      maxC = Math.max(maxC, temp);
      read = true;
    });
    this.sensors.push({
      name: section.name,
      sensor: adc,
      get currentC() {
        return currentC;
      },
      get hasReading() {
        return read;
      },
      ...(o.gcode_id !== undefined ? { gcodeId: o.gcode_id } : {}),
    });
    // Klipper's temperature_sensor status: the reading and the extremes since the host started.
    const round2 = (x: number) => Math.round(x * 100) / 100;
    this.printer.addObject(section.name, {
      getStatus: () => ({
        temperature: round2(currentC),
        measured_min_temp: read ? round2(minC) : 0,
        measured_max_temp: read ? round2(maxC) : 0,
      }),
    });
  }

  /** Adds a sensor owned elsewhere ([temperature_fan]) to M105, TEMPERATURE_WAIT and available_sensors. */
  addSource(source: TemperatureSource): void {
    this.sensors.push(source);
  }

  /**
   * The sensor a section's sensor_type names: temperature_combined and temperature_host are read on
   * the host; anything else is an ADC sensor (built-in thermistors, [thermistor NAME], [adc_temperature NAME]).
   */
  setupSensor(section: ConfigSection, o: SensorSectionOptions): TemperatureSensor {
    const mcu = this.printer.lookupObject<Mcu>('mcu');
    const printTimeS = () => mcu.estimatedPrintTime(mcu.monotonic());
    if (o.sensor_type === 'temperature_combined') {
      const settings = readCombinedSettings(section, this.config);
      return new CombinedSensor(
        this.printer,
        section.name,
        settings,
        o.min_temp,
        o.max_temp,
        (name) => {
          const s = this.sensors.find((x) => x.name === name);
          return s ? () => (s.hasReading === false ? null : s.currentC) : null;
        },
        printTimeS,
      );
    }
    if (o.sensor_type === 'temperature_host') {
      return new HostTemperatureSensor(this.printer, section.name, readHostSensorPath(section, true), o.min_temp, o.max_temp, printTimeS);
    }
    // BME280, SHT3X, AHT10, HTU21D, LM75, MCP9808, ...: read by the host over the MCU's I2C.
    if (isI2cSensorType(o.sensor_type)) return i2cSensorOf(this.printer, section, o.sensor_type, o.min_temp, o.max_temp, printTimeS);
    // MAX6675/MAX31855/MAX31856/MAX31865 on SPI; AD595, AD849x, PT100 INA826 as ADC curves.
    if (isSpiTemperatureChip(o.sensor_type))
      return new SpiTemperatureSensor(this.printer, section, o.sensor_type, o.sensor_pin, o.min_temp, o.max_temp);
    const circuit = { adcVoltage: o.adc_voltage, voltageOffset: o.voltage_offset, pullupOhm: o.pullup_resistor };
    const custom = customAdcCurve(this.config, o.sensor_type, circuit) ?? amplifierCurve(o.sensor_type, circuit);
    const scaled = o.sensor_pin ? adcScaledOf(this.printer, o.sensor_pin.chip) : null;
    if (scaled) {
      // `NAME:PIN` of an [adc_scaled]: the pin is on its MCU, read through its measured reference.
      let curve = custom;
      if (!curve) {
        try {
          const r = resolveResistanceSensor(this.config, o.sensor_type);
          curve = new DividerSensor(r.curve, o.pullup_resistor ?? 4700, o.inline_resistor ?? 0);
        } catch (e) {
          if (e instanceof UnknownSensorError) throw section.error('sensor_type', e.message);
          throw e;
        }
      }
      return scaled.sensor(o.sensor_pin!.pin, curve, o.min_temp, o.max_temp);
    }
    return this.adcSensor(section, o.sensor_type, o.sensor_pin, o.pullup_resistor, o.inline_resistor, o.min_temp, o.max_temp, custom);
  }

  /** An ADC thermistor/RTD sensor on the MCU its pin names; unknown types name the option and the fix. */
  adcSensor(
    section: ConfigSection,
    sensorType: string,
    pin: { pin: string; chip: string } | undefined,
    pullup: number | undefined,
    inline: number | undefined,
    minTempC: number,
    maxTempC: number,
    curve: AdcCurve | null = null,
  ): AdcTemperatureSensor {
    let resolved;
    try {
      resolved = curve ? null : resolveResistanceSensor(this.config, sensorType);
    } catch (e) {
      if (e instanceof UnknownSensorError) throw section.error('sensor_type', e.message);
      throw e;
    }
    if (!pin) throw section.error('sensor_pin', `Option 'sensor_pin' in section '${section.name}' must be specified`);
    const mcu = mcuForPin(this.printer, pin, section, 'sensor_pin');
    this.printer.lookupObject<PinRegistry>('pins').resolve(pin, section.placeOf('sensor_pin'));
    return new AdcTemperatureSensor(
      mcu,
      pin.pin,
      curve ?? new DividerSensor(resolved!.curve, pullup ?? 4700, inline ?? 0),
      minTempC,
      maxTempC,
    );
  }

  lookupHeater(name: string, cmd?: GCodeCommand): Heater {
    const h = this.heaters.get(name);
    if (!h) {
      const msg = `Unknown heater '${name}' (heaters: ${[...this.heaters.keys()].join(', ') || 'none'})`;
      throw cmd ? cmd.error(msg) : new Error(msg);
    }
    return h;
  }

  m105Text(): string {
    const parts: string[] = [];
    for (const [name, h] of this.heaters) {
      const id = name === 'heater_bed' ? 'B' : name === 'extruder' ? 'T0' : /^extruder(\d+)$/.test(name) ? `T${name.slice(8)}` : null;
      if (id) parts.push(`${id}:${h.smoothedTempC.toFixed(1)} /${h.targetC.toFixed(1)}`);
    }
    for (const s of this.sensors) {
      if (s.gcodeId !== undefined) parts.push(`${s.gcodeId}:${s.currentC.toFixed(1)} /${(s.targetC ?? 0).toFixed(1)}`);
    }
    return parts.length ? parts.join(' ') : 'T:0';
  }

  private async cmdSetTemp(c: GCodeCommand, defaultHeater: string, wait: boolean): Promise<void> {
    // M104/M109: T<index> or else the active extruder (multi-extruder.ts).
    const name = defaultHeater === 'extruder' ? m104HeaterName(this.printer, c) : defaultHeater;
    const heater = this.heaters.get(name);
    const temp = c.getFloat('S', 0);
    if (!heater) {
      if (temp <= 0) return;
      throw c.error(`Heater ${name} not configured`);
    }
    await this.setTemperature(heater, temp, wait, c);
  }

  async setTemperature(heater: Heater, tempC: number, wait: boolean, c?: GCodeCommand): Promise<void> {
    // The target takes effect after the queued moves, as a print expects.
    const toolhead = this.printer.lookupObjectOrNull<{ waitMoves(): Promise<void> | void }>('toolhead');
    await toolhead?.waitMoves();
    try {
      heater.setTarget(tempC);
    } catch (e) {
      throw c ? c.error((e as Error).message) : e;
    }
    // A heater switched on is work in progress: the idle countdown starts over.
    if (tempC > 0) this.printer.lookupObjectOrNull<IdleTimeout>('idle_timeout')?.noteActivity();
    if (wait && tempC > 0) await this.waitFor(() => !heater.isBusy());
  }

  /** TURN_OFF_HEATERS (and [idle_timeout]'s default gcode): every target to 0 at once. */
  turnOffAll(): void {
    for (const h of this.heaters.values()) h.setTarget(0);
  }

  /** Heater waits in progress (M109, M190, TEMPERATURE_WAIT): they keep the printer from going idle. */
  private waiting = 0;

  busyReason(): string | null {
    return this.waiting > 0 ? 'waiting for a temperature' : null;
  }

  /** Reports temperatures every second until done() or shutdown (like Klipper's M109). */
  async waitFor(done: () => boolean): Promise<void> {
    this.waiting++;
    try {
      while (!done()) {
        if (this.printer.state !== 'ready') throw new Error(`Printer is not ready: ${this.printer.stateMessage}`);
        this.gcode.respondRaw(this.m105Text());
        await new Promise((r) => setTimeout(r, 1000));
      }
    } finally {
      this.waiting--;
    }
  }

  private async cmdSetHeaterTemperature(c: GCodeCommand): Promise<void> {
    const heater = this.lookupHeater(c.get('HEATER'), c);
    await this.setTemperature(heater, c.getFloat('TARGET', 0), false, c);
  }

  private async cmdTemperatureWait(c: GCodeCommand): Promise<void> {
    const name = c.get('SENSOR');
    const source = this.sensors.find((s) => s.name === name || s.name === `temperature_sensor ${name}`);
    if (!source) throw c.error(`Unknown sensor '${name}'`);
    if (!c.has('MINIMUM') && !c.has('MAXIMUM')) throw c.error('Error on TEMPERATURE_WAIT: missing MINIMUM or MAXIMUM.');
    const min = c.getFloat('MINIMUM', -Infinity);
    const max = c.getFloat('MAXIMUM', Infinity);
    await this.waitFor(() => source.currentC >= min && source.currentC <= max);
  }

  getStatus(): Record<string, unknown> {
    return {
      available_heaters: [...this.heaters.keys()].map((n) => this.heaterObjectNames.get(n) ?? n),
      available_sensors: this.sensors.map((s) => s.name),
    };
  }
}

/** The printer's 'heaters' object, created by the first section that needs it. */
export function heatersOf(printer: Printer, gcode: GCodeDispatcher, config: PrinterConfig): PrinterHeaters {
  let h = printer.lookupObjectOrNull<PrinterHeaters>('heaters');
  if (!h) {
    h = new PrinterHeaters(printer, gcode, config);
    printer.addObject('heaters', h);
  }
  return h;
}
