// The toolhead: takes moves in cartesian space (plus E), checks them against the kinematics and
// extruder limits, plans their trapezoids through the lookahead queue, places them on the print
// time line (trapq), and has every stepper generate and compress its steps.
//
// Print time: the first move after idle starts buffer_time_start (0.25 s) after the MCU's
// estimated print time "now" (batch mode: 0), then moves follow each other without gaps;
// G4 advances it; M400 / set position flush everything.

import type { ExtruderMotion } from './extruder.js';
import type { Kinematics } from './kinematics/kinematics.js';
import { LOOKAHEAD_FLUSH_TIME_S, LookaheadQueue } from './lookahead.js';
import { Move, MoveError, type MovePlannerLimits } from './move.js';
import type { RailFunction } from './rail-function.js';
import type { MotionStepper } from './stepper.js';
import { TrapQ } from './trapq.js';

/** Time from "now" to the first move after idle (s). */
export const BUFFER_TIME_START_S = 0.25;
/** Lookahead kept after a full flush before the next lazy flush is tried (s). */
export const BUFFER_TIME_HIGH_S = 2.0;
const MIN_KIN_TIME_S = 0.1;
const KIN_FLUSH_DELAY_S = 0.001;
/**
 * Homing ("drip") moves: steps go out only this far ahead of the MCU's clock, in slices this
 * long, so a trigger leaves little planned motion to throw away while steps still arrive in
 * time on a loaded host.
 */
const DRIP_AHEAD_S = 0.25;
const DRIP_SLICE_MS = 20;
/** M400 on a live printer polls the MCU clock at most this often. */
const DRAIN_POLL_MS = 50;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface ToolheadOptions {
  kinematics: Kinematics;
  maxVelocityMmS: number;
  maxAccelMmS2: number;
  /** Default 0.5. */
  minimumCruiseRatio?: number;
  /** Default 5. */
  squareCornerVelocityMmS?: number;
  /** The MCU's current time as print time; batch mode: () => 0 (the default). */
  estimatedPrintTimeS?: () => number;
  /**
   * Reproduce Klipper's batch mode exactly: its output (shared/reference/klipper-out) shows one
   * full lookahead flush (the head stops) just before the first extruding move, which we
   * attribute to its real-time "priming" timer firing during start-up. Off by default; batch
   * comparisons against Klipper turn it on.
   */
  klipperBatchPrimingFlush?: boolean;
  /**
   * Live mode: steps are generated only by sendStepsUntil() (the MCU flush timer), not when
   * moves leave the lookahead. Generating a long script's steps at once would queue seconds of
   * queue_step messages ahead of the MCU and take every move-queue slot, so a stepper starting
   * later (Z at a layer change) would get its slot too late ("Stepper too far in past").
   */
  streamSteps?: boolean;
}

export interface VelocityLimits {
  maxVelocityMmS: number;
  maxAccelMmS2: number;
  squareCornerVelocityMmS: number;
  minimumCruiseRatio: number;
}

export class Toolhead {
  readonly kinematics: Kinematics;
  readonly trapq = new TrapQ();
  readonly lookahead = new LookaheadQueue();
  /** Commanded x, y, z, e after the last queued move. */
  readonly commandedPos = new Float64Array(4);
  /** End of the last move placed on the time line (s). */
  printTimeS = 0;
  private extruder: ExtruderMotion | null = null;
  private readonly limits: MovePlannerLimits;
  private squareCornerVelocityMmS: number;
  private minimumCruiseRatio: number;
  private readonly estimatedPrintTimeS: () => number;
  private readonly streamSteps: boolean;
  /** After a full flush the next move re-syncs print time with the MCU ("NeedPrime"). */
  private needPrime = true;
  private steppers: MotionStepper[] = [];
  /** Steps are generated for everything planned up to here (s). */
  private stepGenTimeS = 0;
  private primingFlushPending: boolean;
  /** During a homing move: no steps are generated past this print time. */
  private dripLimitS = Infinity;
  /** Bumped by abortWaits() (shutdown): running drip moves and M400 waits end. */
  private abortEpoch = 0;

