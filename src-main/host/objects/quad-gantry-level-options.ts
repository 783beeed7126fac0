// [quad_gantry_level] options (Klipper's names and defaults). gantry_corners and points are read
// with readPoints (one "x, y" per line).
import { defineOptions } from '../config/options';

export const QUAD_GANTRY_LEVEL_OPTIONS = defineOptions({
  gantry_corners: {
    type: 'string',
    doc: 'X, Y of two opposite gantry corners, one per line: the first where stepper_z is (front left), the second where stepper_z2 is (back right)',
  },
  points: {
    type: 'string',
    doc: 'Four X, Y nozzle positions to probe, one per line, in the order of stepper_z, z1, z2, z3 (front left, back left, back right, front right)',
  },
  speed: { type: 'float', default: 50, above: 0, doc: 'Travel speed (mm/s) between probe points' },
  horizontal_move_z: { type: 'float', default: 5, doc: 'Z (mm) the probe travels at between points' },
  retries: { type: 'int', default: 0, minval: 0, doc: 'Extra probe-and-adjust rounds while the probed range exceeds retry_tolerance' },
  retry_tolerance: { type: 'float', default: 0, minval: 0, doc: 'Probed height range (mm) that ends the retries' },
  max_adjust: { type: 'float', default: 4, above: 0, doc: 'Largest correction (mm) of one motor from the average; more is an error' },
});
