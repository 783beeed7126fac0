// [homing_heaters]'s options (pure data: the config editor's catalog imports it).
import { defineOptions } from '../config/options';

export const HOMING_HEATERS_OPTIONS = defineOptions({
  steppers: { type: 'stringList', optional: true, doc: 'Steppers whose homing/probing moves turn heaters off; default any move' },
  heaters: { type: 'stringList', optional: true, doc: 'Heaters turned off during those moves; default all' },
});
