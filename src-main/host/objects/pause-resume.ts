// [pause_resume]: PAUSE / RESUME / CANCEL_PRINT around the virtual_sdcard job. PAUSE saves the
// G-code state; RESUME moves back there first. Users usually wrap these in macros
// (rename_existing: BASE_PAUSE ...) to park the head and turn heaters off.
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer, PrinterObject } from '../printer';
/** What this module needs of the 'heaters' object (heaters.ts). */
interface HeatersView {
  heaters: Map<string, { getStatus(): Record<string, unknown> }>;
  setTemperature(heater: unknown, tempC: number, wait: boolean): Promise<void>;
}
import type { PrintStats } from './print-stats';
import type { VirtualSdcard } from './virtual-sdcard';

export class PauseResume implements PrinterObject {
  isPaused = false;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    private readonly recoverVelocityMmS: number,
  ) {
    gcode.register('PAUSE', () => this.cmdPause(), { help: 'Pauses the current print' });
    gcode.register('RESUME', (c) => this.cmdResume(c), { help: 'Resumes the print from a pause', params: { VELOCITY: 'mm/s of the move back' } });
    gcode.register('CANCEL_PRINT', () => this.cmdCancel(), { help: 'Cancel the current print' });
    gcode.register('CLEAR_PAUSE', () => void (this.isPaused = false), { help: 'Clears the current paused state without resuming the print' });
    printer.on('printer:connect', () => registerTurnOffHeaters(printer, gcode));
  }

  private sdcard(): VirtualSdcard | null {
    return this.printer.lookupObjectOrNull<VirtualSdcard>('virtual_sdcard');
  }

  private async cmdPause(): Promise<void> {
    if (this.isPaused) {
      this.gcode.respondInfo('Print already paused');
      return;
    }
    this.sdcard()?.pause();
    this.printer.lookupObjectOrNull<PrintStats>('print_stats')?.notePause();
    this.isPaused = true;
    await this.gcode.runLines(['SAVE_GCODE_STATE NAME=PAUSE_STATE']);
    this.gcode.respondRaw('// action:paused');
  }

  private async cmdResume(c: GCodeCommand): Promise<void> {
    if (!this.isPaused) {
      this.gcode.respondInfo('Print is not paused, resume aborted');
      return;
    }
    const v = c.getFloat('VELOCITY', this.recoverVelocityMmS, { above: 0 });
    await this.gcode.runLines([`RESTORE_GCODE_STATE NAME=PAUSE_STATE MOVE=1 MOVE_SPEED=${v}`]);
    this.isPaused = false;
    this.gcode.respondRaw('// action:resumed');
    const sd = this.sdcard();
    if (sd && this.printer.lookupObjectOrNull<PrintStats>('print_stats')?.state === 'paused') sd.start();
  }

  private async cmdCancel(): Promise<void> {
    this.sdcard()?.cancel();
    const stats = this.printer.lookupObjectOrNull<PrintStats>('print_stats');
    if (stats && (stats.state === 'printing' || stats.state === 'paused')) stats.noteEnd('cancelled');
    this.isPaused = false;
    this.gcode.respondRaw('// action:cancel');
  }

  getStatus(): Record<string, unknown> {
    return { is_paused: this.isPaused };
  }
}

/** TURN_OFF_HEATERS (cancel macros call it); registered here until the heaters own it. */
export function registerTurnOffHeaters(printer: Printer, gcode: GCodeDispatcher): void {
  if (gcode.lookup('TURN_OFF_HEATERS')) return;
  gcode.register(
    'TURN_OFF_HEATERS',
    async () => {
      const heaters = printer.lookupObjectOrNull<HeatersView>('heaters');
      for (const h of heaters?.heaters.values() ?? []) await heaters!.setTemperature(h, 0, false);
    },
    { help: 'Turn off all heaters' },
  );
}
