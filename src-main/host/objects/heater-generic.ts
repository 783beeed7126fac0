// [heater_generic NAME]: a heater like [heater_bed] under any name (a chamber heater, a second
// bed zone). Set with SET_HEATER_TEMPERATURE HEATER=NAME TARGET=..., waited on with
// TEMPERATURE_WAIT SENSOR="heater_generic NAME", watched by verify_heater ([verify_heater NAME],
// Klipper's extruder defaults), reported by M105 under its gcode_id, status object
// 'heater_generic NAME' {temperature, target, power}.
import type { ConfigSection } from '../config/section';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import type { PrinterConfig } from '../config/section';
import { loadHeaterSettings } from './extruder';
import { batchHeatersOf } from './heater-batch';
import { heatersOf } from './heaters';
import { HEATER_GENERIC_OPTIONS } from './heater-generic-options';

/** Klipper's heater name: the section's last word ('heater_generic chamber' -> 'chamber'). */
export function heaterGenericName(section: ConfigSection): string {
  return section.name.split(' ').pop()!;
}

export function loadHeaterGeneric(
  printer: Printer,
  gcode: GCodeDispatcher,
  config: PrinterConfig,
  section: ConfigSection,
  live: boolean,
): void {
  const settings = loadHeaterSettings(printer, section);
  const { gcode_id } = section.read(HEATER_GENERIC_OPTIONS);
  const name = heaterGenericName(section);
  if (!live) {
    // Batch mode: targets are checked and remembered; there is no sensor to read.
    batchHeatersOf(printer, gcode).addHeater(name, settings);
    return;
  }
  const heater = heatersOf(printer, gcode, config).addHeater(section, settings, name, gcode_id);
  printer.addObject(section.name, { getStatus: () => heater.getStatus() });
}
