// [manual_stepper NAME]: a stepper outside the kinematics (a filament feeder, a tool changer's
// carousel), moved by MANUAL_STEPPER STEPPER=NAME [ENABLE=] [SET_POSITION=] [SPEED=] [ACCEL=]
// [MOVE= [STOP_ON_ENDSTOP=] [SYNC=]]. Its moves run on its own time line (MotionStepper.forceMove,
// the path FORCE_MOVE uses): with SYNC=1 (the default) the toolhead waits for the move and the
// move waits for the toolhead's queued moves; SYNC=0 lets later G-code run while it moves.
// STOP_ON_ENDSTOP arms its endstop_pin through the MCU's endstop + trsync (the homing path), so
// the MCU halts the motor at the switch; the position is then where the MCU stopped it.
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import { McuEndstop } from '../mcu/endstop';
import type { Mcu } from '../mcu/mcu';
import type { Toolhead } from '../motion/index';
import type { Printer, PrinterObject } from '../printer';
import { MANUAL_STEPPER_OPTIONS } from './manual-stepper-options';
import { mcuForPin } from './mcu';
import type { PinRegistry } from './pins';
import type { QueryEndstops } from './query-endstops';
import { loadStepper, type PrinterStepper } from './stepper';
import type { StepperEnable, StepperEnableLine } from './stepper-enable';

/** Pause (s) after switching the driver on or off, as for M84 and FORCE_MOVE. */
const ENABLE_STALL_TIME_S = 0.1;
/** Time between arming the endstop and the start of the move (s), as in homing. */
const HOMING_START_DELAY_S = 0.001;
/** MCU replies to a STOP_ON_ENDSTOP move may come this long after its planned end (s). */
const HOMING_REPLY_GRACE_S = 5;

/** What a STOP_ON_ENDSTOP value asks: stop on triggered (>0) or on released (<0); |2| = no error without it. */
export function stopOnEndstopMode(value: number): { triggered: boolean; mustTrigger: boolean } | null {
  if (value === 0) return null;
  return { triggered: value > 0, mustTrigger: Math.abs(value) === 1 };
}

