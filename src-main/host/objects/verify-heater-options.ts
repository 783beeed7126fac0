// [verify_heater NAME]: how fast a heater must warm up and how far it may stray from its target.
import { defineOptions } from '../config/options';

export const VERIFY_HEATER_OPTIONS = defineOptions({
  max_error: { type: 'float', default: 120, above: 0, doc: 'Accumulated degrees-seconds below target before a fault' },
  check_gain_time: {
    type: 'float',
    optional: true,
    minval: 1,
    doc: 'Seconds the heater has to gain heating_gain degrees; default 20 (60 for the bed)',
  },
  hysteresis: { type: 'float', default: 5, minval: 0, doc: 'Degrees around the target counted as "at target"' },
  heating_gain: { type: 'float', default: 2, above: 0, doc: 'Degrees the heater must gain within check_gain_time while heating' },
});
