// Several extruders on one toolhead ([extruder], [extruder1], ...): ACTIVATE_EXTRUDER picks the
// one that moves with E, and M104/M109 find the heater they mean. T0/T1 are not built in (Klipper
// leaves them to [gcode_macro T1] that park, offset and then ACTIVATE_EXTRUDER).
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Toolhead } from '../motion/index';
import type { Printer } from '../printer';
import { lookupExtruder, type ExtruderLike } from './extruder-stepper';
import type { GCodeMove } from './gcode-move';
import type { PrintStats } from './print-stats';

/** The extruder sections a printer.cfg may have, in Klipper's order: extruder, extruder1, extruder2, ... */
export function extruderSectionName(index: number): string {
  return index === 0 ? 'extruder' : `extruder${index}`;
}

/** The active extruder's name ('' without one). */
export function activeExtruderName(printer: Printer): string {
  return printer.lookupObjectOrNull<Toolhead>('toolhead')?.getExtruder()?.name ?? '';
}

/**
 * The heater M104/M109 set: T<index> names an extruder (T0 = [extruder], T1 = [extruder1]);
 * without T, the active extruder's. Klipper's rules, so slicer start G-code heats the right one.
 */
export function m104HeaterName(printer: Printer, c: GCodeCommand): string {
  if (!c.has('T')) return activeExtruderName(printer) || 'extruder';
  return extruderSectionName(c.getInt('T', undefined, { minval: 0 }));
}

/**
 * ACTIVATE_EXTRUDER EXTRUDER=<name>: after the planned moves, E drives that extruder. Each extruder
 * keeps its own filament position: E continues from where this one last stopped, and the G-code
 * E origin and extrude factor (M221) start over, as in Klipper.
 */
export function activateExtruder(printer: Printer, gcode: GCodeDispatcher, ex: ExtruderLike): void {
  const th = printer.lookupObject<Toolhead>('toolhead');
  if (th.getExtruder() === ex.motion) {
    gcode.respondInfo(`Extruder ${ex.name} already active`);
    return;
  }
  gcode.respondInfo(`Activating extruder ${ex.name}`);
  th.flushStepGeneration();
  const switchNow = () => th.setExtruder(ex.motion, ex.motion.lastPositionMm);
  const stats = printer.lookupObjectOrNull<PrintStats>('print_stats');
  if (stats) stats.switchExtruder(switchNow);
  else switchNow();
  const gm = printer.lookupObject<GCodeMove>('gcode_move');
  gm.resetFromToolhead();
  gm.extrudeFactor = 1;
  gm.basePosition[3] = gm.lastPosition[3]!;
}

/** Registers ACTIVATE_EXTRUDER once per printer (every extruder answers by its name). */
export function registerActivateExtruder(printer: Printer, gcode: GCodeDispatcher): void {
  if (gcode.lookup('ACTIVATE_EXTRUDER')) return;
  gcode.register(
    'ACTIVATE_EXTRUDER',
    (c) => {
      const name = c.get('EXTRUDER');
      const ex = lookupExtruder(printer, name) ?? lookupExtruder(printer, name.toLowerCase());
      if (!ex) {
        const names = printer
          .lookupObjects('extruder')
          .map(([n]) => n)
          .filter((n) => lookupExtruder(printer, n));
        throw c.error(`The value '${name}' is not valid for EXTRUDER (extruders: ${names.join(', ') || 'none'})`);
      }
      activateExtruder(printer, gcode, ex);
    },
    { help: 'Change the active extruder', params: { EXTRUDER: 'extruder, extruder1, ...' } },
  );
}
