// G-code coordinate state (Klipper's gcode_move): absolute/relative modes, G92 offsets, speed and
// extrusion factors, saved states. It turns G0/G1 parameters into toolhead positions.
import { GCodeCommand, GCodeError } from '../gcode/command';
import { parseLine } from '../gcode/parser';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';

/** What gcode_move needs from the toolhead (positions are [x, y, z, e] in mm). */
export interface MoveTarget {
  getPosition(): number[];
  setPosition(pos: number[], homingAxes?: string): void;
  move(pos: number[], speedMmS: number): void;
  dwell(delayS: number): void;
  waitMoves(): Promise<void>;
  /** Current limits for SET_VELOCITY_LIMIT / M204. */
  getVelocityLimits(): VelocityLimits;
  setVelocityLimits(limits: Partial<VelocityLimits>): void;
}

/**
 * Klipper's manual_move, for tools that drive the toolhead themselves (safe_z_home, probe,
 * bed_screws): a move from the toolhead's position with only the given axes changed (null or
 * missing = unchanged), after which gcode_move takes the new position as its own.
 */
export function manualMove(printer: Printer, coords: (number | null)[], speedMmS: number): void {
  const th = printer.lookupObject<MoveTarget>('toolhead');
  const pos = th.getPosition().slice();
  coords.forEach((v, i) => {
    if (v !== null) pos[i] = v;
  });
  th.move(pos, speedMmS);
  printer.lookupObjectOrNull<GCodeMove>('gcode_move')?.resetFromToolhead();
}

/**
 * A stage between G-code moves and the toolhead (Klipper's move transform): [bed_mesh] adds
 * the bed's Z, later skew or tilt correction. It takes moves in G-code space (after offsets)
 * and hands adjusted ones to the next stage; getPosition maps the toolhead's position back.
 */
export interface MoveTransform {
  getPosition(): number[];
  move(pos: number[], speedMmS: number): void;
}

export interface VelocityLimits {
  maxVelocityMmS: number;
  maxAccelMmS2: number;
  squareCornerVelocityMmS: number;
  minimumCruiseRatio: number;
}

interface GCodeState {
  absoluteCoord: boolean;
  absoluteExtrude: boolean;
  basePosition: number[];
  lastPosition: number[];
  homingPosition: number[];
  speedMmS: number;
  speedFactor: number;
  extrudeFactor: number;
}

const AXES = ['X', 'Y', 'Z', 'E'] as const;

interface StepperPosition {
  name: string;
  motion: { mcuPositionSteps: number; reportedPositionMm: number };
}

