// [dual_carriage]: a second, independent carriage on X or Y (IDEX). Its motor, range and endstop
// options are a stepper's (STEPPER_MOTOR_OPTIONS, RAIL_RANGE_OPTIONS, RAIL_OPTIONS); these are its own.
import { defineOptions } from '../config/options';

export const DUAL_CARRIAGE_OPTIONS = defineOptions({
  axis: { type: 'choice', choices: ['x', 'y'], doc: 'The axis the second carriage moves along (x or y)' },
  safe_distance: {
    type: 'float',
    optional: true,
    minval: 0,
    doc: 'Closest (mm) the carriages may come: moves nearer are refused; default from the two ranges, 0 disables the check',
  },
});
