// verify_heater: every heater is watched (with defaults even without a [verify_heater] section).
// A heater that does not warm up as expected, or drifts far below its target, shuts the printer
// down: a thermistor fallen out of the block or a dead heater cartridge must not cook the printer.
import type { Printer } from '../printer';
import type { Heater } from './heater';

export interface VerifySettings {
  maxError: number;
  checkGainTimeS: number;
  hysteresis: number;
  heatingGain: number;
}

export class VerifyHeater {
  private approaching = false;
  private startingApproach = false;
  private lastTarget = 0;
  private goalTempC = 0;
  private goalTimeS = 0;
  private error = 0;
  private lastCheckS = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly printer: Printer,
    private readonly heater: Heater,
    readonly settings: VerifySettings,
    private readonly nowS: () => number = () => performance.now() / 1000,
  ) {
    printer.on('printer:ready', () => {
      this.timer = setInterval(() => this.check(), 1000);
      this.timer.unref?.();
    });
    const stop = () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
    };
    printer.on('printer:shutdown', stop);
    printer.on('printer:disconnect', stop);
  }

  /** One check (once a second); returns the fault text when it shuts the printer down. */
  check(): string | null {
    const now = this.nowS();
    const dt = this.lastCheckS ? now - this.lastCheckS : 1;
    this.lastCheckS = now;
    const s = this.settings;
    const temp = this.heater.smoothedTempC;
    const target = this.heater.targetC;
    if (temp >= target - s.hysteresis || target <= 0) {
      this.approaching = this.startingApproach = false;
      if (temp <= target + s.hysteresis) this.error = 0;
      this.lastTarget = target;
      return null;
    }
    this.error += (target - s.hysteresis - temp) * dt;
    if (!this.approaching) {
      if (target !== this.lastTarget) {
        this.lastTarget = target;
        this.approaching = this.startingApproach = true;
        this.goalTempC = temp + s.heatingGain;
        this.goalTimeS = now + s.checkGainTimeS;
      } else if (this.error >= s.maxError) {
        return this.fault();
      }
    } else if (temp >= this.goalTempC) {
      this.startingApproach = false;
      this.error = 0;
      this.goalTempC = temp + s.heatingGain;
      this.goalTimeS = now + s.checkGainTimeS;
    } else if (now >= this.goalTimeS) {
      return this.fault();
    } else if (this.startingApproach) {
      this.goalTempC = Math.min(this.goalTempC, temp + s.heatingGain);
    }
    return null;
  }

  private fault(): string {
    const msg =
      `Heater ${this.heater.name} not heating at expected rate\n` +
      'Check the heater and its thermistor wiring (a thermistor out of its block, a broken heater), ' +
      `or relax [verify_heater ${this.heater.name}] if this heater is just slow. ` +
      'Once fixed, use FIRMWARE_RESTART.';
    this.approaching = false;
    void this.printer.invokeShutdown(msg);
    return msg;
  }
}
