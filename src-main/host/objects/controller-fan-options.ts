// [controller_fan NAME]: the fan options of [fan] plus when it runs.
import { defineOptions } from '../config/options';

export const CONTROLLER_FAN_OPTIONS = defineOptions({
  fan_speed: { type: 'float', default: 1, minval: 0, maxval: 1, doc: 'Speed (0..1) while a stepper or heater is on' },
  idle_timeout: {
    type: 'int',
    default: 30,
    minval: 0,
    doc: 'Seconds the fan keeps running (at idle_speed) after steppers and heaters are off',
  },
  idle_speed: { type: 'float', optional: true, minval: 0, maxval: 1, doc: 'Speed (0..1) during idle_timeout; default fan_speed' },
  heater: { type: 'stringList', default: ['extruder'], doc: 'Heaters whose target turns the fan on' },
  stepper: { type: 'stringList', optional: true, doc: 'Steppers whose enable turns the fan on; default every stepper' },
});
