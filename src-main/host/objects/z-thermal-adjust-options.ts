// [z_thermal_adjust]: Klipper's options (the sensor's are TEMPERATURE_SENSOR_OPTIONS).
import { defineOptions } from '../config/options';

export const Z_THERMAL_ADJUST_OPTIONS = defineOptions({
  temp_coeff: {
    type: 'float',
    default: 0,
    minval: -1,
    maxval: 1,
    doc: 'Z change per degree of the frame sensor (mm/C); positive raises the nozzle as it warms',
  },
  smooth_time: { type: 'float', default: 2, above: 0, doc: 'Smoothing time of the sensor reading (s)' },
  z_adjust_off_above: { type: 'float', default: 99999999, doc: 'Above this Z (mm) the last adjustment is held' },
  max_z_adjustment: { type: 'float', default: 99999999, above: 0, doc: 'Largest adjustment applied (mm), either way' },
});
