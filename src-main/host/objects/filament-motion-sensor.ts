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

export class FilamentMotionSensor implements PrinterObject {
  readonly runout: RunoutHelper;
  readonly tracker: MotionRunoutTracker;
  private timer: NodeJS.Timeout | null = null;
  private readonly extruderName: string;
  /** Toggles seen (status and tests). */
  toggles = 0;

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
    const extruder = this.printer.lookupObject<PrinterExtruder>(this.extruderName);
    const mcu = this.printer.lookupObject<Mcu>('mcu');
    const out = [0, 0, 0];
    extruder.motion.trapq.positionAt(mcu.estimatedPrintTime(mcu.monotonic()), out);
    return out[0]!;
  }

  private noteToggle(): void {
    this.toggles++;
    this.tracker.reset(this.extruderPositionMm());
    this.runout.noteFilamentPresent(true);
  }

  private check(): void {
    this.runout.noteFilamentPresent(this.tracker.present(this.extruderPositionMm()));
  }

  getStatus(): Record<string, unknown> {
    return this.runout.getStatus();
  }
}
