// [servo NAME]: a hobby servo on a PWM pin (Klipper's options, defaults and limits).
import { defineOptions } from '../config/options';

export const SERVO_OPTIONS = defineOptions({
  pin: { type: 'pin', doc: 'PWM output pin of the servo signal' },
  maximum_servo_angle: { type: 'float', default: 180, above: 0, doc: 'The angle (degrees) maximum_pulse_width gives' },
  minimum_pulse_width: { type: 'float', default: 0.001, above: 0, below: 0.02, doc: 'Pulse width (s) at 0 degrees' },
  maximum_pulse_width: { type: 'float', default: 0.002, above: 0, below: 0.02, doc: 'Pulse width (s) at maximum_servo_angle' },
  initial_angle: { type: 'float', optional: true, minval: 0, maxval: 360, doc: 'Angle (degrees) set at start-up; default: no signal' },
  initial_pulse_width: {
    type: 'float',
    default: 0,
    minval: 0,
    below: 0.02,
    doc: 'Pulse width (s) set at start-up when initial_angle is not set (0 = no signal)',
  },
});
