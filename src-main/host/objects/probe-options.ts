// [probe]: a Z probe's switch, offsets and sampling (Klipper's names, defaults and limits).
import { defineOptions } from '../config/options';

/** What every Z probe shares ([probe], [bltouch]): offsets and sampling. */
export const PROBE_SAMPLE_OPTIONS = defineOptions({
  x_offset: { type: 'float', default: 0, doc: 'X distance (mm) from the nozzle to the probe' },
  y_offset: { type: 'float', default: 0, doc: 'Y distance (mm) from the nozzle to the probe' },
  z_offset: { type: 'float', doc: 'Nozzle height (mm) above the bed when the probe triggers' },
  speed: { type: 'float', default: 5, above: 0, doc: 'Speed (mm/s) of the Z move while probing' },
  samples: { type: 'int', default: 1, minval: 1, doc: 'Times to probe each point' },
  sample_retract_dist: { type: 'float', default: 2, above: 0, doc: 'Lift (mm) between samples' },
  lift_speed: { type: 'float', optional: true, above: 0, doc: 'Speed (mm/s) of the lift between samples; default speed' },
  samples_result: { type: 'choice', choices: ['average', 'median'], default: 'average', doc: 'How the samples are combined' },
  samples_tolerance: { type: 'float', default: 0.1, minval: 0, doc: 'Largest spread (mm) of the samples of one point' },
  samples_tolerance_retries: { type: 'int', default: 0, minval: 0, doc: 'Times to probe a point again when its samples spread too far' },
});

export const PROBE_OPTIONS = defineOptions({
  pin: { type: 'pin', canInvert: true, canPullup: true, doc: 'The probe switch ("^" pull-up, "!" inverted); NAME:PIN for another MCU' },
  deactivate_on_each_sample: {
    type: 'boolean',
    default: true,
    doc: 'Run deactivate_gcode/activate_gcode between the samples of one probe (False: once around all of them)',
  },
  ...PROBE_SAMPLE_OPTIONS,
  activate_gcode: { type: 'string', default: '', doc: 'G-code template run before each probe attempt (deploy the probe)' },
  deactivate_gcode: { type: 'string', default: '', doc: 'G-code template run after each probe attempt (stow the probe)' },
});
