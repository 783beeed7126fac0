// [extruder_stepper NAME]: one more motor moving filament with an extruder's motion (its motor
// options are the shared STEPPER_MOTOR_OPTIONS).
import { defineOptions } from '../config/options';
import { EXTRUDER_OPTIONS } from './extruder-options';

export const EXTRUDER_STEPPER_OPTIONS = defineOptions({
  extruder: {
    type: 'string',
    doc: 'The extruder ([extruder], [extruder1], ...) whose motion this stepper follows; empty: none until SYNC_EXTRUDER_MOTION',
  },
  // Per stepper, as in Klipper (SET_PRESSURE_ADVANCE EXTRUDER=NAME changes them).
  pressure_advance: EXTRUDER_OPTIONS.pressure_advance,
  pressure_advance_smooth_time: EXTRUDER_OPTIONS.pressure_advance_smooth_time,
});
