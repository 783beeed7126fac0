// [extruder]: the motion limits of the filament axis (the stepper and heater options are shared
// tables: STEPPER_MOTOR_OPTIONS, HEATER_OPTIONS).
import { defineOptions } from '../config/options';

export const EXTRUDER_OPTIONS = defineOptions({
  nozzle_diameter: { type: 'float', above: 0, doc: 'Nozzle orifice diameter (mm)' },
  filament_diameter: { type: 'float', doc: 'Nominal filament diameter (mm)' },
  max_extrude_cross_section: {
    type: 'float',
    optional: true,
    above: 0,
    doc: 'Largest extrusion cross-section (mm^2); default 4 * nozzle_diameter^2',
  },
  max_extrude_only_velocity: {
    type: 'float',
    optional: true,
    above: 0,
    doc: 'Top speed (mm/s of filament) of extrude-only moves; default from max_velocity',
  },
  max_extrude_only_accel: { type: 'float', optional: true, above: 0, doc: 'Acceleration of extrude-only moves; default from max_accel' },
  max_extrude_only_distance: { type: 'float', default: 50, minval: 0, doc: 'Longest extrude-only move (mm of filament)' },
  instantaneous_corner_velocity: {
    type: 'float',
    default: 1,
    minval: 0,
    doc: 'Instant velocity change (mm/s) of the filament at a corner',
  },
  pressure_advance: { type: 'float', default: 0, minval: 0, doc: 'Pressure advance (s): the extruder runs ahead by this x filament velocity' },
  pressure_advance_smooth_time: { type: 'float', default: 0.04, above: 0, maxval: 0.2, doc: 'Pressure advance smoothing window (s)' },
  min_extrude_temp: { type: 'float', default: 170, minval: -273.15, doc: 'Extrusion is refused below this temperature (C)' },
});
