// [manual_stepper NAME]: a stepper moved only by MANUAL_STEPPER commands (Klipper's options;
// the motor options are every stepper's, STEPPER_MOTOR_OPTIONS).
import { defineOptions } from '../config/options';

export const MANUAL_STEPPER_OPTIONS = defineOptions({
  velocity: { type: 'float', default: 5, above: 0, doc: 'Default speed (mm/s) of MANUAL_STEPPER moves' },
  accel: { type: 'float', default: 0, minval: 0, doc: 'Default acceleration (mm/s^2) of its moves (0 = none)' },
  endstop_pin: {
    type: 'pin',
    canInvert: true,
    canPullup: true,
    optional: true,
    doc: 'Endstop switch for MANUAL_STEPPER ... STOP_ON_ENDSTOP= moves',
  },
  position_min: { type: 'float', optional: true, doc: 'Lowest position (mm) MOVE may reach (default: no limit)' },
  position_max: { type: 'float', optional: true, doc: 'Highest position (mm) MOVE may reach (default: no limit)' },
});
