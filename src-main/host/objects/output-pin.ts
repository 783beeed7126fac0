// [output_pin NAME] (SET_PIN PIN=NAME VALUE=v) and [static_digital_output NAME] (pins set once
// at start-up and never changed).
import type { ConfigSection } from '../config/section';
import { parsePin } from '../config/section';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import { mcuForPin } from './mcu';
import type { Printer } from '../printer';
import { OUTPUT_PIN_OPTIONS, STATIC_DIGITAL_OUTPUT_OPTIONS } from './fan-options';
import { McuOutputPwm, outputPrintTime } from './output-pwm';
import type { PinRegistry } from './pins';

export class OutputPin {
  readonly out: McuOutputPwm;
  value: number;

  constructor(printer: Printer, gcode: GCodeDispatcher, section: ConfigSection) {
    const o = section.read(OUTPUT_PIN_OPTIONS);
    if (o.hardware_pwm) throw section.error('hardware_pwm', 'hardware_pwm is not supported yet: remove it to use a software PWM');
    const name = section.name.slice('output_pin '.length);
    const scale = o.pwm ? o.scale : 1;
    const start = o.static_value ?? o.value;
    for (const [k, v] of [
      ['value', start],
      ['shutdown_value', o.shutdown_value],
    ] as const) {
      if (v > scale) throw section.error(k, `Option '${k}' in section '${section.name}' must have maximum of ${scale}`);
    }
    printer.lookupObject<PinRegistry>('pins').claim(o.pin, `[${section.name}] pin`, section.placeOf('pin'));
    this.value = start;
    this.out = new McuOutputPwm(mcuForPin(printer, o.pin, section, 'pin'), {
      pin: o.pin,
      cycleTimeS: o.cycle_time,
      startValue: start / scale,
      shutdownValue: o.shutdown_value / scale,
      maxDurationS: o.maximum_mcu_duration,
    });
    const pins = printer.lookupObjectOrNull<Map<string, OutputPin>>('output_pins') ?? new Map<string, OutputPin>();
    if (!printer.lookupObjectOrNull('output_pins')) {
      printer.addObject('output_pins', pins);
      gcode.register(
        'SET_PIN',
        (c) => {
          const pin = pins.get(c.get('PIN'));
          if (!pin) throw c.error(`Unknown pin '${c.get('PIN')}' (output pins: ${[...pins.keys()].join(', ')})`);
          const v = c.getFloat('VALUE', undefined, { minval: 0, maxval: pin.scale });
          if (!pin.pwm && v !== 0 && v !== 1) throw c.error('Invalid pin value: a digital pin takes VALUE=0 or 1');
          pin.value = v;
          pin.out.setValue(outputPrintTime(printer), v / pin.scale);
        },
        { help: 'Set the value of an output pin', params: { PIN: 'output_pin name', VALUE: 'new value' } },
      );
    }
    pins.set(name, this);
    this.scale = scale;
    this.pwm = o.pwm;
  }
  readonly scale: number;
  readonly pwm: boolean;

  getStatus(): Record<string, unknown> {
    return { value: this.value };
  }
}

export function loadStaticDigitalOutput(printer: Printer, section: ConfigSection): void {
  const o = section.read(STATIC_DIGITAL_OUTPUT_OPTIONS);
  const registry = printer.lookupObject<PinRegistry>('pins');
  const pins = o.pins.map((text) => parsePin(text, { canInvert: true }, (why) => section.error('pins', why)));
  for (const p of pins) registry.claim(p, `[${section.name}] pins`, section.placeOf('pins'));
  // Each pin is set by the MCU its name says (pins of one section may span boards).
  for (const p of pins) {
    const mcu = mcuForPin(printer, p, section, 'pins');
    mcu.registerConfigCallback(() => mcu.addConfigCmd(`set_digital_out pin=${p.pin} value=${p.invert ? 0 : 1}`));
  }
}
