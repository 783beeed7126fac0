// [duplicate_pin_override] pins: PIN, NAME:PIN, ...: pins several sections may use (a probe's
// pin also read as an endstop, one LED pin in two sections). Each listed pin is claimed once;
// further claims of it pass instead of stopping the load with "used multiple times".
import type { ConfigSection } from '../config/section';
import { DUPLICATE_PIN_OVERRIDE_OPTIONS } from './duplicate-pin-override-options';
import type { Printer } from '../printer';
import type { PinRegistry } from './pins';

/** 'PA1' / '^!toolboard:PB3' -> { chip, pin } (modifiers are the using sections' business). */
function parseListedPin(text: string): { chip: string; pin: string } {
  const bare = text.replace(/^[\^~!\s]+/, '').trim();
  const colon = bare.indexOf(':');
  return colon < 0 ? { chip: 'mcu', pin: bare } : { chip: bare.slice(0, colon).trim(), pin: bare.slice(colon + 1).trim() };
}

/** Loaded right after [mcu] and [board_pins] (catalog order), before any pin is claimed. */
export function loadDuplicatePinOverride(printer: Printer, section: ConfigSection): void {
  const o = section.read(DUPLICATE_PIN_OVERRIDE_OPTIONS);
  const pins = printer.lookupObject<PinRegistry>('pins');
  const place = section.placeOf('pins');
  const listed = new Set<string>();
  for (const text of o.pins) {
    const p = parseListedPin(text);
    if (!p.pin || /[\s^~!]/.test(p.pin))
      throw section.error('pins', `pin '${text}' in option 'pins' of section '${section.name}' is not a pin name`);
    if (p.chip !== 'mcu' && !printer.lookupObjectOrNull(`mcu ${p.chip}`))
      throw section.error(
        'pins',
        `pin '${text}' in section '${section.name}' names MCU '${p.chip}', but printer.cfg has no [mcu ${p.chip}]`,
      );
    pins.resolve(p, place); // board_pins aliases name the same pin
    listed.add(`${p.chip}:${p.pin}`);
  }
  const claimed = new Set<string>();
  const claim = pins.claim.bind(pins);
  pins.claim = (pin, owner, where, shareType = null) => {
    pins.resolve(pin, where);
    const key = `${pin.chip}:${pin.pin}`;
    if (listed.has(key)) {
      if (claimed.has(key)) return;
      claimed.add(key);
    }
    claim(pin, owner, where, shareType);
  };
}