export class GCodeMove {
  absoluteCoord = true;
  absoluteExtrude = true;
  basePosition = [0, 0, 0, 0];
  lastPosition = [0, 0, 0, 0];
  homingPosition = [0, 0, 0, 0];
  /** Feed rate in mm/s already multiplied by the speed factor. */
  speedMmS = 25;
  /** Converts F (mm/min) to mm/s including M220: 1/60 at 100 %. */
  speedFactor = 1 / 60;
  extrudeFactor = 1;
  private readonly saved = new Map<string, GCodeState>();
  private target: MoveTarget | null = null;
  private transform: MoveTransform | null = null;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
  ) {
    const reg = (name: string, fn: (c: GCodeCommand) => void | Promise<void>, help = '', params?: Record<string, string>) =>
      gcode.register(name, fn, params ? { help, params } : { help });
    reg('G1', (c) => this.cmdG1(c), 'Linear move', { X: 'mm', Y: 'mm', Z: 'mm', E: 'mm of filament', F: 'feed rate (mm/min)' });
    reg('G0', (c) => this.cmdG1(c), 'Linear move (same as G1)');
    const fast = (w: Float64Array, mask: number, line: string) => this.fastG1(w, mask, line);
    gcode.setMoveFastPath('G1', fast);
    gcode.setMoveFastPath('G0', fast);
    reg('G4', (c) => this.cmdG4(c), 'Dwell', { P: 'milliseconds' });
    reg('G90', () => void (this.absoluteCoord = true), 'Absolute coordinates');
    reg('G91', () => void (this.absoluteCoord = false), 'Relative coordinates');
    reg('M82', () => void (this.absoluteExtrude = true), 'Absolute extrusion');
    reg('M83', () => void (this.absoluteExtrude = false), 'Relative extrusion');
    reg('G92', (c) => this.cmdG92(c), 'Set position', { X: 'mm', Y: 'mm', Z: 'mm', E: 'mm' });
    reg('M114', () => this.cmdM114(), 'Report the current G-code position');
    reg('M220', (c) => this.cmdM220(c), 'Set speed factor override percentage', { S: 'percent' });
    reg('M221', (c) => this.cmdM221(c), 'Set extrude factor override percentage', { S: 'percent' });
    reg('M400', () => this.moveTarget().waitMoves(), 'Wait for all moves to finish');
    reg('M204', (c) => this.cmdM204(c), 'Set acceleration', { S: 'mm/s^2', P: 'mm/s^2 (print)', T: 'mm/s^2 (travel)' });
    reg('SET_VELOCITY_LIMIT', (c) => this.cmdSetVelocityLimit(c), 'Set printer velocity limits', {
      VELOCITY: 'mm/s',
      ACCEL: 'mm/s^2',
      SQUARE_CORNER_VELOCITY: 'mm/s',
      MINIMUM_CRUISE_RATIO: '0..1',
    });
    reg('GET_POSITION', () => this.cmdGetPosition(), 'Return information on the current location of the toolhead');
    reg('SET_GCODE_OFFSET', (c) => this.cmdSetGCodeOffset(c), 'Set a virtual offset to g-code positions', {
      X: 'mm',
      Y: 'mm',
      Z: 'mm',
      E: 'mm',
      X_ADJUST: 'mm',
      Y_ADJUST: 'mm',
      Z_ADJUST: 'mm',
      MOVE: '1 to move now',
      MOVE_SPEED: 'mm/s',
    });
    reg('SAVE_GCODE_STATE', (c) => this.cmdSaveState(c), 'Save G-Code coordinate state', { NAME: 'state name' });
    reg('RESTORE_GCODE_STATE', (c) => this.cmdRestoreState(c), 'Restore a previously saved G-Code state', {
      NAME: 'state name',
      MOVE: '1 to move back',
      MOVE_SPEED: 'mm/s',
    });
    // [firmware_retraction] replaces these; without it, a clear error. (G28: homing.ts.)
    const retraction = () => {
      throw new Error('G10/G11 firmware retraction is not enabled: add a [firmware_retraction] section to printer.cfg');
    };
    reg('G10', retraction, 'Retract (needs [firmware_retraction])');
    reg('G11', retraction, 'Unretract (needs [firmware_retraction])');
  }

  /** The dispatcher commands register with (homing, QUERY_ENDSTOPS). */
  get dispatcher(): GCodeDispatcher {
    return this.gcode;
  }

  /** After G28: take the toolhead's position; homed axes drop their G92 offsets (Klipper). */
  noteHomed(axes: number[]): void {
    this.resetFromToolhead();
    for (const i of axes) this.basePosition[i] = this.homingPosition[i];
  }

  /** Called by the toolhead's owner once it exists. */
  setMoveTarget(target: MoveTarget): void {
    this.target = target;
    this.resetFromToolhead();
  }

  /**
   * Puts `transform` between G-code moves and the toolhead; returns the stage it must pass its
   * moves to (the toolhead, or a transform installed before it with `force`).
   */
  setMoveTransform(transform: MoveTransform, force = false): MoveTransform {
    if (this.transform && !force) throw new Error('A G-code move transform is already installed (two sections correct the same moves)');
    const next: MoveTransform = this.transform ?? {
      getPosition: () => this.moveTarget().getPosition(),
      move: (pos, speedMmS) => this.moveTarget().move(pos, speedMmS),
    };
    this.transform = transform;
    return next;
  }

  /** Where G-code moves go: the transform if one is installed, else the toolhead. */
  private moveStage(): MoveTransform {
    return this.transform ?? this.moveTarget();
  }

  private moveTarget(): MoveTarget {
    if (!this.target) throw new Error('No toolhead: printer.cfg has no [printer] section loaded');
    return this.target;
  }

  /** Re-reads the toolhead position (after SET_KINEMATIC_POSITION or homing). */
  resetFromToolhead(): void {
    this.lastPosition = this.moveStage().getPosition().slice(0, 4);
  }

  /** The G-code position the user sees (M114): toolhead position minus offsets. */
  gcodePosition(): number[] {
    const p = this.lastPosition;
    const b = this.basePosition;
    return [p[0] - b[0], p[1] - b[1], p[2] - b[2], (p[3] - b[3]) / this.extrudeFactor];
  }

  cmdG1(cmd: GCodeCommand): void {
    const params = cmd.params;
    // Check the speed before touching the position, so a bad line changes nothing.
    const rawF = params.F;
    let speedMmS = this.speedMmS;
    if (rawF !== undefined) {
      const f = parseNumber(rawF);
      if (Number.isNaN(f) || f <= 0) throw cmd.error(`Invalid speed F='${rawF}': must be a number above 0 (mm/min)`);
      speedMmS = f * this.speedFactor;
    }
    // Work on a copy so a bad word leaves the state as it was.
    const last = this.lastPosition.slice();
    for (let i = 0; i < 3; i++) {
      const raw = params[AXES[i]];
      if (raw === undefined) continue;
      const v = parseNumber(raw);
      if (Number.isNaN(v)) throw cmd.error(`Unable to parse move: ${AXES[i]}='${raw}' is not a number`);
      last[i] = this.absoluteCoord ? v + this.basePosition[i] : last[i] + v;
    }
    const rawE = params.E;
    if (rawE !== undefined) {
      const v = parseNumber(rawE);
      if (Number.isNaN(v)) throw cmd.error(`Unable to parse move: E='${rawE}' is not a number`);
      const e = v * this.extrudeFactor;
      last[3] = this.absoluteCoord && this.absoluteExtrude ? e + this.basePosition[3] : last[3] + e;
    }
    this.speedMmS = speedMmS;
    this.lastPosition = last;
    this.moveTo(last, this.speedMmS, cmd);
  }

  /** G1 from pre-parsed words (print files): the same rules as cmdG1 without building a command. */
  fastG1(w: Float64Array, mask: number, line: string): void {
    // A bad F goes the slow way for the same message as cmdG1.
    if (mask & 16 && !(w[4] > 0)) return this.cmdG1(new GCodeCommand(parseLine(line), line));
    const last = this.lastPosition;
    const base = this.basePosition;
    const abs = this.absoluteCoord;
    if (mask & 1) last[0] = abs ? w[0] + base[0] : last[0] + w[0];
    if (mask & 2) last[1] = abs ? w[1] + base[1] : last[1] + w[1];
    if (mask & 4) last[2] = abs ? w[2] + base[2] : last[2] + w[2];
    if (mask & 8) {
      const e = w[3] * this.extrudeFactor;
      last[3] = abs && this.absoluteExtrude ? e + base[3] : last[3] + e;
    }
    if (mask & 16) this.speedMmS = w[4] * this.speedFactor;
    try {
      this.moveStage().move(last, this.speedMmS);
    } catch (e) {
      this.resetFromToolhead();
      throw new GCodeError(`${(e as Error).message} in '${line.trim()}'`);
    }
  }

  /** Moves the toolhead to `pos` (toolhead coordinates); errors carry the G-code line. */
  moveTo(pos: number[], speedMmS: number, cmd?: GCodeCommand): void {
    try {
      this.moveStage().move(pos, speedMmS);
    } catch (e) {
      // The toolhead refused (e.g. "Move out of range"): keep our state at the toolhead's.
      this.resetFromToolhead();
      if (cmd) throw cmd.error((e as Error).message);
      throw e;
    }
  }

  private cmdG4(cmd: GCodeCommand): void {
    const ms = cmd.getFloat('P', 0, { minval: 0 });
    this.moveTarget().dwell(ms / 1000);
  }

  private cmdG92(cmd: GCodeCommand): void {
    let any = false;
    for (let i = 0; i < 4; i++) {
      if (!cmd.has(AXES[i])) continue;
      any = true;
      let offset = cmd.getFloat(AXES[i]);
      if (i === 3) offset *= this.extrudeFactor;
      this.basePosition[i] = this.lastPosition[i] - offset;
    }
    if (!any) this.basePosition = this.lastPosition.slice();
  }

  private cmdM114(): void {
    const p = this.gcodePosition();
    this.gcode.respondRaw(`X:${p[0].toFixed(3)} Y:${p[1].toFixed(3)} Z:${p[2].toFixed(3)} E:${p[3].toFixed(3)}`);
  }

  private cmdM220(cmd: GCodeCommand): void {
    const factor = cmd.getFloat('S', 100, { above: 0 }) / (60 * 100);
    this.speedMmS = (this.speedMmS / this.speedFactor) * factor;
    this.speedFactor = factor;
  }

  private cmdM221(cmd: GCodeCommand): void {
    const factor = cmd.getFloat('S', 100, { above: 0 }) / 100;
    const lastE = (this.lastPosition[3] - this.basePosition[3]) / this.extrudeFactor;
    this.basePosition[3] = this.lastPosition[3] - lastE * factor;
    this.extrudeFactor = factor;
  }

  private cmdM204(cmd: GCodeCommand): void {
    let accel: number;
    if (cmd.has('S')) accel = cmd.getFloat('S', undefined, { above: 0 });
    else if (cmd.has('P') && cmd.has('T'))
      accel = Math.min(cmd.getFloat('P', undefined, { above: 0 }), cmd.getFloat('T', undefined, { above: 0 }));
    else if (cmd.has('P') || cmd.has('T')) accel = cmd.getFloat(cmd.has('P') ? 'P' : 'T', undefined, { above: 0 });
    else throw cmd.error('Invalid M204 command: give S (or P and/or T) in mm/s^2');
    this.moveTarget().setVelocityLimits({ maxAccelMmS2: accel });
  }

  private cmdSetVelocityLimit(cmd: GCodeCommand): void {
    const change: Partial<VelocityLimits> = {};
    if (cmd.has('VELOCITY')) change.maxVelocityMmS = cmd.getFloat('VELOCITY', undefined, { above: 0 });
    if (cmd.has('ACCEL')) change.maxAccelMmS2 = cmd.getFloat('ACCEL', undefined, { above: 0 });
    if (cmd.has('SQUARE_CORNER_VELOCITY'))
      change.squareCornerVelocityMmS = cmd.getFloat('SQUARE_CORNER_VELOCITY', undefined, { minval: 0 });
    if (cmd.has('MINIMUM_CRUISE_RATIO'))
      change.minimumCruiseRatio = cmd.getFloat('MINIMUM_CRUISE_RATIO', undefined, { minval: 0, below: 1 });
    const target = this.moveTarget();
    target.setVelocityLimits(change);
    const l = target.getVelocityLimits();
    const msg =
      `max_velocity: ${l.maxVelocityMmS.toFixed(6)}\nmax_accel: ${l.maxAccelMmS2.toFixed(6)}\n` +
      `minimum_cruise_ratio: ${l.minimumCruiseRatio.toFixed(6)}\nsquare_corner_velocity: ${l.squareCornerVelocityMmS.toFixed(6)}`;
    if (Object.keys(change).length === 0) this.gcode.respondInfo(msg);
    else this.gcode.respondInfo(msg);
  }

  /**
   * Klipper's lines: mcu (each axis stepper's step count: the MCU's own after homing), stepper
   * (its position in mm), kinematic (the toolhead position those give), toolhead, gcode (the
   * G-code position in toolhead coordinates), gcode base (G92/SET_GCODE_OFFSET offsets), gcode
   * homing. Everything planned is sent first, so the figures describe where motion will end.
   */
  private cmdGetPosition(): void {
    const pt = this.printer.lookupObjectOrNull<{ steppers: StepperPosition[] }>('printer_toolhead');
    const kin = this.printer.lookupObjectOrNull<{ flushStepGeneration(): void; kinematics: { calcPosition(): number[] } }>('toolhead');
    kin?.flushStepGeneration();
    const th = this.moveTarget().getPosition();
    const fmt = (names: readonly string[], v: number[]) => names.map((n, i) => `${n}:${v[i].toFixed(6)}`).join(' ');
    const xyze = ['X', 'Y', 'Z', 'E'];
    const lines: string[] = [];
    const steppers = pt?.steppers ?? [];
    if (steppers.length && kin) {
      lines.push(
        `mcu: ${steppers.map((s) => `${s.name}:${s.motion.mcuPositionSteps}`).join(' ')}`,
        `stepper: ${steppers.map((s) => `${s.name}:${s.motion.reportedPositionMm.toFixed(6)}`).join(' ')}`,
        `kinematic: ${fmt(['X', 'Y', 'Z'], kin.kinematics.calcPosition())}`,
      );
    }
    lines.push(
      `toolhead: ${fmt(xyze, th)}`,
      `gcode: ${fmt(xyze, this.lastPosition)}`,
      `gcode base: ${fmt(xyze, this.basePosition)}`,
      `gcode homing: ${fmt(['X', 'Y', 'Z'], this.homingPosition)}`,
    );
    this.gcode.respondInfo(lines.join('\n'));
  }

  private cmdSetGCodeOffset(cmd: GCodeCommand): void {
    const moveDelta = [0, 0, 0, 0];
    for (let i = 0; i < 4; i++) {
      const axis = AXES[i];
      let offset: number;
      if (cmd.has(axis)) offset = cmd.getFloat(axis);
      else if (cmd.has(`${axis}_ADJUST`)) offset = cmd.getFloat(`${axis}_ADJUST`) + this.homingPosition[i];
      else continue;
      const delta = offset - this.homingPosition[i];
      moveDelta[i] = delta;
      this.basePosition[i] += delta;
      this.homingPosition[i] = offset;
    }
    if (cmd.getInt('MOVE', 0, { minval: 0, maxval: 1 })) {
      const speed = cmd.getFloat('MOVE_SPEED', this.speedMmS, { above: 0 });
      for (let i = 0; i < 4; i++) this.lastPosition[i] += moveDelta[i];
      this.moveTo(this.lastPosition, speed, cmd);
    }
  }

  private cmdSaveState(cmd: GCodeCommand): void {
    this.saved.set(cmd.get('NAME', 'default'), {
      absoluteCoord: this.absoluteCoord,
      absoluteExtrude: this.absoluteExtrude,
      basePosition: this.basePosition.slice(),
      lastPosition: this.lastPosition.slice(),
      homingPosition: this.homingPosition.slice(),
      speedMmS: this.speedMmS,
      speedFactor: this.speedFactor,
      extrudeFactor: this.extrudeFactor,
    });
  }

  private cmdRestoreState(cmd: GCodeCommand): void {
    const name = cmd.get('NAME', 'default');
    const s = this.saved.get(name);
    if (!s) throw cmd.error(`Unknown g-code state: ${name} (save it first with SAVE_GCODE_STATE NAME=${name})`);
    this.absoluteCoord = s.absoluteCoord;
    this.absoluteExtrude = s.absoluteExtrude;
    this.basePosition = s.basePosition.slice();
    this.homingPosition = s.homingPosition.slice();
    this.speedMmS = s.speedMmS;
    this.speedFactor = s.speedFactor;
    this.extrudeFactor = s.extrudeFactor;
    // The extruder stays where it is: shift the E base so the saved E position is kept.
    this.basePosition[3] += this.lastPosition[3] - s.lastPosition[3];
    if (cmd.getInt('MOVE', 0, { minval: 0, maxval: 1 })) {
      const speed = cmd.getFloat('MOVE_SPEED', this.speedMmS, { above: 0 });
      for (let i = 0; i < 3; i++) this.lastPosition[i] = s.lastPosition[i];
      this.moveTo(this.lastPosition, speed, cmd);
    }
  }
}

/** Number() with '' rejected; G-code values like '10', '-.5', '1e3'. */
function parseNumber(raw: string): number {
  if (raw === '') return NaN;
  const v = +raw;
  return Number.isFinite(v) ? v : NaN;
}
