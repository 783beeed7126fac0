// [gcode_button NAME]: a push button (or any switch) that runs G-code when pressed or released.
import { defineOptions } from '../config/options';

export const GCODE_BUTTON_OPTIONS = defineOptions({
  pin: { type: 'pin', canInvert: true, canPullup: true, doc: 'Input pin of the button ("^" pull-up, "!" if it reads low when pressed)' },
  analog_range: { type: 'floatList', count: 2, optional: true, doc: 'ADC button (resistance range): not supported yet' },
  analog_pullup_resistor: { type: 'float', default: 4700, above: 0, doc: 'Pull-up (ohms) of an ADC button' },
  press_gcode: { type: 'string', doc: 'Template run when the button is pressed' },
  release_gcode: { type: 'string', default: '', doc: 'Template run when the button is released' },
  debounce_delay: { type: 'float', default: 0, minval: 0, doc: 'Seconds the button must hold a new state before it counts' },
});
