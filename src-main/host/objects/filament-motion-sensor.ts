// [filament_motion_sensor NAME]: an encoder wheel whose switch toggles as filament passes. Each
// toggle says "filament is moving": the filament counts as present until the extruder has
// pushed detection_length mm more without a toggle, then as run out (a jam or an empty spool),
// which pauses the print through the switch sensor's RunoutHelper (pause_on_runout,
// runout_gcode, insert_gcode, QUERY/SET_FILAMENT_SENSOR). The extruder's position is the one
// the MCU has reached (its planned path at the estimated print time), checked every 250 ms.
import type { ConfigSection } from '../config/section';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Mcu } from '../mcu/mcu';
import type { Printer, PrinterObject } from '../printer';
import { buttonsOf } from './buttons';
import type { PrinterExtruder } from './extruder';
import { FILAMENT_MOTION_SENSOR_OPTIONS } from './filament-motion-sensor-options';
import type { RunoutHelper } from './filament-switch-sensor-runout';
import { filamentSensorsOf, loadRunoutHelper } from './filament-switch-sensor';
import type { IdleTimeout } from './idle-timeout';

/** How often (ms) the extruder's position is compared with the runout point (Klipper: 0.25 s). */
export const CHECK_RUNOUT_PERIOD_MS = 250;

/** The runout point: detection_length past the extruder position of the last toggle (or reset). */
export class MotionRunoutTracker {
  runoutPosMm = Infinity;

  constructor(readonly detectionLengthMm: number) {}

  /** A toggle (or start, enable, print start) at extruder position eMm. */
  reset(eMm: number): void {
    this.runoutPosMm = eMm + this.detectionLengthMm;
  }

  /** Filament is there while the extruder has not passed the runout point. */
  present(eMm: number): boolean {
    return eMm < this.runoutPosMm;
  }
}

/** Spacing (s) of the kept samples of the extruder's planned path, and how long they are kept. */
const PATH_SAMPLE_S = 0.02;
const PATH_KEEP_S = 5;

/**
 * Where the extruder is at a print time near now. Its trapq forgets segments as soon as their
 * steps are generated, which is often before the MCU runs them, so "now" may already be gone
 * from it; this keeps samples of the planned path (up to the end of the planned moves, which no
 * longer change) taken while they were still there.
 */
export class ExtruderPath {
  private readonly t: number[] = [];
  private readonly e: number[] = [];

  constructor(private readonly planned: { positionAt(printTimeS: number, out: number[]): void }) {}

  /** Samples the planned path from fromS (now) up to plannedEndS (the end of the queued moves). */
  record(fromS: number, plannedEndS: number): void {
    const out = [0, 0, 0];
    let t = Math.max(fromS, (this.t.at(-1) ?? -Infinity) + PATH_SAMPLE_S);
    for (; t <= plannedEndS; t += PATH_SAMPLE_S) {
      this.planned.positionAt(t, out);
      this.t.push(t);
      this.e.push(out[0]!);
    }
    let old = 0;
    while (old < this.t.length && this.t[old]! < fromS - PATH_KEEP_S) old++;
    this.t.splice(0, old);
    this.e.splice(0, old);
  }

  /** The extruder position at printTimeS: from the samples when they cover it, else the planned path. */
  at(printTimeS: number): number {
    const n = this.t.length;
    if (n >= 2 && printTimeS >= this.t[0]! && printTimeS <= this.t[n - 1]!) {
      let i = 1;
      while (this.t[i]! < printTimeS) i++;
      const f = (printTimeS - this.t[i - 1]!) / (this.t[i]! - this.t[i - 1]!);
      return this.e[i - 1]! + f * (this.e[i]! - this.e[i - 1]!);
    }
    const out = [0, 0, 0];
    this.planned.positionAt(printTimeS, out);
    return out[0]!;
  }
}

export class FilamentMotionSensor implements PrinterObject {
  readonly runout: RunoutHelper;
  readonly tracker: MotionRunoutTracker;
  private readonly path: ExtruderPath;
  private timer: NodeJS.Timeout | null = null;
  private readonly extruderName: string;
  /** Toggles seen (logs and tests). */
  toggles = 0;
  /** The extruder position (mm) when the filament last counted as run out (logs and tests). */
  runoutAtMm: number | null = null;

  constructor(
    private readonly printer: Printer,
    gcode: GCodeDispatcher,
    section: ConfigSection,
  ) {
    const o = section.read(FILAMENT_MOTION_SENSOR_OPTIONS);
    this.extruderName = o.extruder;
    // [extruder] sections load before the sensors (catalog order).
    if (!printer.lookupObjectOrNull(o.extruder)) {
      throw section.error(
        'extruder',
        `Unknown extruder '${o.extruder}' in section '${section.name}' (give the name of an [extruder] section)`,
      );
    }
    this.runout = loadRunoutHelper(printer, gcode, section, o);
    this.tracker = new MotionRunoutTracker(o.detection_length);
    this.path = new ExtruderPath(printer.lookupObject<PrinterExtruder>(o.extruder).motion.trapq);
    buttonsOf(printer).registerButton(section, 'switch_pin', o.switch_pin, () => this.noteToggle());
    filamentSensorsOf(printer, gcode).set(section.suffix, this);
    let wasEnabled = true;
    let wasPrinting = false;
    printer.on('printer:ready', () => {
      this.tracker.reset(this.extruderPositionMm());
      this.runout.noteFilamentPresent(true);
      this.timer ??= setInterval(() => {
        // Enabling the sensor or starting a print gives the filament a fresh detection_length.
        const printing = printer.lookupObjectOrNull<IdleTimeout>('idle_timeout')?.state === 'Printing';
        if ((this.runout.enabled && !wasEnabled) || (printing && !wasPrinting)) this.tracker.reset(this.extruderPositionMm());
        wasEnabled = this.runout.enabled;
        wasPrinting = printing;
        this.check();
      }, CHECK_RUNOUT_PERIOD_MS);
    });
    const stop = () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
    };
    printer.on('printer:shutdown', stop);
    printer.on('printer:disconnect', stop);
  }

  /** Where the extruder is now (the MCU's time, not the end of the queued moves), in mm. */
  extruderPositionMm(): number {
    const mcu = this.printer.lookupObject<Mcu>('mcu');
    const nowS = mcu.estimatedPrintTime(mcu.monotonic());
    const th = this.printer.lookupObjectOrNull<{ printTimeS: number }>('toolhead');
    this.path.record(nowS, th?.printTimeS ?? nowS);
    return this.path.at(nowS);
  }

  private noteToggle(): void {
    this.toggles++;
    this.tracker.reset(this.extruderPositionMm());
    this.runout.noteFilamentPresent(true);
  }

  private check(): void {
    const eMm = this.extruderPositionMm();
    // Moved backwards past the last toggle (G92 E0, a long retraction): count from here.
    if (eMm < this.tracker.runoutPosMm - 2 * this.tracker.detectionLengthMm) this.tracker.reset(eMm);
    const present = this.tracker.present(eMm);
    if (!present && this.runout.filamentPresent) this.runoutAtMm = eMm;
    this.runout.noteFilamentPresent(present);
  }

  getStatus(): Record<string, unknown> {
    return this.runout.getStatus();
  }
}
