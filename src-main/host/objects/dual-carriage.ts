// [dual_carriage]: IDEX printers, two independent carriages on X (or Y), as Klipper has them.
// The kinematics (motion/kinematics/dual-carriage.ts) drives both carriages' motors from the
// toolhead; this object reads the section, homes both carriages on G28 and owns the commands:
//   SET_DUAL_CARRIAGE CARRIAGE=0|1 [MODE=PRIMARY|COPY|MIRROR]
//   SAVE_DUAL_CARRIAGE_STATE [NAME=]   RESTORE_DUAL_CARRIAGE_STATE [NAME=] [MOVE=0|1] [MOVE_SPEED=]
// and the `dual_carriage` status (carriage_0, carriage_1: PRIMARY, COPY, MIRROR or INACTIVE).
// Cartesian printers (axis x or y) and hybrid_corexy / hybrid_corexz (axis x only, as Klipper:
// there the carriage's motor turns x - y or x - z, and the Y or Z switch halts it too).
import type { ConfigSection, PrinterConfig } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { LinearKinematics, Toolhead } from '../motion/index';
import { DualCarriageKinematics, type CarriageMode } from '../motion/kinematics/dual-carriage';
import type { Printer, PrinterObject } from '../printer';
import { DUAL_CARRIAGE_OPTIONS } from './dual-carriage-options';
import { createHomingRail, type HomingRail } from './endstop';
import type { GCodeMove } from './gcode-move';
import type { Homing } from './homing';
import type { QueryEndstops } from './query-endstops';
import { loadRail, loadStepper, type PrinterStepper, type RailSettings } from './stepper';

export const DUAL_CARRIAGE_SECTION = 'dual_carriage';
/** The kinematics a second carriage can ride on. */
const DUAL_CARRIAGE_KINEMATICS = ['cartesian', 'hybrid_corexy', 'hybrid_corexz'];

interface SavedState {
  modes: [CarriageMode, CarriageMode];
  positionsMm: [number, number];
}

/** What the [printer] object shares with the dual carriage while it builds the kinematics. */
export interface DualCarriageHost {
  steppers: PrinterStepper[];
  rails: Map<string, RailSettings>;
  homingRails: HomingRail[];
}

export class DualCarriage implements PrinterObject {
  readonly kinematics: DualCarriageKinematics;
  readonly stepper: PrinterStepper;
  /** Carriage 0's rail ([stepper_x]) and carriage 1's ([dual_carriage]). */
  readonly carriageRails: [HomingRail, HomingRail];
  readonly axisIndex: 0 | 1;
  private toolhead: Toolhead | null = null;
  private gcode: GCodeDispatcher | null = null;
  private readonly saved = new Map<string, SavedState>();

  constructor(
    private readonly printer: Printer,
    config: PrinterConfig,
    section: ConfigSection,
    kinematicsName: string,
    inner: LinearKinematics,
    host: DualCarriageHost,
  ) {
    const o = section.read(DUAL_CARRIAGE_OPTIONS);
    if (!DUAL_CARRIAGE_KINEMATICS.includes(kinematicsName)) {
      throw section.error(
        'axis',
        `[${section.name}] is supported on ${DUAL_CARRIAGE_KINEMATICS.join(', ')} printers only (this printer's kinematics is ${kinematicsName}): remove the section or change kinematics`,
      );
    }
    const axis = o.axis as 'x' | 'y';
    if (kinematicsName !== 'cartesian' && axis !== 'x') {
      throw section.error('axis', `[${section.name}] on ${kinematicsName} moves along X only: set axis: x`);
    }
    this.axisIndex = axis === 'x' ? 0 : 1;
    this.stepper = loadStepper(printer, section);
    host.steppers.push(this.stepper);
    const settings = loadRail(printer, section, { hasRange: true });
    host.rails.set(section.name, settings);
    const primaryRail = host.homingRails.find((r) => r.axis === axis)!;
    const primarySettings = primaryRail.settings;
    this.carriageRails = [primaryRail, createHomingRail(printer, axis, this.stepper, settings)];
    // After the kinematics' own rails: QUERY_ENDSTOPS lists it, a driver's virtual endstop
    // (sensorless homing) attaches to it; homing knows it drives its axis's rail.
    host.homingRails.push(this.carriageRails[1]);
    // Klipper infers the distance from the ranges: how far the carriages' ends are apart.
    const safeDistanceMm =
      o.safe_distance ??
      Math.min(
        Math.abs(settings.positionMinMm - primarySettings.positionMinMm),
        Math.abs(settings.positionMaxMm - primarySettings.positionMaxMm),
      );
    const lowCarriage = carriageOrder(primarySettings, settings);
    // [stepper_x] and any [stepper_x1] motors: carriage 0 (no coupled rails yet: hybrid's Y/Z
    // switch gets the X motors after the kinematics are built).
    const mainSteppers = [...primaryRail.steppers, ...primaryRail.extraEndstops.flatMap((e) => e.steppers)].map((s) => s.motion);
    this.kinematics = new DualCarriageKinematics(inner, {
      axisIndex: this.axisIndex,
      carriages: [
        { steppers: mainSteppers, positionMinMm: primarySettings.positionMinMm, positionMaxMm: primarySettings.positionMaxMm },
        { steppers: [this.stepper.motion], positionMinMm: settings.positionMinMm, positionMaxMm: settings.positionMaxMm },
      ],
      safeDistanceMm,
      lowCarriage,
      sectionName: section.name,
    });
  }

