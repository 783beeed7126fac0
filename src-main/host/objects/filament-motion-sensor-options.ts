// [filament_motion_sensor NAME]: an encoder whose switch toggles while filament moves through it
// (Klipper's options; the runout options are the switch sensor's).
import { defineOptions } from '../config/options';
import { FILAMENT_SWITCH_SENSOR_OPTIONS } from './filament-switch-sensor-options';

const { switch_pin, pause_on_runout, runout_gcode, insert_gcode, event_delay, pause_delay } = FILAMENT_SWITCH_SENSOR_OPTIONS;

export const FILAMENT_MOTION_SENSOR_OPTIONS = defineOptions({
  switch_pin: { ...switch_pin, doc: 'Input pin of the encoder switch (toggles as filament moves)' },
  detection_length: {
    type: 'float',
    default: 7.0,
    above: 0,
    doc: 'Filament (mm) the extruder may push without a toggle before it counts as a runout',
  },
  extruder: { type: 'string', doc: 'The extruder this sensor watches (extruder, extruder1, ...)' },
  pause_on_runout,
  runout_gcode,
  insert_gcode,
  event_delay,
  pause_delay,
});
