// [extruder], [extruder1], ...: an extruder's stepper and its motion limits, plus the heater
// options (the heaters object builds the heater). [extruder] is active at start; ACTIVATE_EXTRUDER
// (multi-extruder.ts) switches. Extrusion needs min_extrude_temp, which only batch mode may skip
// (as Klipper's debug output does), since there is no heater to read yet.
import type { ConfigSection } from '../config/section';
import { ExtruderMotion, type Toolhead } from '../motion/index';
import type { Printer } from '../printer';
import { EXTRUDER_OPTIONS } from './extruder-options';
import { HEATER_OPTIONS } from './heater-options';
import { loadStepper, type PrinterStepper } from './stepper';
import { STEPPER_MOTOR_OPTIONS } from './stepper-options';
import { ExtruderStepper, allExtruderSteppers, lookupExtruder, lookupExtruderStepper } from './extruder-stepper';
import { registerActivateExtruder } from './multi-extruder';
import type { GCodeMove } from './gcode-move';
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
  /** 'extruder', 'extruder1', ... */
  readonly name: string;
  readonly stepper: PrinterStepper | null;
  /** Its stepper as an extruder stepper (rotation distance, sync, per-stepper pressure advance). */
  readonly extruderStepper: ExtruderStepper | null;
  readonly motion: ExtruderMotion;
  readonly heater: HeaterSettings;
  readonly settings: OptionValues<typeof EXTRUDER_OPTIONS>;
  /** Set by the heater (live printers): the nozzle is hot enough to extrude. */
  heaterCanExtrude: (() => boolean) | null = null;

  constructor(
    private readonly printer: Printer,
    section: ConfigSection,
    opts: { allowColdExtrude: boolean },
  ) {
    this.name = section.name;
    if (section.has('shared_heater')) {
      throw section.error(
        'shared_heater',
        `Option 'shared_heater' in section '${section.name}' was removed from Klipper: give this extruder its own heater_pin and sensor, ` +
          'or, for several motors feeding one hotend, use [extruder_stepper NAME] with SYNC_EXTRUDER_MOTION',
      );
    }
    this.stepper = section.has('step_pin') ? loadStepper(printer, section) : null;
    const e = section.read(EXTRUDER_OPTIONS);
    if (e.filament_diameter < e.nozzle_diameter) {
      throw section.error(
        'filament_diameter',
        `Option 'filament_diameter' in section '${section.name}' must have minimum of ${e.nozzle_diameter} (nozzle_diameter)`,
      );
    }
    this.settings = e;
    this.heater = loadHeaterSettings(printer, section);
    const minTemp = e.min_extrude_temp;
    const toolhead = printer.lookupObject<Toolhead>('toolhead');
    this.motion = new ExtruderMotion(
      {
        name: section.name,
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
    this.extruderStepper = this.stepper
      ? new ExtruderStepper(printer, section.name, this.stepper, section.read(STEPPER_MOTOR_OPTIONS).rotation_distance, e)
      : null;
    if (this.extruderStepper) this.extruderStepper.motionQueue = section.name;
    // Pressure advance (per stepper, as in Klipper): SET_PRESSURE_ADVANCE changes it later.
    if (this.stepper) this.motion.setPressureAdvance(this.stepper.motion, e.pressure_advance, e.pressure_advance_smooth_time, toolhead);
    registerSetPressureAdvance(printer);
    // Only [extruder] starts active; the others wait for ACTIVATE_EXTRUDER.
    if (section.name === 'extruder') toolhead.setExtruder(this.motion);
    registerActivateExtruder(printer, printer.lookupObject<GCodeMove>('gcode_move').dispatcher);
  }

  /** printer.extruderN (and printer.extruder): the heater's fields, can_extrude, the stepper's settings. */
  getStatus(): Record<string, unknown> {
    const heaters = this.printer.lookupObjectOrNull<{
      heaters: Map<string, { getStatus?(): Record<string, unknown>; targetC?: number }>;
    }>('heaters');
    const h = heaters?.heaters.get(this.name);
    const heater = h?.getStatus ? h.getStatus() : { temperature: 0, target: h?.targetC ?? 0, power: 0 };
    return {
      ...heater,
      can_extrude: this.heaterCanExtrude ? this.heaterCanExtrude() : true,
      ...(this.extruderStepper?.getStatus() ?? {}),
    };
  }
}

/**
 * SET_PRESSURE_ADVANCE [EXTRUDER=<stepper>] [ADVANCE=<s>] [SMOOTH_TIME=<s>]: the active
 * extruder's stepper by default; unchanged values keep their setting. Answers as Klipper does.
 */
function registerSetPressureAdvance(printer: Printer): void {
  const gcode = printer.lookupObject<GCodeMove>('gcode_move').dispatcher;
  if (gcode.lookup('SET_PRESSURE_ADVANCE')) return;
  gcode.register(
    'SET_PRESSURE_ADVANCE',
    (c) => {
      const th = printer.lookupObject<Toolhead>('toolhead');
      let es: ExtruderStepper | null;
      if (c.has('EXTRUDER')) {
        const name = c.get('EXTRUDER');
        es = lookupExtruderStepper(printer, name) ?? lookupExtruderStepper(printer, name.toLowerCase());
        if (!es) {
          const names = allExtruderSteppers(printer).map((x) => x.name);
          throw c.error(`The value '${name}' is not valid for EXTRUDER (extruder steppers: ${names.join(', ') || 'none'})`);
        }
      } else {
        const active = th.getExtruder();
        es = active ? (lookupExtruder(printer, active.name)?.extruderStepper ?? null) : null;
        if (!es) throw c.error('No active extruder stepper: name one with EXTRUDER=');
      }
      const advanceS = c.getFloat('ADVANCE', es.pressureAdvance, { minval: 0 });
      const smoothTimeS = c.getFloat('SMOOTH_TIME', es.smoothTimeS, { above: 0, maxval: 0.2 });
      const queue = es.motionQueue ? lookupExtruder(printer, es.motionQueue) : null;
      const motion = es.stepper.motion;
      if (queue) queue.motion.setPressureAdvance(motion, advanceS, smoothTimeS, th);
      else motion.pressureAdvance = { advanceS, smoothTimeS };
      es.pressureAdvance = advanceS;
      es.smoothTimeS = smoothTimeS;
      gcode.respondInfo(`pressure_advance: ${advanceS.toFixed(6)}\npressure_advance_smooth_time: ${smoothTimeS.toFixed(6)}`);
    },
    {
      help: 'Set pressure advance parameters',
      params: {
        EXTRUDER: 'extruder stepper (extruder, extruder1, NAME); default: the active extruder',
        ADVANCE: 'pressure_advance (s)',
        SMOOTH_TIME: 'pressure_advance_smooth_time (s, above 0, at most 0.2)',
      },
    },
  );
}