  /** Once the toolhead and homing exist: the commands and the G28 hook. */
  connect(toolhead: Toolhead, gcode: GCodeDispatcher, homing: Homing, _queryEndstops: QueryEndstops): void {
    this.toolhead = toolhead;
    this.gcode = gcode;
    homing.setAxisHomer(this.axisIndex, (homeRail) => this.home(homeRail));
    gcode.register('SET_DUAL_CARRIAGE', (c) => this.cmdSetDualCarriage(c), {
      help: 'Configure the dual carriages: which one prints, or copy/mirror mode',
      params: { CARRIAGE: '0 or 1', MODE: 'PRIMARY (default), COPY or MIRROR (COPY/MIRROR: carriage 1 only)' },
    });
    gcode.register('SAVE_DUAL_CARRIAGE_STATE', (c) => this.cmdSave(c), {
      help: 'Save the dual carriages’ modes and positions',
      params: { NAME: 'state name (default: default)' },
    });
    gcode.register('RESTORE_DUAL_CARRIAGE_STATE', (c) => this.cmdRestore(c), {
      help: 'Restore saved dual carriage modes and (MOVE=1, the default) positions',
      params: {
        NAME: 'state name (default: default)',
        MOVE: '1 move the carriages back (default), 0 modes only',
        MOVE_SPEED: 'mm/s (default: homing_speed)',
      },
    });
  }

  getStatus(): Record<string, unknown> {
    const m = this.kinematics.modes;
    return { carriage_0: m[0], carriage_1: m[1] };
  }

  private th(): Toolhead {
    if (!this.toolhead) throw new Error('dual carriage used before the toolhead exists');
    return this.toolhead;
  }

  /** Where each carriage is now (mm). */
  carriagePositions(): [number, number] {
    const x = this.th().getPosition()[this.axisIndex]!;
    return [this.kinematics.carriagePosition(0, x), this.kinematics.carriagePosition(1, x)];
  }

  /** Switch modes after the queued moves; the toolhead's axis becomes the new primary carriage. */
  private switchModes(modes: [CarriageMode, CarriageMode]): void {
    const th = this.th();
    th.flushStepGeneration();
    const pos = th.getPosition();
    pos[this.axisIndex] = this.kinematics.setModes(modes, pos[this.axisIndex]!);
    th.setPosition(pos);
    this.printer.lookupObjectOrNull<GCodeMove>('gcode_move')?.resetFromToolhead();
  }

  /**
   * G28 on the axis: each carriage homes to its own switch as the primary, the one whose homing
   * heads away from the other first (both forget their homing first, so no safe_distance check
   * stops a carriage on the way); carriage 0 is the primary afterwards.
   */
  private async home(homeRail: (rail: HomingRail) => Promise<void>): Promise<void> {
    this.kinematics.clearHomingState('xy'[this.axisIndex]!);
    for (const c of this.homingOrder()) {
      this.switchModes(c === 0 ? ['PRIMARY', 'INACTIVE'] : ['INACTIVE', 'PRIMARY']);
      await homeRail(this.carriageRails[c]);
    }
    this.switchModes(['PRIMARY', 'INACTIVE']);
  }

  private homingOrder(): (0 | 1)[] {
    const [a, b] = this.carriageRails.map((r) => r.settings);
    if (a!.homing_positive_dir === b!.homing_positive_dir) {
      // Both towards the same end: the carriage nearer that end first, or it would meet the other.
      const aFirst = a!.homing_positive_dir ? a!.position_endstop! >= b!.position_endstop! : a!.position_endstop! <= b!.position_endstop!;
      return aFirst ? [0, 1] : [1, 0];
    }
    return [0, 1];
  }

