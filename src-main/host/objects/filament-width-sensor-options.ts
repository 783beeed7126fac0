// [hall_filament_width_sensor] and [tsl1401cl_filament_width_sensor]: Klipper's options.
import { defineOptions } from '../config/options';
import { FILAMENT_SWITCH_SENSOR_OPTIONS as SWITCH } from './filament-switch-sensor-options';

/** What both sensors share: the nominal diameter and how flow follows the measurement. */
export const FILAMENT_WIDTH_OPTIONS = defineOptions({
  default_nominal_filament_diameter: { type: 'float', above: 1, doc: 'The filament diameter the slicer assumed (mm), e.g. 1.75' },
  max_difference: {
    type: 'float',
    default: 0.2,
    above: 0,
    doc: 'A measurement further than this from nominal (mm) is ignored (flow back to 100%)',
  },
  measurement_delay: { type: 'float', default: 70, above: 0, doc: 'Filament path from the sensor to the melt zone (mm)' },
});

export const TSL1401CL_OPTIONS = defineOptions({
  pin: { type: 'pin', doc: 'ADC pin of the sensor (its output reads 5 mm at full scale)' },
});

export const HALL_FILAMENT_WIDTH_OPTIONS = defineOptions({
  adc1: { type: 'pin', doc: 'First hall sensor ADC pin' },
  adc2: { type: 'pin', doc: 'Second hall sensor ADC pin' },
  cal_dia1: { type: 'float', default: 1.5, doc: 'Calibration rod 1 diameter (mm)' },
  cal_dia2: { type: 'float', default: 2.0, doc: 'Calibration rod 2 diameter (mm)' },
  raw_dia1: { type: 'int', default: 9500, doc: 'RAW reading with rod 1 (QUERY_RAW_FILAMENT_WIDTH)' },
  raw_dia2: { type: 'int', default: 10500, doc: 'RAW reading with rod 2' },
  enable: { type: 'boolean', default: false, doc: 'Flow compensation on at start' },
  measurement_interval: { type: 'float', default: 10, above: 0, doc: 'Filament between two kept measurements (mm)' },
  logging: { type: 'boolean', default: false, doc: 'Report each kept diameter in the console' },
  min_diameter: { type: 'float', default: 1.0, doc: 'Below this (mm) the filament counts as run out (no flow change)' },
  use_current_dia_while_delay: {
    type: 'boolean',
    default: false,
    doc: 'Use the latest diameter until the first measurement reaches the nozzle',
  },
});

/** The hall sensor's runout check (filament below min_diameter counts as run out): a switch sensor's. */
export const HALL_RUNOUT_OPTIONS = defineOptions({
  pause_on_runout: SWITCH.pause_on_runout,
  runout_gcode: SWITCH.runout_gcode,
  insert_gcode: SWITCH.insert_gcode,
  event_delay: SWITCH.event_delay,
  pause_delay: SWITCH.pause_delay,
});
