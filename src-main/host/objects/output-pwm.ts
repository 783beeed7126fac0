// A soft-PWM (or plain digital) output pin on the MCU, scheduled at print times: fans, output
// pins. Values are 0..1; the pin's '!' is applied here so callers think in "power".
import type { PinDesc } from '../config/options';
import type { Mcu } from '../mcu/mcu';
import type { Printer } from '../printer';

export interface OutputPinConfig {
  pin: PinDesc;
  cycleTimeS: number;
  startValue: number;
  shutdownValue: number;
  /** 0 = unlimited. */
  maxDurationS?: number;
}

export class McuOutputPwm {
  private readonly oid: number;
  private cycleTicks = 0;
  private queueCmd: ReturnType<Mcu['lookupCommand']> | null = null;
  lastValue: number;
  private lastClock = 0;

  constructor(
    private readonly mcu: Mcu,
    private readonly cfg: OutputPinConfig,
  ) {
    this.lastValue = cfg.startValue;
    this.oid = mcu.createOid();
    mcu.registerConfigCallback(() => {
      const start = this.level(cfg.startValue) ? 1 : 0;
      const dflt = this.level(cfg.shutdownValue) ? 1 : 0;
      const maxDur = mcu.secondsToClock(cfg.maxDurationS ?? 0);
      mcu.addConfigCmd(`config_digital_out oid=${this.oid} pin=${cfg.pin.pin} value=${start} default_value=${dflt} max_duration=${maxDur}`);
      this.cycleTicks = mcu.secondsToClock(cfg.cycleTimeS);
      mcu.addConfigCmd(`set_digital_out_pwm_cycle oid=${this.oid} cycle_ticks=${this.cycleTicks}`);
      this.queueCmd = mcu.lookupCommand('queue_digital_out oid=%c clock=%u on_ticks=%u');
    });
  }

  /** Digital level for a full-on/off value after the pin's inversion. */
  private level(value: number): boolean {
    return value >= 0.5 !== this.cfg.pin.invert;
  }

  setValue(printTimeS: number, value: number): void {
    if (!this.queueCmd || this.mcu.isShutdown()) return;
    let clock = this.mcu.printTimeToClock(printTimeS);
    clock = Math.max(clock, this.lastClock + 1);
    let onTicks = Math.round(Math.max(0, Math.min(1, value)) * this.cycleTicks);
    if (this.cfg.pin.invert) onTicks = this.cycleTicks - onTicks;
    this.queueCmd.send([this.oid, clock, onTicks], { reqClock: clock });
    this.lastClock = clock;
    this.lastValue = value;
  }
}

/**
 * Print time for a change a timer makes on its own (heater_fan, controller_fan): soon after the
 * MCU's now, not after the queued moves. Asking the toolhead would restart its print time and
 * look like new activity to [idle_timeout], so the printer would never go idle.
 */
export function backgroundPrintTime(printer: Printer): number {
  const mcu = printer.lookupObject<Mcu>('mcu');
  return mcu.estimatedPrintTime(mcu.monotonic()) + 0.1;
}

/** Print time for a pin change: after the queued moves (and never in the MCU's past). */
export function outputPrintTime(printer: Printer): number {
  const th = printer.lookupObjectOrNull<{ getLastMoveTime(): number }>('toolhead');
  const mcu = printer.lookupObject<Mcu>('mcu');
  const soon = mcu.estimatedPrintTime(mcu.monotonic()) + 0.1;
  return Math.max(th ? th.getLastMoveTime() : 0, soon);
}