export class ManualStepper implements PrinterObject {
  readonly name: string;
  readonly stepper: PrinterStepper;
  readonly endstop: McuEndstop | null;
  private readonly velocityMmS: number;
  private readonly accelMmS2: number;
  private readonly minMm: number;
  private readonly maxMm: number;
  /** Commanded position (mm). */
  positionMm = 0;
  /** Print time the last move ends (its own time line). */
  private nextCmdTimeS = 0;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    section: ConfigSection,
  ) {
    this.name = section.suffix;
    const o = section.read(MANUAL_STEPPER_OPTIONS);
    this.velocityMmS = o.velocity;
    this.accelMmS2 = o.accel;
    this.minMm = o.position_min ?? -Infinity;
    this.maxMm = o.position_max ?? Infinity;
    if (this.maxMm <= this.minMm) {
      throw section.error('position_max', `Option 'position_max' in section '${section.name}' must be above position_min (${this.minMm})`);
    }
    this.stepper = loadStepper(printer, section);
    if (o.endstop_pin) {
      const pin = o.endstop_pin;
      const mcu: Mcu = mcuForPin(printer, pin, section, 'endstop_pin');
      printer.lookupObject<PinRegistry>('pins').claim(pin, `[${section.name}] endstop_pin`, section.placeOf('endstop_pin'), 'endstop');
      this.endstop = new McuEndstop(mcu, pin.pin, pin.invert, pin.pullup);
      this.endstop.addStepper(this.stepper.oid, this.stepper.mcu);
      // QUERY_ENDSTOPS lists it by the stepper's name ([printer], which owns it, loads first).
      printer.lookupObjectOrNull<QueryEndstops>('query_endstops')?.addEndstop(this.name, this.endstop);
    } else this.endstop = null;
    manualSteppersOf(printer, gcode).set(this.name, this);
  }

  private toolhead(): Toolhead {
    return this.printer.lookupObject<Toolhead>('toolhead');
  }

  private enableLine(): StepperEnableLine | null {
    return this.printer.lookupObject<StepperEnable>('stepper_enable').lookupLine(this.stepper.name);
  }

  /** When the next move may start: after its own last move and the toolhead's queued moves. */
  private startTimeS(): number {
    const th = this.toolhead();
    th.flushStepGeneration();
    return Math.max(th.getLastMoveTime(), this.nextCmdTimeS);
  }

  /** SYNC=1: the toolhead waits for this stepper's last move. */
  private syncToolhead(): void {
    const th = this.toolhead();
    const waitS = this.nextCmdTimeS - th.getLastMoveTime();
    if (waitS > 0) th.dwell(waitS);
  }

  setEnabled(enable: boolean): void {
    const line = this.enableLine();
    if (!line) return;
    const t = this.startTimeS();
    if (enable) line.motorEnable(line.clockAt(t) + Math.round(line.mcu.secondsToClock(0.001)));
    else line.motorDisable(line.clockAt(t));
    this.nextCmdTimeS = t + ENABLE_STALL_TIME_S;
    this.syncToolhead();
  }

  /** SET_POSITION: the stepper is now at `mm` (no motion). */
  setPosition(mm: number): void {
    this.positionMm = mm;
  }

  /** A plain move to `mm`; returns the print time it ends. */
  move(mm: number, speedMmS: number, accelMmS2: number, sync: boolean): number {
    const start = this.startTimeS();
    const end = this.stepper.motion.forceMove(mm - this.positionMm, speedMmS, accelMmS2, start);
    this.positionMm = mm;
    this.nextCmdTimeS = end;
    if (sync) this.syncToolhead();
    return end;
  }

  /**
   * A move that the MCU halts when the endstop reads `triggered` (STOP_ON_ENDSTOP). Returns
   * whether it did; the position is then where the motor stopped (from the MCU's step count).
   */
  async homingMove(mm: number, speedMmS: number, accelMmS2: number, triggered: boolean): Promise<boolean> {
    const endstop = this.endstop!;
    const motion = this.stepper.motion;
    const start = this.startTimeS();
    const startSteps = motion.mcuPositionSteps;
    const startMm = this.positionMm;
    // Poll the switch about once per step (Klipper's rate).
    const restS = motion.stepDistMm / speedMmS;
    void endstop.homeStart(start, restS, triggered);
    const end = motion.forceMove(mm - startMm, speedMmS, accelMmS2, start + HOMING_START_DELAY_S);
    let timer: NodeJS.Timeout | null = null;
    const mcu = this.stepper.mcu;
    const giveUp = new Promise<string>((resolve) => {
      const waitS = Math.max(0, end - mcu.estimatedPrintTime(mcu.monotonic())) + HOMING_REPLY_GRACE_S;
      timer = setTimeout(() => resolve(`no reply from the MCU within ${waitS.toFixed(1)} s of the move's end`), waitS * 1000);
    });
    let trigTimeS: number;
    try {
      trigTimeS = await endstop.homeWait(end, () => this.stepper.noteHomingEnd(), giveUp);
    } finally {
      if (timer) clearTimeout(timer);
    }
    this.positionMm = trigTimeS > 0 ? startMm + (motion.mcuPositionSteps - startSteps) * motion.stepDistMm : mm;
    this.nextCmdTimeS = end;
    this.syncToolhead();
    return trigTimeS > 0;
  }

  async cmd(c: GCodeCommand): Promise<void> {
    if (c.has('ENABLE')) this.setEnabled(c.getInt('ENABLE', undefined, { minval: 0, maxval: 1 }) === 1);
    if (c.has('SET_POSITION')) this.setPosition(c.getFloat('SET_POSITION'));
    const speed = c.getFloat('SPEED', this.velocityMmS, { above: 0 });
    const accel = c.getFloat('ACCEL', this.accelMmS2, { minval: 0 });
    const sync = c.getInt('SYNC', 1, { minval: 0, maxval: 1 }) === 1;
    const stop = stopOnEndstopMode(c.getInt('STOP_ON_ENDSTOP', 0, { minval: -2, maxval: 2 }));
    if (c.has('MOVE')) {
      const target = c.getFloat('MOVE');
      if (target < this.minMm || target > this.maxMm) {
        throw c.error(`Move out of range: ${target.toFixed(3)} is outside ${this.minMm}..${this.maxMm} of manual_stepper ${this.name}`);
      }
      if (!stop) {
        this.move(target, speed, accel, sync);
        return;
      }
      if (!this.endstop) throw c.error(`manual_stepper ${this.name} has no endstop_pin: STOP_ON_ENDSTOP needs one`);
      const hit = await this.homingMove(target, speed, accel, stop.triggered);
      if (!hit && stop.mustTrigger) {
        throw c.error(`No trigger on manual_stepper ${this.name} after full movement`);
      }
    } else if (c.has('SYNC') && sync) this.syncToolhead();
  }

  getStatus(): Record<string, unknown> {
    return { position: this.positionMm, enabled: this.enableLine()?.isEnabled ?? false };
  }
}

/** Manual steppers by name, with MANUAL_STEPPER registered once for all. */
function manualSteppersOf(printer: Printer, gcode: GCodeDispatcher): Map<string, ManualStepper> {
  const known = printer.lookupObjectOrNull<Map<string, ManualStepper>>('manual_steppers');
  if (known) return known;
  const all = new Map<string, ManualStepper>();
  printer.addObject('manual_steppers', all);
  gcode.register(
    'MANUAL_STEPPER',
    (c) => {
      const name = c.get('STEPPER');
      const s = all.get(name);
      if (!s) throw c.error(`Unknown manual_stepper '${name}' (manual steppers: ${[...all.keys()].join(', ')})`);
      return s.cmd(c);
    },
    {
      help: 'Command a manually configured stepper',
      params: {
        STEPPER: 'manual_stepper name',
        ENABLE: '1 on, 0 off',
        SET_POSITION: 'mm',
        SPEED: 'mm/s',
        ACCEL: 'mm/s^2',
        MOVE: 'target position (mm)',
        STOP_ON_ENDSTOP: '1/2 stop at the switch (-1/-2 when it releases); 2/-2: no error without',
        SYNC: '0 = do not wait for the move',
      },
    },
  );
  return all;
}
