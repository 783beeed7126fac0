// [temperature_fan NAME]: a fan driven by a temperature sensor (a chamber or electronics fan).
// Watermark control runs it at max_speed from target + max_delta until the sensor is back at
// target - max_delta; PID control slows it below max_speed as the sensor falls under target
// (never below min_speed while running). SET_TEMPERATURE_FAN_TARGET changes target and speed
// limits; status {speed, rpm, temperature, target}. With target 0 the fan is off.
import type { OptionValues } from '../config/options';
import type { ConfigSection, PrinterConfig } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import { FAN_OPTIONS } from './fan-options';
import { Fan } from './fan';
import { PID_PARAM_BASE } from './heater';
import { heatersOf } from './heaters';
import { backgroundPrintTime } from './output-pwm';
import { TEMPERATURE_FAN_OPTIONS } from './temperature-fan-options';

/** An unchanged speed is sent again this often (s), as heaters refresh theirs. */
const MAX_FAN_TIME_S = 5.0;
/** A reading is acted on one report period later (ADC sensors report every 0.3 s). */
const SPEED_DELAY_S = 0.3;

export type TemperatureFanSettings = OptionValues<typeof TEMPERATURE_FAN_OPTIONS> & { target_temp: number };

/** Reads and checks the options ([fan]'s are read by Fan). */
export function readTemperatureFanSettings(section: ConfigSection): TemperatureFanSettings {
  const o = section.read(TEMPERATURE_FAN_OPTIONS);
  if (o.max_temp <= o.min_temp) {
    throw section.error('max_temp', `Option 'max_temp' in section '${section.name}' must be above ${o.min_temp} (min_temp)`);
  }
  const target = o.target_temp ?? (o.max_temp > 40 ? 40 : o.max_temp);
  if (target < o.min_temp || target > o.max_temp) {
    throw section.error(
      section.has('target_temp') ? 'target_temp' : 'max_temp',
      `Option 'target_temp' in section '${section.name}' must be between min_temp and max_temp (${o.min_temp}:${o.max_temp})`,
    );
  }
  if (o.control === 'pid') {
    for (const k of ['pid_kp', 'pid_ki', 'pid_kd'] as const) {
      if (o[k] === undefined) throw section.error(k, `Option '${k}' in section '${section.name}' must be specified (control: pid)`);
    }
  }
  return { ...o, target_temp: target };
}

/** Speed (0..max_speed) for a reading; min_speed is applied by the fan itself. */
export interface FanControl {
  update(readTimeS: number, tempC: number, targetC: number, maxSpeed: number): number;
}

/** On/off around the target: full speed from target + maxDelta, off from target - maxDelta. */
export class FanWatermarkControl implements FanControl {
  /** "Warming" (fan off) or cooling; decided by the first reading. */
  private off = false;
  constructor(private readonly maxDeltaC: number) {}
  update(_t: number, tempC: number, targetC: number, maxSpeed: number): number {
    if (this.off && tempC >= targetC + this.maxDeltaC) this.off = false;
    else if (!this.off && tempC <= targetC - this.maxDeltaC) this.off = true;
    return this.off ? 0 : maxSpeed;
  }
}

/**
 * PID on the error target - temperature, as a heater's would heat: the fan runs at max_speed minus
 * that output, so it slows as the sensor falls below target. Gains are per 255 (Klipper's scale);
 * the derivative is smoothed over pid_deriv_time; the integral is held within 0..max_speed/Ki and
 * not grown while the output is saturated.
 */
export class FanPidControl implements FanControl {
  private prevTemp: number | null = null;
  private prevTime = 0;
  private deriv = 0;
  private integ = 0;
  private readonly kp: number;
  private readonly ki: number;
  private readonly kd: number;
  constructor(
    kp: number,
    ki: number,
    kd: number,
    private readonly derivTimeS: number,
  ) {
    this.kp = kp / PID_PARAM_BASE;
    this.ki = ki / PID_PARAM_BASE;
    this.kd = kd / PID_PARAM_BASE;
  }
  update(readTimeS: number, tempC: number, targetC: number, maxSpeed: number): number {
    const dt = this.prevTemp === null ? 0 : readTimeS - this.prevTime;
    const dTemp = this.prevTemp === null ? 0 : tempC - this.prevTemp;
    if (dt >= this.derivTimeS) this.deriv = dTemp / dt;
    else if (dt > 0) this.deriv = (this.deriv * (this.derivTimeS - dt) + dTemp) / this.derivTimeS;
    const err = targetC - tempC;
    const integMax = this.ki > 0 ? maxSpeed / this.ki : 0;
    const integ = Math.max(0, Math.min(integMax, this.integ + err * dt));
    const out = this.kp * err + this.ki * integ - this.kd * this.deriv;
    const bounded = Math.max(0, Math.min(maxSpeed, out));
    if (out === bounded) this.integ = integ;
    this.prevTemp = tempC;
    this.prevTime = readTimeS;
    return maxSpeed - bounded;
  }
}

export class TemperatureFan {
  readonly fan: Fan;
  readonly name: string;
  readonly settings: TemperatureFanSettings;
  targetC: number;
  minSpeed: number;
  maxSpeed: number;
  lastTempC = 0;
  private readonly control: FanControl;
  private lastSpeed = 0;
  private nextSpeedTimeS = 0;
  private hasReading = false;

