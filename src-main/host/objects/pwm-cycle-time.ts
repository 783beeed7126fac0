// [pwm_cycle_time NAME]: an output pin whose soft-PWM period changes at run time (a beeper's
// pitch): SET_PIN PIN=NAME VALUE=v [CYCLE_TIME=s]; without CYCLE_TIME the configured cycle_time
// applies again. The new period goes to the MCU just before the value that uses it, once the
// pin's earlier updates have run (the MCU refuses a period change with updates pending).
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Mcu } from '../mcu/mcu';
import type { Printer } from '../printer';
import { mcuForPin } from './mcu';
import type { OutputPin } from './output-pin';
import { outputPrintTime } from './output-pwm';
import type { PinRegistry } from './pins';
import { PWM_CYCLE_TIME_OPTIONS } from './pwm-cycle-time-options';

/** Longest cycle SET_PIN accepts (s), as Klipper's scheduling limit. */
export const MAX_CYCLE_TIME_S = 5.0;

export class PwmCycleTimePin {
  readonly scale: number;
  readonly pwm = true;
  value: number;
  private readonly oid: number;
  private readonly defaultCycleS: number;
  private cycleTicks = 0;
  private lastClock = 0;
  private queueCmd: ReturnType<Mcu['lookupCommand']> | null = null;
  private cycleCmd: ReturnType<Mcu['lookupCommand']> | null = null;
  private readonly invert: boolean;

  constructor(
    private readonly printer: Printer,
    section: ConfigSection,
  ) {
    const o = section.read(PWM_CYCLE_TIME_OPTIONS);
    for (const k of ['value', 'shutdown_value'] as const) {
      if (o[k] > o.scale) throw section.error(k, `Option '${k}' in section '${section.name}' must have maximum of ${o.scale}`);
    }
    printer.lookupObject<PinRegistry>('pins').claim(o.pin, `[${section.name}] pin`, section.placeOf('pin'));
    this.mcu = mcuForPin(printer, o.pin, section, 'pin');
    this.scale = o.scale;
    this.value = o.value;
    this.defaultCycleS = o.cycle_time;
    this.invert = o.pin.invert;
    this.oid = this.mcu.createOid();
    const mcu = this.mcu;
    mcu.registerConfigCallback(() => {
      const level = (v: number) => (v / o.scale >= 0.5 !== o.pin.invert ? 1 : 0);
      mcu.addConfigCmd(
        `config_digital_out oid=${this.oid} pin=${o.pin.pin} value=${level(o.value)} default_value=${level(o.shutdown_value)} max_duration=0`,
      );
      this.cycleTicks = mcu.secondsToClock(o.cycle_time);
      mcu.addConfigCmd(`set_digital_out_pwm_cycle oid=${this.oid} cycle_ticks=${this.cycleTicks}`);
      this.queueCmd = mcu.lookupCommand('queue_digital_out oid=%c clock=%u on_ticks=%u');
      this.cycleCmd = mcu.lookupCommand('set_digital_out_pwm_cycle oid=%c cycle_ticks=%u');
    });
  }
  private readonly mcu: Mcu;

  /** SET_PIN PIN=NAME VALUE=v [CYCLE_TIME=s]. */
  cmdSetPin(c: GCodeCommand): void {
    const v = c.getFloat('VALUE', undefined, { minval: 0, maxval: this.scale });
    const cycleS = c.getFloat('CYCLE_TIME', this.defaultCycleS, { above: 0, maxval: MAX_CYCLE_TIME_S });
    this.setPwm(outputPrintTime(this.printer), v / this.scale, cycleS);
    this.value = v;
  }

  private setPwm(printTimeS: number, fraction: number, cycleS: number): void {
    if (!this.queueCmd || !this.cycleCmd || this.mcu.isShutdown()) return;
    const clock = Math.max(this.mcu.printTimeToClock(printTimeS), this.lastClock + 1);
    const ticks = this.mcu.secondsToClock(cycleS);
    if (ticks !== this.cycleTicks) {
      // Sent no earlier than the last update's time, so the MCU has no update pending then.
      this.cycleCmd.send([this.oid, ticks], { minClock: this.lastClock, reqClock: clock });
      this.cycleTicks = ticks;
    }
    let onTicks = Math.round(Math.max(0, Math.min(1, fraction)) * ticks);
    if (this.invert) onTicks = ticks - onTicks;
    this.queueCmd.send([this.oid, clock, onTicks], { minClock: this.lastClock, reqClock: clock });
    this.lastClock = clock;
  }

  getStatus(): Record<string, unknown> {
    return { value: this.value };
  }
}

/**
 * SET_PIN for every pin: [pwm_cycle_time] sections load before [output_pin] ones (catalog order)
 * and register the command here, handling output pins as output-pin.ts does, so both kinds share
 * one SET_PIN. Without [pwm_cycle_time], output-pin.ts registers it itself.
 */
function setPinTargets(printer: Printer, gcode: GCodeDispatcher): Map<string, OutputPin | PwmCycleTimePin> {
  let pins = printer.lookupObjectOrNull<Map<string, OutputPin | PwmCycleTimePin>>('output_pins');
  if (pins) return pins;
  pins = new Map();
  printer.addObject('output_pins', pins);
  const all = pins;
  gcode.register(
    'SET_PIN',
    (c) => {
      const pin = all.get(c.get('PIN'));
      if (!pin) throw c.error(`Unknown pin '${c.get('PIN')}' (output pins: ${[...all.keys()].join(', ')})`);
      if (pin instanceof PwmCycleTimePin) return pin.cmdSetPin(c);
      const v = c.getFloat('VALUE', undefined, { minval: 0, maxval: pin.scale });
      if (!pin.pwm && v !== 0 && v !== 1) throw c.error('Invalid pin value: a digital pin takes VALUE=0 or 1');
      pin.value = v;
      pin.out.setValue(outputPrintTime(printer), v / pin.scale);
    },
    {
      help: 'Set the value of an output pin',
      params: { PIN: 'output_pin or pwm_cycle_time name', VALUE: 'new value', CYCLE_TIME: 'pwm_cycle_time pins: PWM period (s)' },
    },
  );
  return pins;
}

/** [pwm_cycle_time NAME] on a live printer; batch mode only checks the options. */
export function loadPwmCycleTime(printer: Printer, gcode: GCodeDispatcher, section: ConfigSection, live: boolean): void {
  if (!live) {
    const o = section.read(PWM_CYCLE_TIME_OPTIONS);
    for (const k of ['value', 'shutdown_value'] as const) {
      if (o[k] > o.scale) throw section.error(k, `Option '${k}' in section '${section.name}' must have maximum of ${o.scale}`);
    }
    return;
  }
  const pin = new PwmCycleTimePin(printer, section);
  setPinTargets(printer, gcode).set(section.name.split(' ').pop()!, pin);
  printer.addObject(section.name, pin);
}
