// [multi_pin NAME]: one output driving several pins: `multi_pin:NAME` as a heater's heater_pin or
// a fan's pin sets every pin of the list at once (each with its own '!'). Pins on one MCU.
// Other users of output pins ([output_pin], steppers) do not take it.
import type { PinDesc } from '../config/options';
import { parsePin, type ConfigSection } from '../config/section';
import type { Printer } from '../printer';
import { MULTI_PIN_OPTIONS } from './multi-pin-options';
import type { PinRegistry } from './pins';

export class MultiPin {
  readonly pins: PinDesc[];
  constructor(printer: Printer, section: ConfigSection) {
    const o = section.read(MULTI_PIN_OPTIONS);
    if (!o.pins.length) throw section.error('pins', `Option 'pins' in section '${section.name}' names no pin`);
    this.pins = o.pins.map((text) => parsePin(text, { canInvert: true }, (why) => section.error('pins', why)));
    const chips = new Set(this.pins.map((p) => p.chip));
    if (chips.size > 1)
      throw section.error('pins', `The pins of section '${section.name}' must be on one MCU (they name ${[...chips].join(', ')})`);
    const registry = printer.lookupObject<PinRegistry>('pins');
    for (const p of this.pins) registry.claim(p, `[${section.name}] pins`, section.placeOf('pins'));
  }
}

/**
 * The pins `pin` stands for: a multi_pin's list (each inverted once more when the alias has '!'),
 * else the pin itself. An unknown multi_pin name is a config error naming the option.
 */
export function expandPin(printer: Printer, pin: PinDesc, section: ConfigSection, option: string): PinDesc[] {
  if (pin.chip !== 'multi_pin') return [pin];
  const mp = printer.lookupObjectOrNull<MultiPin>(`multi_pin ${pin.pin}`);
  if (!mp)
    throw section.error(
      option,
      `Unknown multi_pin '${pin.pin}' in option '${option}' of section '${section.name}': add a [multi_pin ${pin.pin}] section`,
    );
  return mp.pins.map((p) => ({ ...p, invert: p.invert !== pin.invert }));
}
