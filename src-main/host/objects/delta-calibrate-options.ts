// [delta_calibrate] options (Klipper's names and defaults). DELTA_CALIBRATE also keeps its probed
// heights here for SAVE_CONFIG: heightN (mm) and heightN_pos (each carriage's distance below its
// endstop, in steps); DELTA_ANALYZE's distanceN options are read and kept, not used yet.
import { defineOptions } from '../config/options';

export const DELTA_CALIBRATE_OPTIONS = defineOptions({
  radius: { type: 'float', above: 0, doc: 'Radius (mm) of the nozzle positions probed: the centre and six points at this radius' },
  speed: { type: 'float', default: 50, above: 0, doc: 'Travel speed (mm/s) between probe points' },
  horizontal_move_z: { type: 'float', default: 5, doc: 'Z (mm) the probe travels at between points' },
});

/** Options DELTA_CALIBRATE and DELTA_ANALYZE write (numbered: height0, height0_pos, ...). */
export const DELTA_CALIBRATE_SAVED = /^(height\d+(_pos)?|distance\d+(_pos[12])?|manual_height\d+(_distance)?)$/;
