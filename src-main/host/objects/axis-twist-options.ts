// [axis_twist_compensation] options (Klipper's names and defaults): where to calibrate along X
// (and optionally Y), and the compensations AXIS_TWIST_COMPENSATION_CALIBRATE saves.
import { defineOptions } from '../config/options';

export const AXIS_TWIST_OPTIONS = defineOptions({
  horizontal_move_z: { type: 'float', default: 5, doc: 'Z (mm) the toolhead travels at between calibration points' },
  speed: { type: 'float', default: 50, above: 0, doc: 'Travel speed (mm/s) between calibration points' },
  calibrate_start_x: { type: 'float', doc: 'X (mm, nozzle) of the first calibration point along X' },
  calibrate_end_x: { type: 'float', doc: 'X (mm, nozzle) of the last calibration point along X' },
  calibrate_y: { type: 'float', doc: 'Y (mm, nozzle) of the calibration points along X' },
  z_compensations: { type: 'string', optional: true, doc: 'Probe corrections (mm) along X, comma separated (written by the calibration)' },
  compensation_start_x: { type: 'float', optional: true, doc: 'X (mm) of the first z_compensations value' },
  compensation_end_x: { type: 'float', optional: true, doc: 'X (mm) of the last z_compensations value' },
  calibrate_start_y: { type: 'float', optional: true, doc: 'Y (mm, nozzle) of the first calibration point along Y (AXIS=Y)' },
  calibrate_end_y: { type: 'float', optional: true, doc: 'Y (mm, nozzle) of the last calibration point along Y' },
  calibrate_x: { type: 'float', optional: true, doc: 'X (mm, nozzle) of the calibration points along Y' },
  zy_compensations: { type: 'string', optional: true, doc: 'Probe corrections (mm) along Y, comma separated (written by the calibration)' },
  compensation_start_y: { type: 'float', optional: true, doc: 'Y (mm) of the first zy_compensations value' },
  compensation_end_y: { type: 'float', optional: true, doc: 'Y (mm) of the last zy_compensations value' },
});
