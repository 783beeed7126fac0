// [servo NAME]: SET_SERVO SERVO=NAME ANGLE=<degrees> | WIDTH=<seconds> sets the pulse width of a
// hobby servo's signal (a pulse every 20 ms), on the same MCU PWM output and period the
// [bltouch] drives its pin with. Angles map linearly onto minimum..maximum_pulse_width; widths
// are clamped to that range, and WIDTH=0 stops the signal (the servo goes limp).
import type { OptionValues } from '../config/options';
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer, PrinterObject } from '../printer';
import { SERVO_CYCLE_S } from './bltouch';
import { mcuForPin } from './mcu';
import { McuOutputPwm, outputPrintTime } from './output-pwm';
import type { PinRegistry } from './pins';
import { SERVO_OPTIONS } from './servo-options';

export interface ServoRange {
  minWidthS: number;
  maxWidthS: number;
  maxAngleDeg: number;
}

/** Pulse width (s) for an angle, clamped to 0..maximum_servo_angle. */
export function servoAngleToWidthS(r: ServoRange, angleDeg: number): number {
  const a = Math.max(0, Math.min(r.maxAngleDeg, angleDeg));
  return r.minWidthS + ((r.maxWidthS - r.minWidthS) * a) / r.maxAngleDeg;
}

/** A width clamped to the servo's range; 0 stays 0 (no signal). */
export function servoClampWidthS(r: ServoRange, widthS: number): number {
  return widthS === 0 ? 0 : Math.max(r.minWidthS, Math.min(r.maxWidthS, widthS));
}

/** The section's options, checked (batch mode reads only these). */
export function readServoOptions(section: ConfigSection): OptionValues<typeof SERVO_OPTIONS> {
  const o = section.read(SERVO_OPTIONS);
  if (o.maximum_pulse_width <= o.minimum_pulse_width) {
    throw section.error(
      'maximum_pulse_width',
      `Option 'maximum_pulse_width' in section '${section.name}' must be above minimum_pulse_width (${o.minimum_pulse_width})`,
    );
  }
  return o;
}

export class PrinterServo implements PrinterObject {
  readonly range: ServoRange;
  readonly out: McuOutputPwm;
  /** The signal's duty (pulse width / 20 ms), as last set. */
  value: number;

  constructor(
    private readonly printer: Printer,
    gcode: GCodeDispatcher,
    section: ConfigSection,
  ) {
    const o = readServoOptions(section);
    this.range = { minWidthS: o.minimum_pulse_width, maxWidthS: o.maximum_pulse_width, maxAngleDeg: o.maximum_servo_angle };
    const startWidthS =
      o.initial_angle !== undefined ? servoAngleToWidthS(this.range, o.initial_angle) : servoClampWidthS(this.range, o.initial_pulse_width);
    this.value = startWidthS / SERVO_CYCLE_S;
    printer.lookupObject<PinRegistry>('pins').claim(o.pin, `[${section.name}] pin`, section.placeOf('pin'));
    this.out = new McuOutputPwm(mcuForPin(printer, o.pin, section, 'pin'), {
      pin: o.pin,
      cycleTimeS: SERVO_CYCLE_S,
      startValue: this.value,
      shutdownValue: 0,
    });
    servosOf(printer, gcode).set(section.suffix, this);
  }

  /** Sets the pulse width (s) after the queued moves. */
  setWidth(widthS: number): void {
    this.value = widthS / SERVO_CYCLE_S;
    this.out.setValue(outputPrintTime(this.printer), this.value);
  }

  getStatus(): Record<string, unknown> {
    return { value: this.value };
  }
}

/** Servos by name, with SET_SERVO registered once for all. */
function servosOf(printer: Printer, gcode: GCodeDispatcher): Map<string, PrinterServo> {
  const known = printer.lookupObjectOrNull<Map<string, PrinterServo>>('servos');
  if (known) return known;
  const all = new Map<string, PrinterServo>();
  printer.addObject('servos', all);
  gcode.register(
    'SET_SERVO',
    (c: GCodeCommand) => {
      const name = c.get('SERVO');
      const servo = all.get(name);
      if (!servo) throw c.error(`Unknown servo '${name}' (servos: ${[...all.keys()].join(', ')})`);
      if (c.has('WIDTH')) servo.setWidth(servoClampWidthS(servo.range, c.getFloat('WIDTH', undefined, { minval: 0 })));
      else if (c.has('ANGLE')) servo.setWidth(servoAngleToWidthS(servo.range, c.getFloat('ANGLE')));
      else throw c.error('SET_SERVO needs ANGLE=<degrees> or WIDTH=<seconds>');
    },
    { help: 'Set servo angle', params: { SERVO: 'servo name', ANGLE: 'degrees', WIDTH: 'pulse width (s), 0 = off' } },
  );
  return all;
}
