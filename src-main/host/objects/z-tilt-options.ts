// [z_tilt] options (Klipper's names and defaults). z_positions and points are read with
// readPoints (one "x, y" per line).
import { defineOptions } from '../config/options';

export const Z_TILT_OPTIONS = defineOptions({
  z_positions: {
    type: 'string',
    doc: "X, Y of each Z motor's pivot, one per line, in the order stepper_z, stepper_z1, ... (one per Z stepper)",
  },
  points: { type: 'string', doc: 'X, Y nozzle positions to probe, one per line (at least 3)' },
  speed: { type: 'float', default: 50, above: 0, doc: 'Travel speed (mm/s) between probe points' },
  horizontal_move_z: { type: 'float', default: 5, doc: 'Z (mm) the probe travels at between points' },
  retries: { type: 'int', default: 0, minval: 0, doc: 'Extra probe-and-adjust rounds while the probed range exceeds retry_tolerance' },
  retry_tolerance: { type: 'float', default: 0, minval: 0, doc: 'Probed height range (mm) that ends the retries' },
});