  constructor(o: ToolheadOptions) {
    this.primingFlushPending = o.klipperBatchPrimingFlush ?? false;
    this.kinematics = o.kinematics;
    this.squareCornerVelocityMmS = o.squareCornerVelocityMmS ?? 5;
    this.minimumCruiseRatio = o.minimumCruiseRatio ?? 0.5;
    this.estimatedPrintTimeS = o.estimatedPrintTimeS ?? (() => 0);
    this.streamSteps = o.streamSteps ?? false;
    this.limits = {
      maxVelocityMmS: o.maxVelocityMmS,
      maxAccelMmS2: o.maxAccelMmS2,
      maxAccelToDecelMmS2: 0,
      junctionDeviationMm: 0,
    };
    this.updateDerivedLimits();
    o.kinematics.setToolheadLimits?.(o.maxVelocityMmS, o.maxAccelMmS2);
    o.kinematics.attach(this.trapq);
    this.steppers = [...o.kinematics.steppers];
  }

  private updateDerivedLimits(): void {
    const l = this.limits;
    const scv = this.squareCornerVelocityMmS;
    l.junctionDeviationMm = (scv * scv * (Math.SQRT2 - 1)) / l.maxAccelMmS2;
    l.maxAccelToDecelMmS2 = l.maxAccelMmS2 * (1 - this.minimumCruiseRatio);
  }

  /**
   * The extruder moves with E from now on (ACTIVATE_EXTRUDER; again after its steppers changed).
   * ePosMm: where E continues (Klipper: the new extruder's own last position); default unchanged.
   */
  setExtruder(extruder: ExtruderMotion | null, ePosMm?: number): void {
    this.flushStepGeneration();
    this.extruder = extruder;
    if (ePosMm !== undefined) this.commandedPos[3] = ePosMm;
    this.steppers = [...this.kinematics.steppers];
    if (extruder) this.steppers.push(...extruder.steppers);
    if (extruder) extruder.setPosition(this.commandedPos[3]!);
  }

  getExtruder(): ExtruderMotion | null {
    return this.extruder;
  }

  /** Every stepper driven by this toolhead (kinematics, then extruder). */
  allSteppers(): readonly MotionStepper[] {
    return this.steppers;
  }

  getPosition(): [number, number, number, number] {
    const p = this.commandedPos;
    return [p[0]!, p[1]!, p[2]!, p[3]!];
  }

  /** Queue a move to pos (x, y, z, e) at speedMmS. Throws MoveError with Klipper's text. */
  move(pos: ArrayLike<number>, speedMmS: number): void {
    const move = new Move(this.limits, this.commandedPos, pos, speedMmS);
    if (!move.moveDMm) return;
    if (move.isKinematicMove) this.kinematics.checkMove(move);
    if (move.axesD[3]) {
      if (!this.extruder) throw move.moveError('Extrude when no extruder present');
      this.extruder.checkMove(move);
      if (this.primingFlushPending && move.axesD[3] > 0) {
        this.primingFlushPending = false;
        this.getLastMoveTime();
      }
    }
    this.commandedPos.set(move.endPos);
    if (this.lookahead.add(move, this.extruder)) this.processLookahead(true);
  }

  /** G4: wait seconds after the last move. */
  dwell(seconds: number): void {
    const next = this.getLastMoveTime() + Math.max(0, seconds);
    this.advanceMoveTime(next);
  }

  /**
   * Everything queued is planned. Batch mode also generates and sends all its steps; live, the
   * flush timer streams them (sending seconds of steps at once would fill the MCU queue).
   */
  waitMoves(): void {
    this.flushLookahead();
    if (!this.streamSteps) this.generateAndSendSteps(this.printTimeS + this.kinFlushDelayS(), true);
  }

  /** M400: plan everything and, live, wait until the MCU has run it (Klipper's wait_moves). */
  async drainMoves(): Promise<void> {
    this.waitMoves();
    if (!this.streamSteps) return;
    const epoch = this.abortEpoch;
    // Shaped / advanced rails settle up to the kin flush delay after the last move.
    const endS = this.printTimeS + this.kinFlushDelayS();
    for (;;) {
      const leftS = endS - this.estimatedPrintTimeS();
      if (!(leftS > 0) || epoch !== this.abortEpoch) return;
      await sleep(Math.min(DRAIN_POLL_MS, leftS * 1000 + 1));
    }
  }

