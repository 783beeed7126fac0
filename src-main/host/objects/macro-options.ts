// Option tables of the macro sections ([gcode_macro], [delayed_gcode]); variable_* options are
// free-form (any name after the prefix) and read by the object itself.
import { defineOptions } from '../config/options';

export const GCODE_MACRO_OPTIONS = defineOptions({
  gcode: { type: 'string', doc: 'The template run when the macro is called (Klipper template language)' },
  description: { type: 'string', default: 'G-Code macro', doc: 'Help text shown by HELP' },
  rename_existing: { type: 'string', optional: true, doc: 'Keep an existing command under this new name; the macro replaces it' },
});

export const DELAYED_GCODE_OPTIONS = defineOptions({
  gcode: { type: 'string', doc: 'The template run when the timer fires' },
  initial_duration: { type: 'float', default: 0, minval: 0, doc: 'Seconds after ready before the first run (0 = only via UPDATE_DELAYED_GCODE)' },
});

export const VIRTUAL_SDCARD_OPTIONS = defineOptions({
  path: { type: 'string', doc: 'Folder holding the G-code files (~ is the home folder)' },
  on_error_gcode: { type: 'string', default: '', doc: 'Template run when a print stops on an error' },
});

export const PAUSE_RESUME_OPTIONS = defineOptions({
  recover_velocity: { type: 'float', default: 50, above: 0, doc: 'Speed (mm/s) of the move back to the paused position on RESUME' },
});

export const EMPTY_OPTIONS = defineOptions({});

/** [virtual_printer]: the serial port for G-code senders (src-main/server/virtual-printer). */
export const VIRTUAL_PRINTER_OPTIONS = defineOptions({
  serial: { type: 'string', doc: 'Path of the pseudo-terminal a G-code sender opens, e.g. /tmp/printer (needs socat)' },
});
