// [static_pwm_clock NAME]'s options (pure data: the config editor's catalog imports it).
import { defineOptions } from '../config/options';

export const STATIC_PWM_CLOCK_OPTIONS = defineOptions({
  pin: { type: 'pin', doc: 'Hardware-PWM pin giving the clock signal' },
  frequency: { type: 'float', default: 100, above: 0, doc: 'Clock frequency (Hz)' },
});
