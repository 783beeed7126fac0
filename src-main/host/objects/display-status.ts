// 'display_status': the M117 message and M73 progress (the file's own progress when it sends
// M73, else virtual_sdcard's byte position).
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer, PrinterObject } from '../printer';

export class DisplayStatus implements PrinterObject {
  message: string | null = null;
  private progressM73: number | null = null;

  constructor(
    private readonly printer: Printer,
    gcode: GCodeDispatcher,
  ) {
    gcode.register('M117', (c) => void (this.message = c.rawParams.trim() || null), { help: 'Show a message on the display' });
    gcode.register('M73', (c) => void (this.progressM73 = c.has('P') ? c.getFloat('P', 0, { minval: 0, maxval: 100 }) / 100 : null), {
      help: 'Set the print progress (P percent)',
    });
    gcode.register('SET_DISPLAY_TEXT', (c) => void (this.message = c.has('MSG') ? c.get('MSG') : null), {
      help: 'Set or clear the display message',
    });
  }

  getStatus(): Record<string, unknown> {
    const sd = this.printer.lookupObjectOrNull<PrinterObject>('virtual_sdcard')?.getStatus?.(0);
    return { progress: this.progressM73 ?? (sd?.progress as number | undefined) ?? 0, message: this.message };
  }
}
