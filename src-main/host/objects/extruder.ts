// [extruder]: the extruder stepper and its motion limits, plus the heater options stored for the
// heater task. Extrusion needs min_extrude_temp, which only batch mode may skip (as Klipper's
// debug output does), since there is no heater to read yet.
import type { ConfigSection } from '../config/section';
import { ExtruderMotion, type Toolhead } from '../motion/index';
import type { Printer } from '../printer';
import { EXTRUDER_OPTIONS } from './extruder-options';
import { HEATER_OPTIONS } from './heater-options';
import { loadStepper, type PrinterStepper } from './stepper';
import type { OptionValues } from '../config/options';
import type { PinRegistry } from './pins';
import { isMcuChip } from './mcu';

export type HeaterSettings = OptionValues<typeof HEATER_OPTIONS>;

/** Reads and checks the heater options; the heater task will build the heater from them. */
export function loadHeaterSettings(printer: Printer, section: ConfigSection): HeaterSettings {
  const h = section.read(HEATER_OPTIONS);
  if (h.max_temp <= h.min_temp)
    throw section.error('max_temp', `Option 'max_temp' in section '${section.name}' must be above ${h.min_temp} (min_temp)`);
  if (h.control === 'pid') {
    for (const k of ['pid_kp', 'pid_ki', 'pid_kd'] as const) {
      if (h[k] === undefined) throw section.error(k, `Option '${k}' in section '${section.name}' must be specified (control: pid)`);
    }
  }
  const pins = printer.lookupObject<PinRegistry>('pins');
  pins.claim(h.heater_pin, `[${section.name}] heater_pin`, section.placeOf('heater_pin'));
  if (h.sensor_pin && isMcuChip(printer, h.sensor_pin.chip))
    pins.claim(h.sensor_pin, `[${section.name}] sensor_pin`, section.placeOf('sensor_pin'));
  return h;
}

export class PrinterExtruder {
  readonly stepper: PrinterStepper | null;
  readonly motion: ExtruderMotion;
  readonly heater: HeaterSettings;
  readonly settings: OptionValues<typeof EXTRUDER_OPTIONS>;
  /** Set by the heater (live printers): the nozzle is hot enough to extrude. */
  heaterCanExtrude: (() => boolean) | null = null;

  constructor(printer: Printer, section: ConfigSection, opts: { allowColdExtrude: boolean }) {
    this.stepper = section.has('step_pin') ? loadStepper(printer, section) : null;
    const e = section.read(EXTRUDER_OPTIONS);
    if (e.filament_diameter < e.nozzle_diameter) {
      throw section.error(
        'filament_diameter',
        `Option 'filament_diameter' in section '${section.name}' must have minimum of ${e.nozzle_diameter} (nozzle_diameter)`,
      );
    }
    if (e.pressure_advance > 0) {
      throw section.error('pressure_advance', 'pressure_advance is not supported yet: set it to 0 (or remove it) for now');
    }
    this.settings = e;
    this.heater = loadHeaterSettings(printer, section);
    const minTemp = e.min_extrude_temp;
    const toolhead = printer.lookupObject<Toolhead>('toolhead');
    this.motion = new ExtruderMotion(
      {
        stepper: this.stepper?.motion ?? null,
        nozzleDiameterMm: e.nozzle_diameter,
        filamentDiameterMm: e.filament_diameter,
        maxExtrudeCrossSectionMm2: e.max_extrude_cross_section,
        maxExtrudeOnlyVelocityMmS: e.max_extrude_only_velocity,
        maxExtrudeOnlyAccelMmS2: e.max_extrude_only_accel,
        maxExtrudeOnlyDistanceMm: e.max_extrude_only_distance,
        instantaneousCornerVelocityMmS: e.instantaneous_corner_velocity,
        // No heater yet: the temperature is unknown, so only batch mode or min_extrude_temp <= 0 extrude.
        canExtrude: () => opts.allowColdExtrude || minTemp <= 0 || (this.heaterCanExtrude?.() ?? false),
      },
      toolhead.getVelocityLimits(),
    );
    toolhead.setExtruder(this.motion);
  }
}
