// One heater: its temperature sensor, its soft-PWM output pin and the control loop (PID or
// watermark). The pin is configured with max_duration, so the MCU turns the heater off by
// itself ("Missed scheduling of next digital out event") when the host stops refreshing it.
import type { Mcu } from '../mcu/mcu';
import type { PinDesc } from '../config/options';
import type { TemperatureCallback } from './adc-temperature';

/** Longest time (s) a heater may stay on without a fresh command from the host. */
export const MAX_HEAT_TIME_S = 3.0;
/** Klipper's PID gains in printer.cfg are scaled by 255 (PWM steps of old firmware). */
export const PID_PARAM_BASE = 255;
const PID_SETTLE_DELTA = 1;
const PID_SETTLE_SLOPE = 0.1;

/** A temperature source a heater or fan can be driven by: an ADC sensor, or a host-side one. */
export interface TemperatureSensor {
  setCallback(cb: TemperatureCallback): void;
  /** Called once the printer is ready. */
  startSampling(): void;
}

export interface HeaterConfig {
  name: string;
  heaterPin: PinDesc;
  /** Every pin the heater drives ([multi_pin]: several, same MCU); default [heaterPin]. */
  heaterPins?: PinDesc[];
  maxPower: number;
  pwmCycleTimeS: number;
  smoothTimeS: number;
  minTempC: number;
  maxTempC: number;
  control: 'pid' | 'watermark';
  kp?: number;
  ki?: number;
  kd?: number;
  maxDeltaC: number;
}

export interface HeaterControl {
  /** Returns the PWM (0..maxPower) for this reading. */
  update(readTimeS: number, tempC: number, targetC: number): number;
  /** Still on its way to the target (M109/M190 keep waiting). */
  busy(smoothedC: number, targetC: number): boolean;
}

export class WatermarkControl implements HeaterControl {
  private heating = false;
  constructor(
    private readonly maxDeltaC: number,
    private readonly maxPower: number,
  ) {}
  update(_t: number, tempC: number, targetC: number): number {
    if (this.heating && tempC >= targetC + this.maxDeltaC) this.heating = false;
    else if (!this.heating && tempC <= targetC - this.maxDeltaC) this.heating = true;
    return this.heating ? this.maxPower : 0;
  }
  busy(smoothedC: number, targetC: number): boolean {
    return smoothedC < targetC - this.maxDeltaC;
  }
}

/** Textbook PID on the measured temperature, derivative smoothed over smooth_time, anti-windup. */
export class PidControl implements HeaterControl {
  private prevTemp: number | null = null;
  private prevTime = 0;
  private deriv = 0;
  private integ = 0;
  private readonly integMax: number;
  constructor(
    private readonly kp: number,
    private readonly ki: number,
    private readonly kd: number,
    private readonly maxPower: number,
    private readonly minDerivTimeS: number,
  ) {
    this.integMax = ki > 0 ? maxPower / ki : 0;
  }
  update(readTimeS: number, tempC: number, targetC: number): number {
    const dt = this.prevTemp === null ? 0 : readTimeS - this.prevTime;
    const dTemp = this.prevTemp === null ? 0 : tempC - this.prevTemp;
    if (dt >= this.minDerivTimeS) this.deriv = dTemp / dt;
    else if (dt > 0) this.deriv = (this.deriv * (this.minDerivTimeS - dt) + dTemp) / this.minDerivTimeS;
    const err = targetC - tempC;
    const integ = Math.max(0, Math.min(this.integMax, this.integ + err * dt));
    const out = this.kp * err + this.ki * integ - this.kd * this.deriv;
    const bounded = Math.max(0, Math.min(this.maxPower, out));
    if (out === bounded) this.integ = integ; // no wind-up while saturated
    this.prevTemp = tempC;
    this.prevTime = readTimeS;
    return bounded;
  }
  busy(smoothedC: number, targetC: number): boolean {
    return Math.abs(targetC - smoothedC) > PID_SETTLE_DELTA || Math.abs(this.deriv) > PID_SETTLE_SLOPE;
  }
}

export class Heater {
  readonly name: string;
  targetC = 0;
  /** Last reading and the smoothed value M109 and the UI use. */
  lastTempC = 0;
  smoothedTempC = 0;
  lastReadTimeS = 0;
  lastPwm = 0;
  control: HeaterControl;
  /** One soft-PWM output per heater pin (a [multi_pin] heater drives several together). */
  private readonly outputs: { oid: number; pin: PinDesc }[];
  private lastPwmTimeS = 0;
  private queueDigitalOut: ReturnType<Mcu['lookupCommand']> | null = null;
  private cycleTicks = 0;
  /** Set on shutdown: the heater stays off. */
  private stopped = false;
  /** Extra listeners (verify_heater, PID_CALIBRATE). */
  readonly listeners = new Set<(readTimeS: number, tempC: number) => void>();
  /** Replaces the control loop while set (PID_CALIBRATE). */
  controlOverride: HeaterControl | null = null;

