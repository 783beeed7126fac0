// [skew_correction NAME] profile options (written by SKEW_PROFILE SAVE); [skew_correction] itself has none.
import { defineOptions } from '../config/options';

export const SKEW_PROFILE_OPTIONS = defineOptions({
  xy_skew: { type: 'float', doc: 'XY skew factor of this profile (written by SKEW_PROFILE SAVE)' },
  xz_skew: { type: 'float', doc: 'XZ skew factor of this profile' },
  yz_skew: { type: 'float', doc: 'YZ skew factor of this profile' },
});
