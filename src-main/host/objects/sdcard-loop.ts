// [sdcard_loop]: SDCARD_LOOP_BEGIN COUNT=<n> ... SDCARD_LOOP_END repeat a stretch of the file
// being printed (COUNT=0: forever), e.g. to print the same part again and again with a bed
// clearing move. Loops may nest. SDCARD_LOOP_DESIST (from the console or a macro, not the file)
// lets every running loop finish its current pass and go on past its END.
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import type { VirtualSdcard } from './virtual-sdcard';

interface Loop {
  /** File offset just after the BEGIN line. */
  startPos: number;
  /** Passes still to run after this one (Infinity for COUNT=0). */
  remaining: number;
}

export class SdcardLoop {
  private loops: Loop[] = [];
  private file: string | null = null;

  constructor(
    private readonly printer: Printer,
    gcode: GCodeDispatcher,
  ) {
    gcode.register('SDCARD_LOOP_BEGIN', (c) => this.cmdBegin(c), {
      help: 'Begin an SD file loop',
      params: { COUNT: 'passes (0 = until SDCARD_LOOP_DESIST)' },
    });
    gcode.register('SDCARD_LOOP_END', (c) => this.cmdEnd(c), { help: 'End an SD file loop' });
    gcode.register('SDCARD_LOOP_DESIST', (c) => this.cmdDesist(c), { help: 'Stop iterating SD file loops' });
  }

  private sdcard(c: GCodeCommand): VirtualSdcard {
    const sd = this.printer.lookupObjectOrNull<VirtualSdcard>('virtual_sdcard');
    if (!sd) throw c.error('[sdcard_loop] needs a [virtual_sdcard] section');
    return sd;
  }

  /** The running file line's card, or an error: loops only exist inside a printed file. */
  private fromFile(c: GCodeCommand): VirtualSdcard {
    const sd = this.sdcard(c);
    if (sd.currentLine === null) throw c.error(`${c.command} is only permitted in a file printed from the virtual SD card`);
    // A new file starts without loops.
    const path = sd.getStatus().file_path as string | null;
    if (path !== this.file) {
      this.loops = [];
      this.file = path;
    }
    return sd;
  }

  private cmdBegin(c: GCodeCommand): void {
    const sd = this.fromFile(c);
    const count = c.getInt('COUNT', 1, { minval: 0 });
    this.loops.push({ startPos: sd.currentLine!.endPos, remaining: count === 0 ? Infinity : count - 1 });
  }

  private cmdEnd(c: GCodeCommand): void {
    const sd = this.fromFile(c);
    const loop = this.loops.at(-1);
    if (!loop) throw c.error('SDCARD_LOOP_END without a matching SDCARD_LOOP_BEGIN');
    if (loop.remaining <= 0) {
      this.loops.pop();
      return;
    }
    loop.remaining--;
    sd.seekAfterLine(loop.startPos);
  }

  private cmdDesist(c: GCodeCommand): void {
    const sd = this.sdcard(c);
    if (sd.currentLine !== null) throw c.error('SDCARD_LOOP_DESIST is only permitted outside of a printed file');
    for (const l of this.loops) l.remaining = 0;
  }

  /** Passes left per running loop, outermost first (tests, logs). */
  get passesLeft(): number[] {
    return this.loops.map((l) => l.remaining);
  }
}