  constructor(
    readonly cfg: HeaterConfig,
    readonly sensor: TemperatureSensor,
    private readonly mcu: Mcu,
  ) {
    this.name = cfg.name;
    this.control =
      cfg.control === 'pid'
        ? new PidControl(cfg.kp! / PID_PARAM_BASE, cfg.ki! / PID_PARAM_BASE, cfg.kd! / PID_PARAM_BASE, cfg.maxPower, cfg.smoothTimeS)
        : new WatermarkControl(cfg.maxDeltaC, cfg.maxPower);
    this.outputs = (cfg.heaterPins ?? [cfg.heaterPin]).map((pin) => ({ oid: mcu.createOid(), pin }));
    mcu.registerConfigCallback(() => {
      for (const o of this.outputs) this.cycleTicks = addHeaterPinConfig(mcu, o.oid, o.pin, cfg.pwmCycleTimeS);
      this.queueDigitalOut = mcu.lookupCommand('queue_digital_out oid=%c clock=%u on_ticks=%u');
    });
    sensor.setCallback((t, temp) => this.onReading(t, temp));
  }

  setTarget(tempC: number): void {
    if (tempC !== 0 && (tempC < this.cfg.minTempC || tempC > this.cfg.maxTempC)) {
      throw new Error(
        `Requested temperature (${tempC.toFixed(1)}) out of range (${this.cfg.minTempC.toFixed(1)}:${this.cfg.maxTempC.toFixed(1)})`,
      );
    }
    this.targetC = tempC;
  }

  isBusy(): boolean {
    return this.targetC > 0 && (this.controlOverride ?? this.control).busy(this.smoothedTempC, this.targetC);
  }

  stop(): void {
    this.stopped = true;
    this.targetC = 0;
  }

  private onReading(readTimeS: number, tempC: number): void {
    const dt = this.lastReadTimeS ? readTimeS - this.lastReadTimeS : 0;
    if (this.lastReadTimeS === 0) this.smoothedTempC = tempC;
    else this.smoothedTempC += (tempC - this.smoothedTempC) * Math.min(1, dt / this.cfg.smoothTimeS);
    this.lastTempC = tempC;
    this.lastReadTimeS = readTimeS;
    const control = this.controlOverride ?? this.control;
    const pwm = this.stopped || (this.targetC <= 0 && !this.controlOverride) ? 0 : control.update(readTimeS, tempC, this.targetC);
    this.setPwm(readTimeS + ADC_PWM_DELAY_S, pwm);
    for (const l of this.listeners) l(readTimeS, tempC);
  }

  /** Schedules the pin; repeats an unchanged non-zero value before max_duration runs out. */
  private setPwm(pwmTimeS: number, value: number): void {
    if (!this.queueDigitalOut || this.mcu.isShutdown()) return;
    const refreshDue = pwmTimeS >= this.lastPwmTimeS + 0.75 * MAX_HEAT_TIME_S;
    if (Math.abs(value - this.lastPwm) < 0.05 && (!refreshDue || this.lastPwm === 0)) return;
    const clock = this.mcu.printTimeToClock(pwmTimeS);
    const onTicks = Math.round(value * this.cycleTicks);
    for (const o of this.outputs) {
      this.queueDigitalOut.send([o.oid, clock, o.pin.invert ? this.cycleTicks - onTicks : onTicks], { minClock: 0, reqClock: clock });
    }
    this.lastPwm = value;
    this.lastPwmTimeS = pwmTimeS;
  }

  getStatus(): Record<string, unknown> {
    return { temperature: round2(this.smoothedTempC), target: this.targetC, power: this.lastPwm };
  }
}

/** A reading is acted on one report period later, so the command reaches the MCU in time. */
const ADC_PWM_DELAY_S = 0.3;

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * A heater's soft-PWM pin in the MCU's config: off by default, and off again if the host stops
 * refreshing it for MAX_HEAT_TIME_S (max_duration). Returns the PWM cycle in ticks.
 */
export function addHeaterPinConfig(mcu: Mcu, oid: number, pin: PinDesc, cycleTimeS: number): number {
  const off = pin.invert ? 1 : 0;
  mcu.addConfigCmd(
    `config_digital_out oid=${oid} pin=${pin.pin} value=${off} default_value=${off} max_duration=${mcu.secondsToClock(MAX_HEAT_TIME_S)}`,
  );
  const cycleTicks = mcu.secondsToClock(cycleTimeS);
  mcu.addConfigCmd(`set_digital_out_pwm_cycle oid=${oid} cycle_ticks=${cycleTicks}`);
  return cycleTicks;
}
