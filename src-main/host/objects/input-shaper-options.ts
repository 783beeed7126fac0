// [input_shaper] options (Klipper's names and defaults). Pure data for the catalog.
import { defineOptions } from '../config/options';

/** The shaper names motion/input-shaper.ts knows (SHAPER_TYPES) plus custom; listed here so the
 * catalog stays pure data. */
export const INPUT_SHAPER_CHOICES = ['zv', 'mzv', 'zvd', 'ei', '2hump_ei', '3hump_ei', 'custom'] as const;

export const INPUT_SHAPER_OPTIONS = defineOptions({
  shaper_freq_x: { type: 'float', default: 0, minval: 0, doc: 'X resonance frequency (Hz) the shaper cancels; 0 = X not shaped' },
  shaper_freq_y: { type: 'float', default: 0, minval: 0, doc: 'Y resonance frequency (Hz) the shaper cancels; 0 = Y not shaped' },
  shaper_type: {
    type: 'choice',
    choices: INPUT_SHAPER_CHOICES,
    default: 'mzv',
    doc: 'Shaper for both axes (zv, mzv, zvd, ei, 2hump_ei, 3hump_ei, custom)',
  },
  shaper_type_x: { type: 'choice', choices: INPUT_SHAPER_CHOICES, optional: true, doc: 'Shaper for X; default shaper_type' },
  shaper_type_y: { type: 'choice', choices: INPUT_SHAPER_CHOICES, optional: true, doc: 'Shaper for Y; default shaper_type' },
  damping_ratio_x: { type: 'float', default: 0.1, minval: 0, below: 1, doc: 'Damping ratio of the X resonance' },
  damping_ratio_y: { type: 'float', default: 0.1, minval: 0, below: 1, doc: 'Damping ratio of the Y resonance' },
  shaper_a_x: { type: 'floatList', optional: true, above: 0, doc: 'custom: X pulse amplitudes (comma list)' },
  shaper_t_x: { type: 'floatList', optional: true, minval: 0, doc: 'custom: X pulse times (s, comma list, ascending)' },
  shaper_a_y: { type: 'floatList', optional: true, above: 0, doc: 'custom: Y pulse amplitudes (comma list)' },
  shaper_t_y: { type: 'floatList', optional: true, minval: 0, doc: 'custom: Y pulse times (s, comma list, ascending)' },
});
