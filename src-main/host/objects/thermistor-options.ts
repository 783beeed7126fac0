// [thermistor NAME]: a custom thermistor, then usable as sensor_type: NAME.
import { defineOptions } from '../config/options';

export const THERMISTOR_OPTIONS = defineOptions({
  temperature1: { type: 'float', minval: -273.15, doc: 'Temperature (C) of the first calibration point' },
  resistance1: { type: 'float', minval: 0, doc: 'Resistance (ohms) at temperature1' },
  beta: { type: 'float', optional: true, above: 0, doc: 'Beta of the thermistor (instead of points 2 and 3)' },
  temperature2: { type: 'float', optional: true, minval: -273.15, doc: 'Temperature (C) of the second point' },
  resistance2: { type: 'float', optional: true, minval: 0, doc: 'Resistance (ohms) at temperature2' },
  temperature3: { type: 'float', optional: true, minval: -273.15, doc: 'Temperature (C) of the third point' },
  resistance3: { type: 'float', optional: true, minval: 0, doc: 'Resistance (ohms) at temperature3' },
});
