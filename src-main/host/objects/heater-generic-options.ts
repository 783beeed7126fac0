// [heater_generic NAME]'s option beyond [heater_bed]'s (pure data: the config editor's catalog imports it).
import { defineOptions } from '../config/options';

export const HEATER_GENERIC_OPTIONS = defineOptions({
  gcode_id: { type: 'string', optional: true, doc: 'Id of this heater in M105 reports (e.g. C for a chamber)' },
});
