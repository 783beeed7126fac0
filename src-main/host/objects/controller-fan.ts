// [controller_fan NAME]: cools the stepper drivers. Runs at fan_speed while any of its steppers
// is enabled or any of its heaters has a target, then at idle_speed for idle_timeout seconds,
// then stops. Checked once a second, as a fan needs nothing faster.
import type { ConfigSection } from '../config/section';
import type { Printer } from '../printer';
import { CONTROLLER_FAN_OPTIONS } from './controller-fan-options';
import { Fan } from './fan';
import { backgroundPrintTime } from './output-pwm';
import type { PrinterHeaters } from './heaters';
import type { StepperEnable } from './stepper-enable';

const CHECK_PERIOD_MS = 1000;

export class ControllerFan {
  readonly fan: Fan;
  private idleForS = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(printer: Printer, section: ConfigSection) {
    this.fan = new Fan(printer, section);
    const o = section.read(CONTROLLER_FAN_OPTIONS);
    const idleSpeed = o.idle_speed ?? o.fan_speed;
    // Steppers and heaters are loaded before this section (catalog order), so names are checked now.
    const enable = printer.lookupObject<StepperEnable>('stepper_enable');
    const known = enable.stepperNames();
    const steppers = o.stepper ?? known;
    const unknown = steppers.filter((s) => !known.includes(s));
    if (unknown.length) {
      throw section.error('stepper', `[${section.name}]: unknown stepper(s) ${unknown.join(', ')} (steppers: ${known.join(', ')})`);
    }
    const heatersObj = printer.lookupObjectOrNull<PrinterHeaters>('heaters');
    const heaters = o.heater.map((n) => {
      const h = heatersObj?.heaters.get(n);
      if (!h)
        throw section.error(
          'heater',
          `[${section.name}]: unknown heater '${n}' (heaters: ${[...(heatersObj?.heaters.keys() ?? [])].join(', ') || 'none'})`,
        );
      return h;
    });
    printer.on('printer:ready', () => {
      const tick = () => {
        const active = steppers.some((s) => enable.isEnabled(s)) || heaters.some((h) => h.targetC > 0);
        let speed = 0;
        if (active) {
          this.idleForS = 0;
          speed = o.fan_speed;
        } else if (this.idleForS < o.idle_timeout) {
          this.idleForS += CHECK_PERIOD_MS / 1000;
          speed = idleSpeed;
        }
        this.fan.setSpeed(speed, backgroundPrintTime(printer));
      };
      // Starts idle-timed-out: a printer that was just switched on has nothing to cool.
      this.idleForS = o.idle_timeout;
      this.timer = setInterval(tick, CHECK_PERIOD_MS);
      this.timer.unref?.();
    });
    const stop = () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
    };
    printer.on('printer:shutdown', stop);
    printer.on('printer:disconnect', stop);
  }

  getStatus(): Record<string, unknown> {
    return this.fan.getStatus();
  }
}