  /** Shutdown: drip moves and M400 waits stop waiting. */
  abortWaits(): void {
    this.abortEpoch++;
  }

  /** Print time at which a non-motion command (fan, pin, heater) takes effect after the moves. */
  getLastMoveTime(): number {
    if (this.needPrime) {
      this.flushLookahead();
      this.calcPrintTime();
    } else {
      this.processLookahead(false);
    }
    return this.printTimeS;
  }

  /** Plan everything, generate all steps and send every run (before set position, at end). */
  flushStepGeneration(): void {
    this.flushLookahead();
    this.generateAndSendSteps(this.printTimeS + this.kinFlushDelayS(), true);
  }

  /**
   * Pressure advance / input shaping: the stepper's rail follows fn from now on (null: the plain
   * linear rail again). Flushes first, as Klipper does when the step generation window changes.
   */
  setStepperRailFunction(stepper: MotionStepper, fn: RailFunction | null): void {
    this.flushStepGeneration();
    stepper.setRailFunction(fn, this.stepGenTimeS);
  }

  /**
   * Klipper's kin flush delay: the largest scan window of any stepper (pressure advance, input
   * shaping). Steps at t need the planned motion up to t + this, so lazy step generation stays
   * this far behind the planned moves, a full flush runs this far past them (the head rests),
   * and the next moves start no earlier than that plus this.
   */
  kinFlushDelayS(): number {
    let d = 0;
    for (const s of this.steppers) {
      const w = s.scanWindowS;
      if (w > d) d = w;
    }
    return d;
  }

  /**
   * Live mode: force runs out up to printTimeS even if they could still grow (call from the
   * MCU flush timer; Klipper does this every ~0.5 s of print time).
   */
  sendStepsUntil(printTimeS: number): void {
    printTimeS = Math.min(printTimeS, this.dripLimitS);
    const d = this.kinFlushDelayS();
    if (this.streamSteps) this.generateAndSendSteps(Math.min(printTimeS, this.printTimeS + d), false);
    // All planned motion is due and the head stops after it (lookahead flushed): also send each
    // stepper's held-back last step, or a print's final step would wait for the next G-code.
    const stops = this.needPrime && printTimeS >= this.printTimeS + d && this.dripLimitS === Infinity;
    for (const s of this.steppers) s.flushSteps(stops ? Infinity : printTimeS);
  }

  /**
   * FORCE_MOVE STEPPER=... DISTANCE= VELOCITY= [ACCEL=]: one stepper moves alone after all
   * queued moves; the toolhead position is not changed (Klipper's behaviour).
   */
  forceMoveStepper(stepper: MotionStepper, distMm: number, speedMmS: number, accelMmS2 = 0): void {
    this.flushStepGeneration();
    const start = this.getLastMoveTime();
    const end = stepper.forceMove(distMm, speedMmS, accelMmS2, start);
    this.dwell(end - start);
    this.flushStepGeneration();
  }

