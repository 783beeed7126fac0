// [save_variables]: where SAVE_VARIABLE keeps its values (Klipper's option).
import { defineOptions } from '../config/options';

export const SAVE_VARIABLES_OPTIONS = defineOptions({
  filename: {
    type: 'string',
    doc: 'File holding the saved variables (~ is the home folder; relative to printer.cfg), e.g. ~/variables.cfg',
  },
});
