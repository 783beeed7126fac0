// [virtual_sdcard]: prints a G-code file from the printer's folder, line by line through the
// G-code queue, with progress by file position. The reader keeps at most a couple of seconds
// of motion queued ahead of the MCU, so PAUSE stops motion soon and progress follows the print.
import { closeSync, existsSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import { parseLine } from '../gcode/parser';
import type { Printer, PrinterObject } from '../printer';
import type { ExcludeObject } from './exclude-object';
import { MacroTemplate } from './gcode-macro';
import { VIRTUAL_SDCARD_OPTIONS } from './macro-options';
import type { PrintStats } from './print-stats';

const CHUNK_BYTES = 8192;
/** How far (s of print time) the reader may run ahead of the MCU's clock. */
const MAX_AHEAD_S = 2;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class VirtualSdcard implements PrinterObject {
  readonly dir: string;
  private file: { name: string; path: string; size: number } | null = null;
  filePosition = 0;
  private reading: Promise<void> | null = null;
  private stopRequested = false;
  private readonly onError: MacroTemplate | null;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    section: ConfigSection,
    private readonly stats: PrintStats,
  ) {
    const o = section.read(VIRTUAL_SDCARD_OPTIONS);
    // A relative folder is relative to the file that names it, not to wherever Tether was started.
    const configDir = path.dirname(path.resolve(section.placeOf('path').file));
    this.dir = path.resolve(configDir, o.path.replace(/^~(?=$|\/)/, os.homedir()));
    this.onError = o.on_error_gcode ? new MacroTemplate(printer, gcode, `${section.name}:on_error_gcode`, o.on_error_gcode) : null;
    const reg = (name: string, fn: (c: GCodeCommand) => void | Promise<void>, help: string) => gcode.register(name, fn, { help });
    reg('M20', () => this.cmdM20(), 'List the files on the virtual SD card');
    reg('M21', () => this.gcode.respondRaw('SD card ok'), 'Initialize the SD card');
    reg('M23', (c) => this.cmdM23(c), 'Select a file to print');
    reg('M24', () => this.cmdM24(), 'Start or resume the selected file');
    reg('M25', () => { this.pause(); }, 'Pause the SD print');
    reg('M26', (c) => this.cmdM26(c), 'Set the SD file position (S bytes)');
    reg('M27', () => this.cmdM27(), 'Report the SD print status');
    reg('SDCARD_PRINT_FILE', (c) => this.cmdPrintFile(c), 'Load and start printing a file (FILENAME)');
    // The reader's own queue entry (no help text: not a user command).
    gcode.register('SDCARD_RUN_CHUNK', () => this.runChunk(), { help: '' });
    reg('SDCARD_RESET_FILE', () => this.cmdResetFile(), 'Clear the loaded file and reset the print stats');
    printer.on('printer:shutdown', (reason) => {
      if (!this.isActive()) return;
      this.stopRequested = true;
      this.stats.noteEnd('error', reason);
      this.file = null;
    });
  }

  isActive(): boolean {
    return this.reading !== null;
  }

  /** Files in the printer's folder, relative names. */
  listFiles(): { name: string; size: number; modifiedS: number }[] {
    if (!existsSync(this.dir)) return [];
    const out: { name: string; size: number; modifiedS: number }[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const full = path.join(d, e.name);
        if (e.isDirectory()) walk(full);
        else if (/\.(gcode|g|gco)$/i.test(e.name)) {
          const st = statSync(full);
          out.push({ name: path.relative(this.dir, full), size: st.size, modifiedS: st.mtimeMs / 1000 });
        }
      }
    };
    walk(this.dir);
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Resolves a name inside the folder; names reaching outside it are refused. */
  resolve(name: string): string {
    const p = path.resolve(this.dir, name.replace(/^\/+/, ''));
    if (p !== this.dir && !p.startsWith(this.dir + path.sep)) throw new Error(`File '${name}' is outside the G-code folder ${this.dir}`);
    return p;
  }

  loadFile(name: string, check: (msg: string) => Error = (m) => new Error(m)): void {
    if (this.isActive()) throw check('SD busy');
    const p = this.resolve(name);
    if (!existsSync(p) || !statSync(p).isFile()) throw check(`Unable to open file '${name}' in ${this.dir}`);
    this.file = { name, path: p, size: statSync(p).size };
    this.filePosition = 0;
    this.stats.setFile(name);
    this.exclude()?.reset();
  }

  private exclude(): ExcludeObject | null {
    return this.printer.lookupObjectOrNull<ExcludeObject>('exclude_object');
  }

  /** Starts (or resumes) reading; the returned promise ends when the reader stops. */
  start(): void {
    if (!this.file) throw new Error('No file selected: use SDCARD_PRINT_FILE or M23 first');
    if (this.isActive()) return;
    this.stopRequested = false;
    this.stats.noteStart();
    this.reading = this.readLoop().finally(() => (this.reading = null));
  }

  /**
   * Stops reading before the next line (PAUSE / M25). Never waits for the reader: this runs
   * inside the G-code queue, where the reader's next chunk is waiting too.
   */
  pause(): void {
    if (!this.isActive()) return;
    this.stopRequested = true;
    if (this.stats.state === 'printing') this.stats.notePause();
  }

  /** Stops and ends the job as cancelled (CANCEL_PRINT). */
  cancel(): void {
    this.stopRequested = true;
    if (this.file && (this.stats.state === 'printing' || this.stats.state === 'paused')) this.stats.noteEnd('cancelled');
    this.file = null;
  }

  /** Resolves when the reader has stopped (end of file, pause, cancel or error). */
  async idle(): Promise<void> {
    await this.reading;
  }

  private toolhead(): { waitMoves(): void } | null {
    return this.printer.lookupObjectOrNull<{ waitMoves(): void }>('toolhead');
  }

  private aheadS(): number {
    const th = this.printer.lookupObjectOrNull<PrinterObject>('toolhead')?.getStatus?.(0);
    if (!th) return 0;
    // Batch mode has no MCU clock (estimated time stays 0): nothing to pace against.
    if (!((th.estimated_print_time as number) > 0)) return 0;
    return (th.print_time as number) - (th.estimated_print_time as number);
  }

  /** Lines of the chunk being printed, with the file offset after each. */
  private pending: { line: string; endPos: number }[] = [];
  /** The file line running now (null: the command did not come from the file); [sdcard_loop] reads it. */
  currentLine: { line: string; endPos: number } | null = null;
  /** Where reading goes on after the current line, when something moved it ([sdcard_loop]). */
  private seekPos: number | null = null;

  /** Continue the file at `pos` once the running line is done (SDCARD_LOOP_END jumps back). */
  seekAfterLine(pos: number): void {
    this.seekPos = pos;
  }

  /**
   * Runs the pending chunk inside the G-code queue, checking for a pause before each line. It
   * stops early once the planned motion reaches MAX_AHEAD_S past the MCU's clock: the reader then
   * waits outside the queue (so PAUSE, M105 or a UI command get their turn) and re-reads the
   * file from the first line not run. A whole 8 KiB chunk is a minute of slow perimeters, far
   * too much to queue before a PAUSE could run.
   */
  private async runChunk(): Promise<void> {
    const ex = this.exclude();
    for (const entry of this.pending) {
      const { line, endPos } = entry;
      if (this.stopRequested || this.aheadS() > MAX_AHEAD_S) break;
      if (ex?.skipLine(line)) {
        // skipped: a move of an excluded object
      } else if (this.isUnknown(line)) {
        // As Klipper does in a print: an unknown command (G21, M84 variants...) is reported, not fatal.
        this.gcode.respondInfo(`Unknown command: "${parseLine(line).command}" in ${this.file?.name ?? 'file'} (ignored)`);
      } else {
        this.currentLine = entry;
        try {
          await this.gcode.runLines([line]);
        } finally {
          this.currentLine = null;
        }
      }
      this.filePosition = endPos;
      if (this.seekPos !== null) {
        // The rest of this chunk is not where the file goes on: re-read from the new place.
        this.filePosition = this.seekPos;
        this.seekPos = null;
        break;
      }
    }
    this.pending = [];
  }

  private isUnknown(line: string): boolean {
    const c0 = line.charCodeAt(0);
    if ((c0 === 71 || c0 === 103) && (line[1] === '0' || line[1] === '1') && !/\d/.test(line[2] ?? '')) return false;
    const cmd = parseLine(line).command;
    return cmd !== '' && cmd !== 'M112' && !this.gcode.lookup(cmd);
  }

  private async readLoop(): Promise<void> {
    const file = this.file!;
    const fd = openSync(file.path, 'r');
    const buf = Buffer.alloc(CHUNK_BYTES);
    try {
      for (;;) {
        if (this.stopRequested) return;
        const n = readSync(fd, buf, 0, CHUNK_BYTES, this.filePosition);
        if (n === 0) break;
        // Whole lines only (the last one may end at end of file without a newline).
        let end = buf.lastIndexOf(10, n - 1) + 1;
        if (end === 0 || this.filePosition + n >= file.size) end = n;
        let pos = this.filePosition;
        let start = 0;
        this.pending = [];
        while (start < end) {
          let nl = buf.indexOf(10, start);
          if (nl < 0 || nl >= end) nl = end - 1;
          const line = buf.toString('latin1', start, nl + 1).replace(/\r?\n$/, '');
          pos += nl + 1 - start;
          this.pending.push({ line, endPos: pos });
          start = nl + 1;
        }
        try {
          await this.gcode.run('SDCARD_RUN_CHUNK');
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          this.stats.noteEnd('error', msg);
          this.file = null;
          if (this.onError) await this.gcode.run(this.onError.render()).catch(() => undefined);
          return;
        }
        // Keep the motion queue short so pause and progress follow the real print.
        while (this.aheadS() > MAX_AHEAD_S && !this.stopRequested) await sleep(50);
      }
      if (this.stopRequested) return;
      this.toolhead()?.waitMoves();
      this.filePosition = file.size;
      this.stats.noteEnd('complete');
      this.file = null;
    } finally {
      closeSync(fd);
    }
  }

  private cmdM20(): void {
    const lines = ['Begin file list', ...this.listFiles().map((f) => `${f.name} ${f.size}`), 'End file list'];
    this.gcode.respondRaw(lines.join('\n'));
  }

  private cmdM23(c: GCodeCommand): void {
    const name = c.rawParams.trim().split(/\s+/)[0] ?? '';
    if (!name) throw c.error('M23 needs a file name');
    this.loadFile(name, (m) => c.error(m));
    this.gcode.respondRaw(`File opened:${name} Size:${this.file!.size}\nFile selected`);
  }

  private cmdM24(): void {
    this.start();
  }

  private cmdM26(c: GCodeCommand): void {
    if (this.isActive()) throw c.error('SD busy');
    if (!this.file) throw c.error('No file selected');
    this.filePosition = c.getInt('S', undefined, { minval: 0, maxval: this.file.size });
  }

  private cmdM27(): void {
    if (!this.file) this.gcode.respondRaw('Not SD printing.');
    else this.gcode.respondRaw(`SD printing byte ${this.filePosition}/${this.file.size}`);
  }

  private cmdPrintFile(c: GCodeCommand): void {
    this.loadFile(c.get('FILENAME'), (m) => c.error(m));
    this.start();
  }

  private async cmdResetFile(): Promise<void> {
    if (this.isActive()) throw new Error('SDCARD_RESET_FILE cannot be run from the sdcard');
    this.file = null;
    this.filePosition = 0;
    this.stats.reset();
  }

  getStatus(): Record<string, unknown> {
    const size = this.file?.size ?? 0;
    return {
      file_path: this.file?.path ?? null,
      progress: size ? Math.min(1, this.filePosition / size) : this.stats.state === 'complete' ? 1 : 0,
      is_active: this.isActive(),
      file_position: this.filePosition,
      file_size: size,
    };
  }
}