  /**
   * A homing move: plans one move to pos and sends its steps only DRIP_AHEAD_S ahead of the MCU,
   * until it is done or `stopped()` (the endstop's trsync fired and the MCU halted the steppers).
   * Then the rest of the move is dropped: the caller resets the halted steppers (their unsent
   * steps are void, see MotionStepper.discardUnsentSteps) and sets the position
   * it learns from the MCU. Returns the move's path (print time -> position) for the trigger
   * time, or null when pos is where the toolhead already is.
   */
  async dripMove(pos: ArrayLike<number>, speedMmS: number, stopped: () => boolean): Promise<TrapQ | null> {
    this.flushStepGeneration();
    const move = new Move(this.limits, this.commandedPos, pos, speedMmS);
    if (!move.moveDMm) return null;
    if (move.isKinematicMove) this.kinematics.checkMove(move);
    this.commandedPos.set(move.endPos);
    this.lookahead.add(move, this.extruder);
    this.flushLookahead();
    const endS = this.printTimeS;
    const startS = endS - (move.accelT + move.cruiseT + move.decelT);
    const path = new TrapQ();
    const s = move.startPos;
    const r = move.axesR;
    path.append(
      startS,
      move.accelT,
      move.cruiseT,
      move.decelT,
      s[0]!,
      s[1]!,
      s[2]!,
      r[0]!,
      r[1]!,
      r[2]!,
      move.startV,
      move.cruiseV,
      move.accelMmS2,
    );
    if (!this.streamSteps) {
      // Batch mode: no clock to drip against; the move runs in full (Klipper's batch output).
      this.flushStepGeneration();
      return path;
    }
    const epoch = this.abortEpoch;
    this.dripLimitS = startS;
    try {
      while (!stopped() && epoch === this.abortEpoch && this.dripLimitS < endS) {
        const next = Math.min(endS, this.estimatedPrintTimeS() + DRIP_AHEAD_S);
        if (next > this.dripLimitS) {
          this.dripLimitS = next;
          this.generateAndSendSteps(next, false);
          for (const st of this.steppers) st.flushSteps(next >= endS ? Infinity : next);
        }
        if (this.dripLimitS < endS) await sleep(DRIP_SLICE_MS);
      }
      if (stopped() || epoch !== this.abortEpoch) {
        // The MCU halted the homing steppers: the rest of the move will never run (the caller
        // drops their unsent steps when it resets them; other steppers did not move).
        this.trapq.setPosition(this.commandedPos[0]!, this.commandedPos[1]!, this.commandedPos[2]!);
        this.printTimeS = Math.max(this.dripLimitS, this.stepGenTimeS);
        this.needPrime = true;
      }
    } finally {
      this.dripLimitS = Infinity;
    }
    return path;
  }

  /** G28 end / SET_KINEMATIC_POSITION / G92 on the toolhead: the toolhead is now at pos. */
  setPosition(pos: ArrayLike<number>, homingAxes = ''): void {
    this.flushStepGeneration();
    this.trapq.setPosition(pos[0]!, pos[1]!, pos[2]!);
    this.commandedPos.set([pos[0]!, pos[1]!, pos[2]!, pos[3]!]);
    this.kinematics.setPosition(pos, homingAxes);
    if (this.extruder && this.extruder.lastPositionMm !== pos[3]) this.extruder.setPosition(pos[3]!);
  }

  /** SET_VELOCITY_LIMIT / M204: change limits for the moves queued from now on. */
  setVelocityLimit(l: Partial<VelocityLimits>): void {
    const check = (name: string, v: number | undefined, ok: (v: number) => boolean, rule: string): void => {
      if (v !== undefined && !(Number.isFinite(v) && ok(v))) {
        throw new MoveError(`SET_VELOCITY_LIMIT: ${name} must be ${rule}, got ${v}`);
      }
    };
    check('VELOCITY', l.maxVelocityMmS, (v) => v > 0, 'above 0');
    check('ACCEL', l.maxAccelMmS2, (v) => v > 0, 'above 0');
    check('SQUARE_CORNER_VELOCITY', l.squareCornerVelocityMmS, (v) => v >= 0, '0 or more');
    check('MINIMUM_CRUISE_RATIO', l.minimumCruiseRatio, (v) => v >= 0 && v < 1, 'from 0 to below 1');
    if (l.maxVelocityMmS !== undefined) this.limits.maxVelocityMmS = l.maxVelocityMmS;
    if (l.maxAccelMmS2 !== undefined) this.limits.maxAccelMmS2 = l.maxAccelMmS2;
    if (l.squareCornerVelocityMmS !== undefined) this.squareCornerVelocityMmS = l.squareCornerVelocityMmS;
    if (l.minimumCruiseRatio !== undefined) this.minimumCruiseRatio = l.minimumCruiseRatio;
    this.updateDerivedLimits();
  }

