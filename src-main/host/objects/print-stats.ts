// 'print_stats': the state of the current print job (Klipper's fields), fed by virtual_sdcard.
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

  constructor(private readonly printer: Printer) {}

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
