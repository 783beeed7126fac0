// [firmware_retraction]: G10/G11 retract and unretract with these lengths and speeds (Klipper's
// option names and defaults).
import { defineOptions } from '../config/options';

export const FIRMWARE_RETRACTION_OPTIONS = defineOptions({
  retract_length: { type: 'float', default: 0, minval: 0, doc: 'Filament (mm) G10 pulls back' },
  retract_speed: { type: 'float', default: 20, minval: 1, doc: 'Speed (mm/s) of the G10 retraction' },
  unretract_extra_length: { type: 'float', default: 0, minval: 0, doc: 'Extra filament (mm) G11 pushes beyond the retraction' },
  unretract_speed: { type: 'float', default: 10, minval: 1, doc: 'Speed (mm/s) of the G11 unretraction' },
});