  getVelocityLimits(): VelocityLimits {
    return {
      maxVelocityMmS: this.limits.maxVelocityMmS,
      maxAccelMmS2: this.limits.maxAccelMmS2,
      squareCornerVelocityMmS: this.squareCornerVelocityMmS,
      minimumCruiseRatio: this.minimumCruiseRatio,
    };
  }

  /** For `printer.toolhead` status (Klipper's field names). */
  getStatus(): Record<string, unknown> {
    return {
      position: this.getPosition(),
      homed_axes: this.kinematics.homedAxes,
      axis_minimum: [...this.kinematics.axisMinimum(), 0],
      axis_maximum: [...this.kinematics.axisMaximum(), 0],
      max_velocity: this.limits.maxVelocityMmS,
      max_accel: this.limits.maxAccelMmS2,
      minimum_cruise_ratio: this.minimumCruiseRatio,
      square_corner_velocity: this.squareCornerVelocityMmS,
      print_time: this.printTimeS,
      stalls: 0,
      estimated_print_time: this.estimatedPrintTimeS(),
      extruder: this.extruder ? this.extruder.name : '',
    };
  }

  /** Moves on the print time line: when the first one starts after idle. */
  private calcPrintTime(): void {
    const est = this.estimatedPrintTimeS();
    const kinTime = est + MIN_KIN_TIME_S + KIN_FLUSH_DELAY_S;
    let minPrintTime = Math.max(est + BUFFER_TIME_START_S, kinTime);
    // Steps generated past the last move assumed the head rests there (see kinFlushDelayS).
    const d = this.kinFlushDelayS();
    if (d > 0 && this.stepGenTimeS + d > minPrintTime) minPrintTime = this.stepGenTimeS + d;
    if (minPrintTime > this.printTimeS) this.printTimeS = minPrintTime;
  }

  private advanceMoveTime(nextPrintTimeS: number): void {
    if (nextPrintTimeS > this.printTimeS) this.printTimeS = nextPrintTimeS;
  }

  /**
   * Full flush: plan every queued move (the head stops after the last one); the next move
   * re-syncs print time with the MCU. Live mode calls this when the MCU is about to run out of
   * moves (Klipper's buffer_time_low), batch mode never needs it.
   */
  flushLookahead(): void {
    this.processLookahead(false);
    this.needPrime = true;
    this.lookahead.setFlushTime(BUFFER_TIME_HIGH_S);
  }

  private processLookahead(lazy: boolean): void {
    const moves = this.lookahead.flush(lazy);
    if (!moves.length) return;
    if (this.needPrime) {
      this.needPrime = false;
      this.calcPrintTime();
    }
    let t = this.printTimeS;
    const ex = this.extruder;
    for (const m of moves) {
      if (m.isKinematicMove) {
        const s = m.startPos;
        const r = m.axesR;
        this.trapq.append(t, m.accelT, m.cruiseT, m.decelT, s[0]!, s[1]!, s[2]!, r[0]!, r[1]!, r[2]!, m.startV, m.cruiseV, m.accelMmS2);
      }
      if (m.axesD[3] && ex) ex.processMove(t, m);
      t += m.accelT + m.cruiseT + m.decelT;
    }
    this.advanceMoveTime(t);
    if (!this.streamSteps) this.generateAndSendSteps(t, false);
  }

  /** Steps of everything planned before untilS; send finished runs (or all when force). */
  private generateAndSendSteps(untilS: number, force: boolean): void {
    const d = this.kinFlushDelayS();
    // Motion after printTimeS is unknown until the lookahead is flushed (then the head rests).
    if (d > 0 && !this.needPrime && untilS > this.printTimeS - d) untilS = this.printTimeS - d;
    if (untilS > this.stepGenTimeS) this.stepGenTimeS = untilS;
    const until = this.stepGenTimeS;
    for (const s of this.steppers) {
      s.generateSteps(until);
      if (force) s.flushSteps(Infinity);
      else s.flushFinishedRuns();
    }
    this.trapq.expireBefore(until - d);
    this.extruder?.trapq.expireBefore(until - d);
  }
}

export { LOOKAHEAD_FLUSH_TIME_S };
