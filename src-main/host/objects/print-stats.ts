// 'print_stats': the state of the current print job (Klipper's fields), fed by virtual_sdcard.
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer, PrinterObject } from '../printer';

export type PrintState = 'standby' | 'printing' | 'paused' | 'complete' | 'cancelled' | 'error';

export class PrintStats implements PrinterObject {
  state: PrintState = 'standby';
  filename = '';
  message = '';
  private startS: number | null = null;
  private endS: number | null = null;
  private pausedTotalS = 0;
  private pauseStartS: number | null = null;
  private filamentBaseMm = 0;
  private filamentUsedMm = 0;
  private lastEMm: number | null = null;
  info: { total_layer: number | null; current_layer: number | null } = { total_layer: null, current_layer: null };

  constructor(private readonly printer: Printer) {
    printer.lookupObjectOrNull<GCodeDispatcher>('gcode')?.register('SET_PRINT_STATS_INFO', (c) => this.cmdSetInfo(c), {
      help: 'Set the layer info of the current print (sent by the slicer at each layer change)',
      params: { TOTAL_LAYER: 'layers in the print (0 clears)', CURRENT_LAYER: 'layer being printed' },
    });
  }

  /**
   * SET_PRINT_STATS_INFO TOTAL_LAYER= CURRENT_LAYER= (slicers' layer-change G-code): a new total
   * starts the count at 0, TOTAL_LAYER=0 clears both, the current layer never exceeds the total.
   */
  private cmdSetInfo(c: GCodeCommand): void {
    const total = c.has('TOTAL_LAYER') ? c.getInt('TOTAL_LAYER', undefined, { minval: 0 }) : this.info.total_layer;
    const current = c.has('CURRENT_LAYER') ? c.getInt('CURRENT_LAYER', undefined, { minval: 0 }) : this.info.current_layer;
    if (total === 0) {
      this.info = { total_layer: null, current_layer: null };
      return;
    }
    if (total !== null && total !== this.info.total_layer) this.info = { total_layer: total, current_layer: 0 };
    if (this.info.total_layer !== null && current !== null && current !== this.info.current_layer) {
      this.info.current_layer = Math.min(current, this.info.total_layer);
    }
  }

  private now(): number {
    return performance.now() / 1000;
  }
  /** The toolhead's extruder position: filament used is its net change while printing. */
  private extruderMm(): number {
    const th = this.printer.lookupObjectOrNull<PrinterObject>('toolhead');
    const pos = th?.getStatus?.(0)?.position as number[] | undefined;
    return pos?.[3] ?? 0;
  }
  private sampleFilament(): void {
    if (this.state !== 'printing' || this.lastEMm === null) return;
    const e = this.extruderMm();
    this.filamentUsedMm = this.filamentBaseMm + (e - this.lastEMm);
  }

  /**
   * ACTIVATE_EXTRUDER: the toolhead's E jumps to the new extruder's own filament position, so the
   * count is taken up to the switch and goes on from the new position.
   */
  switchExtruder(switchNow: () => void): void {
    this.sampleFilament();
    switchNow();
    if (this.lastEMm === null) return;
    this.lastEMm = this.extruderMm();
    this.filamentBaseMm = this.filamentUsedMm;
  }

  setFile(filename: string): void {
    this.reset();
    this.filename = filename;
  }
  noteStart(): void {
    const t = this.now();
    if (this.startS === null) this.startS = t;
    if (this.pauseStartS !== null) this.pausedTotalS += t - this.pauseStartS;
    this.pauseStartS = null;
    this.lastEMm = this.extruderMm();
    this.filamentBaseMm = this.filamentUsedMm;
    this.state = 'printing';
  }
  notePause(): void {
    this.sampleFilament();
    if (this.pauseStartS === null) this.pauseStartS = this.now();
    this.state = 'paused';
  }
  noteEnd(state: 'complete' | 'cancelled' | 'error', message = ''): void {
    this.sampleFilament();
    if (this.pauseStartS !== null) this.pausedTotalS += this.now() - this.pauseStartS;
    this.pauseStartS = null;
    this.endS = this.now();
    this.state = state;
    this.message = message;
  }
  reset(): void {
    Object.assign(this, { state: 'standby', filename: '', message: '', startS: null, endS: null, pausedTotalS: 0, pauseStartS: null });
    this.filamentBaseMm = this.filamentUsedMm = 0;
    this.lastEMm = null;
    this.info = { total_layer: null, current_layer: null };
  }

  getStatus(): Record<string, unknown> {
    this.sampleFilament();
    const end = this.endS ?? this.now();
    const total = this.startS === null ? 0 : end - this.startS;
    const pausedNow = this.pauseStartS === null ? 0 : this.now() - this.pauseStartS;
    return {
      filename: this.filename,
      total_duration: total,
      print_duration: Math.max(0, total - this.pausedTotalS - pausedNow),
      filament_used: this.filamentUsedMm,
      state: this.state,
      message: this.message,
      info: { ...this.info },
    };
  }
}
