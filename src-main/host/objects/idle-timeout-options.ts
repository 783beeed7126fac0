// [idle_timeout]: what to do once the printer has sat idle for a while.
import { defineOptions } from '../config/options';

export const IDLE_TIMEOUT_OPTIONS = defineOptions({
  gcode: {
    type: 'string',
    default: 'TURN_OFF_HEATERS\nM84',
    doc: 'Template run when the timeout is reached (default: heaters and motors off)',
  },
  timeout: { type: 'float', default: 600, above: 0, doc: 'Seconds of idleness (no moves, no commands waiting) before the gcode runs' },
});
