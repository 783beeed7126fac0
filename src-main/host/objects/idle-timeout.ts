// [idle_timeout] (always present, as in Klipper): watches the toolhead and, once nothing has
// been planned for `timeout` seconds, runs its gcode (heaters and motors off by default), so a
// printer left alone does not keep a hot nozzle forever. States, as Klipper names them:
//   Printing: moves are planned or were planned less than a second ago;
//   Ready:    the toolhead has caught up; the countdown runs;
//   Idle:     the gcode ran; new activity makes it Printing again.
// "Activity" is the toolhead's planned print time moving on (a move, a dwell, M84 ...).
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Mcu } from '../mcu/mcu';
import type { Toolhead } from '../motion/index';
import type { Printer, PrinterObject } from '../printer';
import { TemplateError } from '../template';
import { MacroTemplate } from './gcode-macro';
import { IDLE_TIMEOUT_OPTIONS } from './idle-timeout-options';
import type { PrintStats } from './print-stats';

export type IdleState = 'Idle' | 'Printing' | 'Ready';

/** How often the toolhead is looked at: a short timeout (tests) still fires close to time. */
const CHECK_PERIOD_MS = 200;
/** The toolhead counts as busy until its planned moves have ended this long ago (Klipper: 1 s). */
const READY_AFTER_S = 1.0;

/** A printer object that can hold the printer busy without planning moves (a heater wait). */
interface IdleBlocker {
  busyReason?(): string | null;
}

export class IdleTimeout implements PrinterObject {
  state: IdleState = 'Idle';
  timeoutS: number;
  private readonly template: MacroTemplate;
  private timer: NodeJS.Timeout | null = null;
  private lastPrintTimeS = -1;
  private printingSinceS = 0;
  private running = false;
  /** The default gcode turns heaters off only where there are heaters (Klipper's default does too). */
  private readonly defaultGCode: boolean;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    section: ConfigSection | null,
    /** Batch mode: options are read, nothing is watched (there is no clock to be idle on). */
    live: boolean,
  ) {
    const o = section
      ? section.read(IDLE_TIMEOUT_OPTIONS)
      : { gcode: IDLE_TIMEOUT_OPTIONS.gcode.default, timeout: IDLE_TIMEOUT_OPTIONS.timeout.default };
    this.timeoutS = o.timeout;
    this.defaultGCode = o.gcode === IDLE_TIMEOUT_OPTIONS.gcode.default;
    try {
      this.template = new MacroTemplate(printer, gcode, 'idle_timeout:gcode', o.gcode);
    } catch (e) {
      if (e instanceof TemplateError && section) throw section.error('gcode', e.message);
      throw e;
    }
    gcode.register('SET_IDLE_TIMEOUT', (c) => this.cmdSetIdleTimeout(c), {
      help: 'Set the idle timeout in seconds',
      params: { TIMEOUT: 'seconds of idleness before the [idle_timeout] gcode runs' },
    });
    if (!live) return;
    printer.on('printer:ready', () => {
      // The toolhead's print time now is the baseline: any later change is activity (taken
      // here, not at the first check, so moves sent right after ready are not missed).
      this.lastPrintTimeS = this.idleForS()?.printTimeS ?? -1;
      this.timer ??= setInterval(() => this.check(), CHECK_PERIOD_MS);
      this.timer.unref?.();
    });
    const stop = () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
    };
    printer.on('printer:shutdown', stop);
    printer.on('printer:disconnect', stop);
  }

  /** A command that starts work without planning moves (a heater target): Printing from now. */
  noteActivity(): void {
    if (this.running) return;
    if (this.state !== 'Printing') this.printingSinceS = this.nowS();
    this.state = 'Printing';
  }

  private nowS(): number {
    return performance.now() / 1000;
  }

  /** Seconds since the toolhead's planned moves ended (negative while moves are still ahead). */
  private idleForS(): { printTimeS: number; idleS: number } | null {
    const th = this.printer.lookupObjectOrNull<Toolhead>('toolhead');
    const mcu = this.printer.lookupObjectOrNull<Mcu>('mcu');
    if (!th || !mcu) return null;
    const estS = mcu.estimatedPrintTime(mcu.monotonic());
    return { printTimeS: th.printTimeS, idleS: estS - th.printTimeS };
  }

  private holdReason(): string | null {
    if (this.printer.lookupObjectOrNull<PrintStats>('print_stats')?.state === 'printing') return 'a print is running';
    for (const [, obj] of this.printer.lookupObjects<IdleBlocker | null>()) {
      const r = obj?.busyReason?.();
      if (r) return r;
    }
    return null;
  }

  check(): void {
    if (this.running || this.printer.state !== 'ready') return;
    const t = this.idleForS();
    if (!t) return;
    if (t.printTimeS !== this.lastPrintTimeS) {
      // New moves (or a dwell) were planned: the printer is working again.
      if (this.lastPrintTimeS >= 0 && this.state !== 'Printing') {
        this.state = 'Printing';
        this.printingSinceS = this.nowS();
      }
      this.lastPrintTimeS = t.printTimeS;
    }
    if (this.state === 'Printing') {
      if (t.idleS >= READY_AFTER_S && !this.holdReason()) this.state = 'Ready';
      return;
    }
    if (this.state === 'Ready' && t.idleS >= this.timeoutS && !this.holdReason()) void this.runIdleGCode();
  }

  private async runIdleGCode(): Promise<void> {
    let script: string;
    try {
      script = this.defaultGCode && !this.printer.lookupObjectOrNull('heaters') ? 'M84' : this.template.render();
    } catch (e) {
      this.gcode.respondError(`idle_timeout gcode: ${(e as Error).message}`);
      this.state = 'Printing'; // try again after the next quiet period, as Klipper retries
      this.printingSinceS = this.nowS();
      return;
    }
    this.running = true;
    // Printing while our own script runs, so its M84 dwell is not taken for new activity.
    this.state = 'Printing';
    this.printingSinceS = this.nowS();
    this.gcode.respondInfo(`Idle timeout: nothing to do for ${this.timeoutS.toFixed(0)} s, running the [idle_timeout] gcode`);
    try {
      await this.gcode.run(script);
      this.state = 'Idle';
    } catch {
      // The error was shown as a '!!' line; stay Ready so it is tried again later.
      this.state = 'Ready';
    } finally {
      this.lastPrintTimeS = this.idleForS()?.printTimeS ?? this.lastPrintTimeS;
      this.running = false;
    }
  }

  private cmdSetIdleTimeout(c: GCodeCommand): void {
    this.timeoutS = c.getFloat('TIMEOUT', this.timeoutS, { above: 0 });
    this.gcode.respondInfo(`idle_timeout: Timeout set to ${this.timeoutS.toFixed(2)} s`);
  }

  getStatus(): Record<string, unknown> {
    return {
      state: this.state,
      printing_time: this.state === 'Printing' ? this.nowS() - this.printingSinceS : 0,
    };
  }
}
