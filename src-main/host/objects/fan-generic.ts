// [fan_generic NAME]: a fan set by hand or by macros: SET_FAN_SPEED FAN=NAME SPEED=0..1 (after
// the queued moves, like M106). Status {speed, rpm}. Klipper's TEMPLATE= parameter (a
// [display_template] computing the speed) is not supported: Tether has no [display_template] yet.
import type { ConfigSection } from '../config/section';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import { FAN_OPTIONS } from './fan-options';
import { Fan } from './fan';

/** The fans SET_FAN_SPEED knows, by short name (the command is registered once). */
function genericFansOf(printer: Printer, gcode: GCodeDispatcher): Map<string, Fan> {
  let fans = printer.lookupObjectOrNull<Map<string, Fan>>('fan_generics');
  if (fans) return fans;
  fans = new Map();
  printer.addObject('fan_generics', fans);
  const all = fans;
  gcode.register(
    'SET_FAN_SPEED',
    (c) => {
      const name = c.get('FAN');
      const fan = all.get(name);
      if (!fan) throw c.error(`Unknown fan '${name}' (fan_generic fans: ${[...all.keys()].join(', ')})`);
      if (c.has('TEMPLATE')) throw c.error('SET_FAN_SPEED TEMPLATE= is not supported yet ([display_template] is missing): give SPEED=');
      fan.setSpeed(c.getFloat('SPEED', 0));
    },
    { help: 'Sets the speed of a fan', params: { FAN: 'fan_generic name', SPEED: '0..1' } },
  );
  return fans;
}

/** [fan_generic NAME] on a live printer; batch mode only checks the options. */
export function loadFanGeneric(printer: Printer, gcode: GCodeDispatcher, section: ConfigSection, live: boolean): void {
  if (!live) return void section.read(FAN_OPTIONS);
  const fan = new Fan(printer, section);
  const name = section.name.split(' ').pop()!;
  genericFansOf(printer, gcode).set(name, fan);
  printer.addObject(section.name, fan);
}
