// What a filament sensor does with "filament present / gone", as Klipper's filament sensors
// behave: a runout while printing pauses the print at once (pause_on_runout), waits
// pause_delay, then runs PAUSE and runout_gcode; filament inserted while not printing runs
// insert_gcode. After an event (and for 2 s after start-up) further events are ignored for
// event_delay seconds, so a bouncing switch cannot run the scripts twice. Changes are always
// recorded (status filament_detected), whatever the sensor's enabled state.
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import type { IdleTimeout } from './idle-timeout';
import type { MacroTemplate } from './gcode-macro';
import type { VirtualSdcard } from './virtual-sdcard';

/** Events are ignored this long after the printer is ready (the first reports are the start state). */
export const STARTUP_QUIET_S = 2.0;

export interface RunoutOptions {
  pauseOnRunout: boolean;
  /** Present when pause_on_runout or runout_gcode is set (an empty template when only pausing). */
  runoutGcode: MacroTemplate | null;
  insertGcode: MacroTemplate | null;
  pauseDelayS: number;
  eventDelayS: number;
}

export type RunoutEvent = 'runout' | 'insert';

export class RunoutHelper {
  filamentPresent = false;
  enabled = true;
  /** Host time before which events are ignored: never until the printer is ready. */
  private minEventTimeS = Infinity;
  /** The running event script, if any (tests and shutdown wait for it). */
  running: Promise<void> | null = null;
  /** Every event that ran, with its host time (for logs and tests). */
  readonly events: { kind: RunoutEvent; timeS: number }[] = [];

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    readonly name: string,
    private readonly o: RunoutOptions,
    private readonly now: () => number = () => performance.now() / 1000,
    private readonly sleep: (s: number) => Promise<void> = (s) => new Promise((r) => setTimeout(r, s * 1000)),
  ) {
    printer.on('printer:ready', () => {
      this.minEventTimeS = this.now() + STARTUP_QUIET_S;
    });
  }

  private isPrinting(): boolean {
    return this.printer.lookupObjectOrNull<IdleTimeout>('idle_timeout')?.state === 'Printing';
  }

  /** The switch (or a motion check) says whether filament is there. */
  noteFilamentPresent(present: boolean): void {
    if (present === this.filamentPresent) return;
    this.filamentPresent = present;
    if (this.now() < this.minEventTimeS || !this.enabled) return;
    const printing = this.isPrinting();
    if (present) {
      if (!printing && this.o.insertGcode) this.startEvent('insert');
    } else if (printing && this.o.runoutGcode) this.startEvent('runout');
  }

  private startEvent(kind: RunoutEvent): void {
    this.minEventTimeS = Infinity; // until the script has run
    this.events.push({ kind, timeS: this.now() });
    this.running = (kind === 'runout' ? this.runout() : this.run('', this.o.insertGcode!)).finally(() => {
      this.running = null;
    });
  }

  private async runout(): Promise<void> {
    let prefix = '';
    if (this.o.pauseOnRunout) {
      // Stop feeding the print now; PAUSE itself runs once pause_delay has passed.
      const sd = this.printer.lookupObjectOrNull<VirtualSdcard>('virtual_sdcard');
      if (sd?.isActive()) sd.pause();
      prefix = 'PAUSE\n';
      await this.sleep(this.o.pauseDelayS);
    }
    await this.run(prefix, this.o.runoutGcode!);
  }

  private async run(prefix: string, template: MacroTemplate): Promise<void> {
    try {
      await this.gcode.run(`${prefix}${template.render()}\nM400`);
    } catch {
      // The failing line was reported as '!!' by the dispatcher; the sensor keeps working.
    }
    this.minEventTimeS = this.now() + this.o.eventDelayS;
  }

  getStatus(): Record<string, unknown> {
    return { filament_detected: this.filamentPresent, enabled: this.enabled };
  }
}