  private cmdSetDualCarriage(cmd: GCodeCommand): void {
    const carriage = cmd.getInt('CARRIAGE', undefined, { minval: 0, maxval: 1 }) as 0 | 1;
    const mode = cmd.get('MODE', 'PRIMARY').toUpperCase();
    if (mode !== 'PRIMARY' && mode !== 'COPY' && mode !== 'MIRROR') {
      throw cmd.error(`Invalid MODE=${mode} for SET_DUAL_CARRIAGE: use PRIMARY, COPY or MIRROR`);
    }
    if (mode !== 'PRIMARY') {
      if (carriage !== 1) throw cmd.error(`Mode ${mode} is only for CARRIAGE=1 (carriage 0 is then the primary)`);
      if (!this.kinematics.isHomed(0) || !this.kinematics.isHomed(1)) {
        throw cmd.error(`Mode ${mode} needs both carriages homed: run G28 ${'XY'[this.axisIndex]} first`);
      }
      this.switchModes(['PRIMARY', mode]);
      return;
    }
    this.switchModes(carriage === 0 ? ['PRIMARY', 'INACTIVE'] : ['INACTIVE', 'PRIMARY']);
  }

  private cmdSave(cmd: GCodeCommand): void {
    this.th().flushStepGeneration();
    const m = this.kinematics.modes;
    this.saved.set(cmd.get('NAME', 'default').toLowerCase(), { modes: [m[0], m[1]], positionsMm: this.carriagePositions() });
  }

  private cmdRestore(cmd: GCodeCommand): void {
    const name = cmd.get('NAME', 'default');
    const state = this.saved.get(name.toLowerCase());
    if (!state) {
      const known = [...this.saved.keys()];
      throw cmd.error(`Unknown DUAL_CARRIAGE state: ${name} (saved: ${known.join(', ') || 'none: run SAVE_DUAL_CARRIAGE_STATE first'})`);
    }
    const move = cmd.getInt('MOVE', 1, { minval: 0, maxval: 1 });
    if (move) {
      const speedArg = cmd.has('MOVE_SPEED') ? cmd.getFloat('MOVE_SPEED', undefined, { above: 0 }) : undefined;
      const th = this.th();
      // Each carriage back along its own axis as the primary; the one moving away from the other first.
      const now = this.carriagePositions();
      const away = (c: 0 | 1) => Math.abs(state.positionsMm[c] - now[1 - c]!) >= Math.abs(now[c] - now[1 - c]!);
      const order: (0 | 1)[] = away(0) || !away(1) ? [0, 1] : [1, 0];
      for (const c of order) {
        this.switchModes(c === 0 ? ['PRIMARY', 'INACTIVE'] : ['INACTIVE', 'PRIMARY']);
        const pos = th.getPosition();
        pos[this.axisIndex] = state.positionsMm[c];
        th.move(pos, speedArg ?? this.carriageRails[c].settings.homing_speed);
      }
    }
    // Offsets of COPY/MIRROR are taken from where the carriages are now.
    this.switchModes(state.modes);
  }
}

/** Which carriage is at the low end: the one whose endstop is lower (or range, if equal). */
function carriageOrder(primary: RailSettings, dual: RailSettings): 0 | 1 {
  const pe0 = primary.position_endstop ?? primary.positionMinMm;
  const pe1 = dual.position_endstop ?? dual.positionMinMm;
  if (pe0 !== pe1) return pe0 < pe1 ? 0 : 1;
  return primary.positionMinMm + primary.positionMaxMm <= dual.positionMinMm + dual.positionMaxMm ? 0 : 1;
}

/** [dual_carriage] on a cartesian or hybrid printer: the kinematics wrapped, or the plain one without it. */
export function withDualCarriage(
  printer: Printer,
  config: PrinterConfig,
  kinematicsName: string,
  inner: LinearKinematics,
  host: DualCarriageHost,
): { kinematics: LinearKinematics | DualCarriageKinematics; dualCarriage: DualCarriage | null } {
  const section = config.getOrNull(DUAL_CARRIAGE_SECTION);
  if (!section) return { kinematics: inner, dualCarriage: null };
  const dc = new DualCarriage(printer, config, section, kinematicsName, inner, host);
  printer.addObject(DUAL_CARRIAGE_SECTION, dc);
  return { kinematics: dc.kinematics, dualCarriage: dc };
}
