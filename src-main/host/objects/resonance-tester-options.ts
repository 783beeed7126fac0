// [resonance_tester] options (Klipper's names and defaults). Pure data for the catalog.
import { defineOptions } from '../config/options';

export const RESONANCE_TESTER_OPTIONS = defineOptions({
  probe_points: { type: 'string', doc: 'Where to test: one "x, y, z" per line (the first is used)' },
  accel_chip: { type: 'string', optional: true, doc: 'Accelerometer for both axes (e.g. adxl345, or adxl345 NAME)' },
  accel_chip_x: { type: 'string', optional: true, doc: 'Accelerometer for X (default accel_chip)' },
  accel_chip_y: { type: 'string', optional: true, doc: 'Accelerometer for Y (default accel_chip)' },
  min_freq: { type: 'float', default: 5, minval: 1, doc: 'Lowest frequency of the sweep (Hz)' },
  max_freq: { type: 'float', default: 10000 / 75, minval: 1, maxval: 300, doc: 'Highest frequency of the sweep (Hz)' },
  accel_per_hz: { type: 'float', default: 75, above: 0, doc: 'Acceleration of the vibration per Hz (mm/s^2)' },
  hz_per_sec: { type: 'float', default: 1, above: 0, maxval: 100, doc: 'How fast the frequency rises (Hz/s)' },
  max_smoothing: {
    type: 'float',
    optional: true,
    above: 0,
    doc: 'Upper limit of smoothing for the recommended shaper (stored; not applied yet)',
  },
  sweeping_accel: { type: 'float', default: 400, minval: 0, doc: 'Acceleration of the slow sweeping move (stored; not applied yet)' },
  sweeping_period: { type: 'float', default: 1.2, minval: 0, doc: 'Period of the slow sweeping move (s; stored; not applied yet)' },
  move_speed: { type: 'float', default: 50, above: 0, doc: 'Speed of moves to the probe point (mm/s)' },
});
