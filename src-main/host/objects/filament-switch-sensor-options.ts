// [filament_switch_sensor NAME]: a switch that reads "filament present" while filament passes it.
import { defineOptions } from '../config/options';

export const FILAMENT_SWITCH_SENSOR_OPTIONS = defineOptions({
  switch_pin: {
    type: 'pin',
    canInvert: true,
    canPullup: true,
    doc: 'Input pin of the switch ("^" pull-up, "!" if it reads low with filament)',
  },
  pause_on_runout: { type: 'boolean', default: true, doc: 'PAUSE the print when the filament runs out (before runout_gcode)' },
  runout_gcode: { type: 'string', optional: true, doc: 'Template run when the filament runs out during a print' },
  insert_gcode: { type: 'string', optional: true, doc: 'Template run when filament is inserted while not printing' },
  event_delay: {
    type: 'float',
    default: 3.0,
    above: 0,
    doc: 'Seconds after a runout/insert event during which further events are ignored',
  },
  pause_delay: { type: 'float', default: 0.5, above: 0, doc: 'Seconds between pausing and running runout_gcode' },
  debounce_delay: { type: 'float', default: 0, minval: 0, doc: 'Seconds the switch must hold a new state before it counts' },
});