  constructor(
    private readonly printer: Printer,
    section: ConfigSection,
    /** Where speeds go: the fan on live printers (tests give their own). */
    setFanSpeed?: (speed: number, printTimeS: number) => void,
  ) {
    const maxPower = section.getFloat('max_power', 1);
    this.fan = new Fan(printer, section, { shutdown_speed: maxPower });
    this.settings = readTemperatureFanSettings(section);
    this.name = section.name.split(' ').pop()!;
    this.targetC = this.settings.target_temp;
    this.minSpeed = this.settings.min_speed;
    this.maxSpeed = this.settings.max_speed;
    const s = this.settings;
    this.control =
      s.control === 'pid' ? new FanPidControl(s.pid_kp!, s.pid_ki!, s.pid_kd!, s.pid_deriv_time) : new FanWatermarkControl(s.max_delta);
    this.setFanSpeed = setFanSpeed ?? ((speed, t) => this.fan.setSpeed(speed, Math.max(t, backgroundPrintTime(printer))));
  }
  private readonly setFanSpeed: (speed: number, printTimeS: number) => void;

  /** A sensor reading: the control's speed, limited, sent when it changed (or is due a refresh). */
  onReading(readTimeS: number, tempC: number): void {
    this.lastTempC = tempC;
    this.hasReading = true;
    let speed = this.control.update(readTimeS, tempC, this.targetC, this.maxSpeed);
    if (speed <= 0) speed = 0;
    else if (speed < this.minSpeed) speed = this.minSpeed;
    if (this.targetC <= 0) speed = 0;
    // Small changes are not worth a message, unless an unchanged running speed is due a refresh.
    if ((readTimeS < this.nextSpeedTimeS || this.lastSpeed === 0) && Math.abs(speed - this.lastSpeed) < 0.05) return;
    const speedTimeS = readTimeS + SPEED_DELAY_S;
    this.nextSpeedTimeS = speedTimeS + 0.75 * MAX_FAN_TIME_S;
    this.lastSpeed = speed;
    this.setFanSpeed(speed, speedTimeS);
  }

  get currentSpeed(): number {
    return this.lastSpeed;
  }

  /** SET_TEMPERATURE_FAN_TARGET: TARGET (default: the configured target_temp), MIN_SPEED, MAX_SPEED. */
  cmdSetTarget(c: GCodeCommand): void {
    const target = c.getFloat('TARGET', this.settings.target_temp);
    if (target !== 0 && (target < this.settings.min_temp || target > this.settings.max_temp)) {
      throw c.error(
        `Requested temperature (${target.toFixed(1)}) out of range (${this.settings.min_temp.toFixed(1)}:${this.settings.max_temp.toFixed(1)})`,
      );
    }
    const minSpeed = c.getFloat('MIN_SPEED', this.minSpeed);
    const maxSpeed = c.getFloat('MAX_SPEED', this.maxSpeed);
    for (const [k, v] of [
      ['min', minSpeed],
      ['max', maxSpeed],
    ] as const) {
      if (v < 0 || v > 1) throw c.error(`Requested ${k} speed (${v.toFixed(1)}) out of range (0.0 : 1.0)`);
    }
    if (minSpeed > maxSpeed) {
      throw c.error(`Requested min speed (${minSpeed.toFixed(1)}) is greater than max speed (${maxSpeed.toFixed(1)})`);
    }
    this.targetC = target;
    this.minSpeed = minSpeed;
    this.maxSpeed = maxSpeed;
  }

  getStatus(): Record<string, unknown> {
    return { ...this.fan.getStatus(), temperature: Math.round(this.lastTempC * 100) / 100, target: this.targetC };
  }

  get readingSeen(): boolean {
    return this.hasReading;
  }
}

/** The fans SET_TEMPERATURE_FAN_TARGET knows, by short name (the command is registered once). */
function temperatureFansOf(printer: Printer, gcode: GCodeDispatcher): Map<string, TemperatureFan> {
  let fans = printer.lookupObjectOrNull<Map<string, TemperatureFan>>('temperature_fans');
  if (fans) return fans;
  fans = new Map();
  printer.addObject('temperature_fans', fans);
  const all = fans;
  gcode.register(
    'SET_TEMPERATURE_FAN_TARGET',
    (c) => {
      const name = c.get('TEMPERATURE_FAN');
      const fan = all.get(name);
      if (!fan) throw c.error(`Unknown temperature_fan '${name}' (temperature fans: ${[...all.keys()].join(', ')})`);
      fan.cmdSetTarget(c);
    },
    {
      help: 'Sets a temperature fan target',
      params: { TEMPERATURE_FAN: 'temperature_fan name', TARGET: 'C (default: target_temp)', MIN_SPEED: '0..1', MAX_SPEED: '0..1' },
    },
  );
  return fans;
}

/** [temperature_fan NAME] on a live printer; batch mode only checks the options. */
export function loadTemperatureFan(
  printer: Printer,
  gcode: GCodeDispatcher,
  config: PrinterConfig,
  section: ConfigSection,
  live: boolean,
): void {
  if (!live) {
    section.read(FAN_OPTIONS, { shutdown_speed: section.getFloat('max_power', 1) });
    readTemperatureFanSettings(section);
    return;
  }
  const tf = new TemperatureFan(printer, section);
  const fans = temperatureFansOf(printer, gcode);
  if (fans.has(tf.name)) throw section.error('pin', `temperature_fan ${tf.name} already registered`);
  fans.set(tf.name, tf);
  const heaters = heatersOf(printer, gcode, config);
  const sensor = heaters.setupSensor(section, tf.settings);
  sensor.setCallback((t, temp) => tf.onReading(t, temp));
  heaters.addSource({
    name: section.name,
    sensor,
    get currentC() {
      return tf.lastTempC;
    },
    get hasReading() {
      return tf.readingSeen;
    },
    get targetC() {
      return tf.targetC;
    },
    ...(tf.settings.gcode_id !== undefined ? { gcodeId: tf.settings.gcode_id } : {}),
  });
  printer.addObject(section.name, tf);
}
