// Options of [virtual_printer] (virtual-printer-section.ts). Pure data: the option catalog, which
// the config editor imports in the renderer, reads it.
import { defineOptions } from '../../host/config/options';

export const VIRTUAL_PRINTER_OPTIONS = defineOptions({
  serial: { type: 'string', doc: 'Path of the pseudo-terminal a G-code sender opens, e.g. /tmp/printer (needs socat)' },
});
