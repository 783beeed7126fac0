// [force_move]: SET_KINEMATIC_POSITION (declare where the toolhead is, marking axes homed) and
// FORCE_MOVE (move one stepper alone). Both are for debugging and start-up without homing, so
// they exist only with enable_force_move: True, as in Klipper.
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Toolhead } from '../motion/index';
import type { Printer } from '../printer';
import { allExtruderSteppers } from './extruder-stepper';
import type { GCodeMove } from './gcode-move';
import type { PrinterStepper } from './stepper';
import type { StepperEnable, StepperEnableLine } from './stepper-enable';
import type { PrinterToolhead } from './toolhead';
import { FORCE_MOVE_OPTIONS } from './printer-options';

/** Klipper pauses this long (s) after switching a driver on or off around a forced move. */
const ENABLE_STALL_TIME_S = 0.1;

export class ForceMove {
  readonly enabled: boolean;

  constructor(
    private readonly printer: Printer,
    gcode: GCodeDispatcher,
    section: ConfigSection,
  ) {
    this.enabled = section.read(FORCE_MOVE_OPTIONS).enable_force_move;
    if (!this.enabled) return;
    gcode.register('SET_KINEMATIC_POSITION', (c) => this.cmdSetKinematicPosition(c), {
      help: 'Force a low-level kinematic position',
      params: { X: 'mm', Y: 'mm', Z: 'mm', SET_HOMED: 'axes to mark homed (default XYZ)', CLEAR_HOMED: 'axes to mark not homed' },
    });
    gcode.register('FORCE_MOVE', (c) => this.cmdForceMove(c), {
      help: 'Manually move a stepper; invalidates kinematics',
      params: {
        STEPPER: 'stepper name (stepper_x, extruder, ...)',
        DISTANCE: 'mm',
        VELOCITY: 'mm/s',
        ACCEL: 'mm/s^2 (default 0: no ramp)',
      },
    });
  }

  /** Every stepper by its section name: the axes', every extruder's and extruder_stepper's. */
  private stepperByName(name: string): PrinterStepper | null {
    const all = [
      ...(this.printer.lookupObjectOrNull<PrinterToolhead>('printer_toolhead')?.steppers ?? []),
      ...allExtruderSteppers(this.printer).map((s) => s.stepper),
    ];
    return all.find((s) => s.name === name) ?? null;
  }

  /**
   * Moves one stepper alone after the queued moves, without changing the toolhead position
   * (Klipper's behaviour: the kinematic position is then wrong until SET_KINEMATIC_POSITION or
   * homing). Like Klipper, a driver that was off is switched on for the move (with a short
   * pause so it can energise first) and switched off again afterwards.
   */
  private cmdForceMove(cmd: GCodeCommand): void {
    const name = cmd.get('STEPPER');
    const stepper = this.stepperByName(name);
    const enable = this.printer.lookupObjectOrNull<StepperEnable>('stepper_enable');
    if (!stepper) {
      throw cmd.error(`Unknown stepper ${name} (steppers: ${(enable?.stepperNames() ?? []).join(', ')})`);
    }
    const distMm = cmd.getFloat('DISTANCE');
    const speedMmS = cmd.getFloat('VELOCITY', undefined, { above: 0 });
    const accelMmS2 = cmd.getFloat('ACCEL', 0, { minval: 0 });
    const th = this.printer.lookupObject<Toolhead>('toolhead');
    const line = enable?.lookupLine(name) ?? null;
    const wasEnabled = this.forceEnable(th, line);
    th.forceMoveStepper(stepper.motion, distMm, speedMmS, accelMmS2);
    if (!wasEnabled) this.restoreDisabled(th, line);
  }

  /** Switches the driver on before the move; returns whether it was on already. */
  private forceEnable(th: Toolhead, line: StepperEnableLine | null): boolean {
    if (!line || line.isEnabled) return true;
    th.flushStepGeneration();
    line.motorEnable(line.clockAt(th.getLastMoveTime()));
    th.dwell(ENABLE_STALL_TIME_S);
    return false;
  }

  /** Switches the driver off again once the move's steps are done. */
  private restoreDisabled(th: Toolhead, line: StepperEnableLine | null): void {
    if (!line) return;
    // forceMoveStepper sent every step: the disable goes after the last one.
    line.motorDisable(line.clockAt(th.getLastMoveTime()));
    th.dwell(ENABLE_STALL_TIME_S);
  }

  private cmdSetKinematicPosition(cmd: GCodeCommand): void {
    const th = this.printer.lookupObject<Toolhead>('toolhead');
    th.getLastMoveTime();
    const cur = Array.from(th.getPosition());
    const x = cmd.getFloat('X', cur[0]);
    const y = cmd.getFloat('Y', cur[1]);
    const z = cmd.getFloat('Z', cur[2]);
    const setHomed = cmd.get('SET_HOMED', 'XYZ').toLowerCase();
    const clearHomed = cmd.get('CLEAR_HOMED', '').toLowerCase();
    for (const a of setHomed + clearHomed) {
      if (!'xyz'.includes(a)) throw cmd.error(`Invalid axis '${a.toUpperCase()}' in SET_HOMED/CLEAR_HOMED: use X, Y and/or Z`);
    }
    th.setPosition([x, y, z, cur[3]], [...setHomed].filter((a) => !clearHomed.includes(a)).join(''));
    if (clearHomed) th.kinematics.clearHomingState(clearHomed);
    this.printer.lookupObject<GCodeMove>('gcode_move').resetFromToolhead();
  }
}
