// [fan] (M106/M107) and [heater_fan NAME] (on while its heaters are hot): one PWM pin each.
import type { OptionValues } from '../config/options';
import type { ConfigSection } from '../config/section';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import { mcuForPin } from './mcu';
import type { Printer } from '../printer';
import { FAN_OPTIONS, HEATER_FAN_OPTIONS } from './fan-options';
import type { PrinterHeaters } from './heaters';
import { backgroundPrintTime, McuOutputPwm, outputPrintTime } from './output-pwm';
import type { PinRegistry } from './pins';
import { expandPin } from './multi-pin';

export class Fan {
  readonly pwm: McuOutputPwm;
  /** Every output of this fan: pwm, plus the other pins of a [multi_pin]. */
  private readonly pwms: McuOutputPwm[];
  private readonly o: OptionValues<typeof FAN_OPTIONS>;
  speed = 0;

  constructor(
    private readonly printer: Printer,
    section: ConfigSection,
    /** Option defaults of this kind of fan ([temperature_fan]: shutdown_speed = max_power). */
    defaults: { shutdown_speed?: number } = {},
  ) {
    const o = section.read(FAN_OPTIONS, defaults);
    if (o.hardware_pwm) throw section.error('hardware_pwm', 'hardware_pwm is not supported yet: remove it to use a software PWM');
    if (o.enable_pin) throw section.error('enable_pin', 'enable_pin is not supported yet');
    this.o = o;
    printer.lookupObject<PinRegistry>('pins').claim(o.pin, `[${section.name}] pin`, section.placeOf('pin'));
    this.pwms = expandPin(printer, o.pin, section, 'pin').map(
      (pin) =>
        new McuOutputPwm(mcuForPin(printer, pin, section, 'pin'), {
          pin,
          cycleTimeS: o.cycle_time,
          startValue: 0,
          shutdownValue: o.shutdown_speed > 0 ? o.shutdown_speed * o.max_power : 0,
        }),
    );
    this.pwm = this.pwms[0]!;
  }

  /** Sets the speed (0..1) after the queued moves; a start from rest gets a kick at full power. */
  setSpeed(speed: number, printTimeS = outputPrintTime(this.printer)): void {
    let value = Math.max(0, Math.min(1, speed));
    if (value < this.o.off_below) value = 0;
    value *= this.o.max_power;
    if (value === this.pwm.lastValue) return;
    if (value > 0 && this.pwm.lastValue === 0 && this.o.kick_start_time > 0 && value < this.o.max_power) {
      for (const p of this.pwms) p.setValue(printTimeS, this.o.max_power);
      printTimeS += this.o.kick_start_time;
    }
    for (const p of this.pwms) p.setValue(printTimeS, value);
    this.speed = speed;
  }

  getStatus(): Record<string, unknown> {
    // Klipper's fan status; rpm stays null without a tachometer (not supported yet).
    return { speed: this.speed, rpm: null };
  }
}

/** [fan]: the part-cooling fan of M106 S0..255 / M107. */
export function loadPrinterFan(printer: Printer, gcode: GCodeDispatcher, section: ConfigSection): Fan {
  const fan = new Fan(printer, section);
  gcode.register('M106', (c) => fan.setSpeed(c.getFloat('S', 255, { minval: 0 }) / 255), { help: 'Set the fan speed (S0..255)' });
  gcode.register('M107', () => fan.setSpeed(0), { help: 'Turn the fan off' });
  return fan;
}

/** [heater_fan NAME]: runs while any of its heaters has a target or is above heater_temp. */
export function loadHeaterFan(printer: Printer, section: ConfigSection): Fan {
  const fan = new Fan(printer, section);
  const o = section.read(HEATER_FAN_OPTIONS, { heater: ['extruder'] });
  let timer: ReturnType<typeof setInterval> | null = null;
  printer.on('printer:ready', () => {
    const heaters = printer.lookupObjectOrNull<PrinterHeaters>('heaters');
    if (!heaters) return;
    const list = o.heater.map((n) => heaters.lookupHeater(n));
    timer = setInterval(() => {
      const hot = list.some((h) => h.targetC > 0 || h.smoothedTempC > o.heater_temp);
      fan.setSpeed(hot ? o.fan_speed : 0, backgroundPrintTime(printer));
    }, 1000);
    timer.unref?.();
  });
  const stop = () => {
    if (timer) clearInterval(timer);
  };
  printer.on('printer:shutdown', stop);
  printer.on('printer:disconnect', stop);
  return fan;
}
