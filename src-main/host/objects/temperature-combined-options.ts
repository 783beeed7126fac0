// sensor_type: temperature_combined's options (pure data: the config editor's catalog imports it).
import { defineOptions } from '../config/options';

export const TEMPERATURE_COMBINED_OPTIONS = defineOptions({
  sensor_list: {
    type: 'stringList',
    optional: true,
    doc: "temperature_combined: sensors to combine, by section name (e.g. 'temperature_sensor chamber, extruder')",
  },
  combination_method: {
    type: 'choice',
    choices: ['max', 'min', 'mean'],
    optional: true,
    doc: 'temperature_combined: max, min or mean of the sensors',
  },
  maximum_deviation: {
    type: 'float',
    optional: true,
    above: 0,
    doc: 'temperature_combined: largest allowed spread between the sensors (C); e.g. 999.9 to disable',
  },
});
