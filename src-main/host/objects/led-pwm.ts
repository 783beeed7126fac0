// [led NAME]: one LED (or strip) driven by up to four PWM pins, red_pin/green_pin/blue_pin/
// white_pin, soft PWM by default or the MCU's hardware PWM. A colour change is scheduled at
// least 0.1 s after the previous one (Klipper's PIN_MIN_TIME), only on the pins that changed.
import type { PinDesc } from '../config/options';
import type { ConfigSection } from '../config/section';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Mcu, McuCommand } from '../mcu/mcu';
import type { Printer } from '../printer';
import { addLedHelper, type LedColor, type LedHelper } from './led';
import { LED_INITIAL_OPTIONS, LED_PWM_OPTIONS } from './led-options';
import { mcuForPin } from './mcu';
import { backgroundPrintTime, McuOutputPwm } from './output-pwm';
import type { PinRegistry } from './pins';

const PIN_MIN_TIME_S = 0.1;
const CHANNELS = ['red', 'green', 'blue', 'white'] as const;

/** A pin the MCU drives with its hardware PWM (config_pwm_out / queue_pwm_out), values 0..1. */
export class McuHardwarePwm {
  private readonly oid: number;
  private queueCmd: McuCommand | null = null;
  private pwmMax = 0;
  private lastClock = 0;

  constructor(
    private readonly mcu: Mcu,
    private readonly pin: PinDesc,
    cycleTimeS: number,
    startValue: number,
  ) {
    this.oid = mcu.createOid();
    mcu.registerConfigCallback(() => {
      this.pwmMax = Number(mcu.getConstant('PWM_MAX'));
      const cycleTicks = mcu.secondsToClock(cycleTimeS);
      const start = this.scaled(startValue);
      const dflt = this.scaled(0);
      mcu.addConfigCmd(
        `config_pwm_out oid=${this.oid} pin=${pin.pin} cycle_ticks=${cycleTicks} value=${start} default_value=${dflt} max_duration=0`,
      );
      this.queueCmd = mcu.lookupCommand('queue_pwm_out oid=%c clock=%u value=%hu');
    });
  }

  private scaled(value: number): number {
    const v = Math.max(0, Math.min(1, this.pin.invert ? 1 - value : value));
    return Math.round(v * this.pwmMax);
  }

  setValue(printTimeS: number, value: number): void {
    if (!this.queueCmd || this.mcu.isShutdown()) return;
    const clock = Math.max(this.mcu.printTimeToClock(printTimeS), this.lastClock + 1);
    this.queueCmd.send([this.oid, clock, this.scaled(value)], { reqClock: clock });
    this.lastClock = clock;
  }
}

interface LedChannel {
  index: number; // 0 red .. 3 white
  out: { setValue(printTimeS: number, value: number): void };
  mcu: Mcu;
}

export class PwmLed {
  readonly helper: LedHelper;
  private readonly channels: LedChannel[] = [];
  private lastPrintTimeS = 0;
  private previous: LedColor;

  constructor(printer: Printer, gcode: GCodeDispatcher, section: ConfigSection) {
    const o = section.read(LED_PWM_OPTIONS);
    const initial = section.read(LED_INITIAL_OPTIONS);
    const start: LedColor = [initial.initial_RED, initial.initial_GREEN, initial.initial_BLUE, initial.initial_WHITE];
    const pins = printer.lookupObject<PinRegistry>('pins');
    CHANNELS.forEach((channel, index) => {
      const pin = o[`${channel}_pin`];
      if (!pin) return;
      const option = `${channel}_pin`;
      pins.claim(pin, `[${section.name}] ${option}`, section.placeOf(option));
      const mcu = mcuForPin(printer, pin, section, option);
      const out = o.hardware_pwm
        ? new McuHardwarePwm(mcu, pin, o.cycle_time, start[index])
        : new McuOutputPwm(mcu, { pin, cycleTimeS: o.cycle_time, startValue: start[index], shutdownValue: 0, maxDurationS: 0 });
      this.channels.push({ index, out, mcu });
    });
    if (!this.channels.length) throw section.error('red_pin', `No LED pin definitions found in '${section.name}'`);
    this.previous = start;
    // A soft-PWM pin starts fully on or off (config_digital_out); a fractional initial colour
    // is set once the printer is ready.
    if (!o.hardware_pwm) {
      printer.on('printer:ready', () => {
        const t = backgroundPrintTime(printer);
        for (const ch of this.channels) if (start[ch.index] > 0 && start[ch.index] < 1) ch.out.setValue(t, start[ch.index]);
      });
    }
    this.helper = addLedHelper(printer, gcode, section, 1, (colors, printTimeS) => this.update(colors[0], printTimeS));
  }

  private update(color: LedColor, printTimeS: number | null): void {
    const mcu = this.channels[0].mcu;
    let t = printTimeS ?? mcu.estimatedPrintTime(mcu.monotonic()) + PIN_MIN_TIME_S;
    t = Math.max(t, this.lastPrintTimeS + PIN_MIN_TIME_S);
    for (const ch of this.channels) {
      if (this.previous[ch.index] === color[ch.index]) continue;
      ch.out.setValue(t, color[ch.index]);
      this.lastPrintTimeS = t;
    }
    this.previous = [...color] as LedColor;
  }
}
