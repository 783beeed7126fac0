// [pwm_cycle_time NAME]'s options (pure data: the config editor's catalog imports it).
import { defineOptions } from '../config/options';

export const PWM_CYCLE_TIME_OPTIONS = defineOptions({
  pin: { type: 'pin', canInvert: true, doc: 'The output pin' },
  value: { type: 'float', default: 0, minval: 0, doc: 'Value at start-up (0..scale)' },
  shutdown_value: { type: 'float', default: 0, minval: 0, doc: 'Value when the MCU shuts down' },
  cycle_time: { type: 'float', default: 0.1, above: 0, doc: 'PWM period (s); SET_PIN CYCLE_TIME= changes it' },
  scale: { type: 'float', default: 1, above: 0, doc: 'SET_PIN VALUE scale' },
});
