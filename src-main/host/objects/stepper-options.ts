// The options of a stepper's motion part ([stepper_x], the stepper half of [extruder]), shared so
// both sections read and document them the same way.
import { defineOptions } from '../config/options';

export const STEPPER_MOTOR_OPTIONS = defineOptions({
  step_pin: { type: 'pin', canInvert: true, doc: 'Step GPIO pin (triggered high; "!" for active low)' },
  dir_pin: { type: 'pin', canInvert: true, doc: 'Direction GPIO pin ("!" reverses the direction)' },
  enable_pin: { type: 'pin', canInvert: true, optional: true, doc: 'Enable pin ("!" when active low, as on most drivers)' },
  microsteps: { type: 'int', minval: 1, doc: 'Microsteps the driver uses' },
  rotation_distance: { type: 'float', above: 0, doc: 'Distance (mm) the axis travels per full motor rotation' },
  full_steps_per_rotation: { type: 'int', default: 200, minval: 1, doc: 'Full steps per motor rotation (200 for 1.8 degree motors)' },
  gear_ratio: { type: 'string', default: '', doc: 'Gear ratios like "57:11, 2:1" when a gearbox sits between motor and axis' },
  step_pulse_duration: {
    type: 'float',
    optional: true,
    above: 0,
    maxval: 0.001,
    doc: 'Minimum step pulse time (s); default 2 us (100 ns for TMC drivers in step-both-edge mode)',
  },
});

/** Travel range of a cartesian-style rail (delta towers have none). */
export const RAIL_RANGE_OPTIONS = defineOptions({
  position_min: { type: 'float', default: 0, doc: 'Lowest position (mm) a move may reach' },
  position_max: { type: 'float', doc: 'Highest position (mm) a move may reach' },
});

/** Endstop and homing options of a rail; stored now for the homing task. */
export const RAIL_OPTIONS = defineOptions({
  endstop_pin: { type: 'pin', canInvert: true, canPullup: true, doc: 'Endstop switch pin ("^" pull-up, "!" inverted)' },
  position_endstop: { type: 'float', optional: true, doc: 'Axis position (mm) of the endstop' },
  homing_speed: { type: 'float', default: 5, above: 0, doc: 'Homing speed (mm/s)' },
  second_homing_speed: {
    type: 'float',
    optional: true,
    above: 0,
    doc: 'Speed of the second, slower homing approach (mm/s); default homing_speed/2',
  },
  homing_retract_speed: {
    type: 'float',
    optional: true,
    above: 0,
    doc: 'Speed of the retract after the first homing approach; default homing_speed',
  },
  homing_retract_dist: {
    type: 'float',
    default: 5,
    minval: 0,
    doc: 'Distance (mm) to back off before the second approach (0 disables it)',
  },
  homing_positive_dir: { type: 'boolean', optional: true, doc: 'Home towards position_max; default from position_endstop' },
});

/**
 * An extra stepper of a rail ([stepper_z1], [stepper_x1]): motor options plus an optional own
 * endstop. Range and homing options are the main stepper's (Klipper rejects them here).
 */
export const EXTRA_STEPPER_OPTIONS = defineOptions({
  endstop_pin: {
    type: 'pin',
    canInvert: true,
    canPullup: true,
    optional: true,
    doc: "This motor's own endstop (self-squaring gantry, dual Z endstops); default: it stops on the main stepper's endstop",
  },
});
