// One stepper motor's motion: where it is along its rail as a function of time (from the
// kinematics' trapq), the exact time of every step (each crossing of a half-step boundary), and
// the compressed runs for its MCU.
//
// Three position laws cover every kinematics we have:
//  - linear: rail = cx*x + cy*y + cz*z (cartesian, corexy, hybrid, extruder). Inside a trapq
//    segment the rail moves one way only, so each step time is a closed-form root of
//    start_v*t + half_accel*t^2 = distance (no iteration).
//  - geometry: rail = f(x, y, z) for a RailGeometry (delta tower, deltesian arm, polar bed and
//    arm, winch cable, rotary delta shoulder), not monotonic inside a segment.
//  - rail function (pressure advance, input shaping): rail = f(t) over several segments.
// The last two share one numerical solver (solveSteps): predict the next half-step crossing from
// the velocity, bracket it, and narrow the bracket with Newton steps kept inside it.

import type { RailEvaluator, RailFunction } from './rail-function.js';
import { StepCompressor } from './step-compress.js';
import type { StepSink } from './step-sink.js';
import { TrapQ } from './trapq.js';

/** A step counts as reached when the rail is within this of the half-step boundary (mm). */
const STEP_EPSILON_MM = 1e-9;
/** Step times are found to this precision by the numerical solver (s). */
const SOLVE_TIME_EPSILON_S = 1e-10;
/** A reversal must pass the half-step boundary by this much to count (mm). */
const REVERSE_EPSILON_MM = 1e-8;
/** Default largest early error of a compressed step (PROTOCOL.md 1.9). */
export const MAX_STEP_ERROR_S = 0.000025;
const CHUNK_STEPS = 1 << 15;
/** Numerical solver: the furthest it looks ahead in one go (s). */
const SEEK_MAX_S = 0.001;
/** flushFinishedRuns() waits for this many pending steps. */
const LAZY_EMIT_STEPS = 1 << 14;
/** A step undone by a reverse step within this time is dropped with it (s). */
export const SDS_FILTER_TIME_S = 0.00075;

/** Time into a segment at which it has covered distance x (>= 0): root of v0*t + ha*t^2 = x. */
function stepTime(x: number, v0: number, v02: number, ha4: number, end: number): number {
  let disc = v02 + ha4 * x;
  if (disc < 0) disc = 0;
  const den = v0 + Math.sqrt(disc);
  const t = den > 0 ? (2 * x) / den : 0;
  return t > end ? end : t;
}

/**
 * A rail that is a nonlinear function of the toolhead position. `evaluate` sets pos (the rail
 * position at x, y, z) and vel (its rate of change for a toolhead velocity vx, vy, vz); `nearMm`
 * is where the rail is now, for rails whose position wraps (an angle: the turn nearest to it).
 */
export interface RailGeometry {
  pos: number;
  vel: number;
  evaluate(x: number, y: number, z: number, vx: number, vy: number, vz: number, nearMm: number): void;
}

/** A RailGeometry driven by one trapq segment: the solver's view of a geometry rail (t: s into the segment). */
class SegmentRail implements RailEvaluator {
  pos = 0;
  vel = 0;
  tq: TrapQ | null = null;
  index = 0;
  nearMm = 0;
  constructor(readonly geometry: RailGeometry) {}
  evaluate(t: number): void {
    const tq = this.tq!;
    const i = this.index;
    const v0 = tq.startVMmS[i]!;
    const ha = tq.halfAccelMmS2[i]!;
    const d = (v0 + ha * t) * t;
    const v = v0 + 2 * ha * t;
    const rx = tq.axesRX[i]!;
    const ry = tq.axesRY[i]!;
    const rz = tq.axesRZ[i]!;
    const g = this.geometry;
    g.evaluate(tq.startX[i]! + rx * d, tq.startY[i]! + ry * d, tq.startZ[i]! + rz * d, rx * v, ry * v, rz * v, this.nearMm);
    this.pos = g.pos;
    this.vel = g.vel;
  }
}

/** Delta tower: rail = z + sqrt(arm^2 - (x-tx)^2 - (y-ty)^2). */
export class DeltaTowerGeometry implements RailGeometry {
  pos = 0;
  vel = 0;
  private readonly arm2: number;
  constructor(
    readonly towerX: number,
    readonly towerY: number,
    armLengthMm: number,
  ) {
    this.arm2 = armLengthMm * armLengthMm;
  }
  evaluate(x: number, y: number, z: number, vx: number, vy: number, vz: number): void {
    const dx = x - this.towerX;
    const dy = y - this.towerY;
    const root = Math.sqrt(this.arm2 - dx * dx - dy * dy);
    this.pos = z + root;
    this.vel = vz - (dx * vx + dy * vy) / root;
  }
}

const KIND_LINEAR = 0;
/** Rail = geometry(x, y, z): steps found numerically, one trapq segment at a time. */
const KIND_GEOMETRY = 1;
/** Pressure advance / input shaping: position from a RailFunction, steps found numerically. */
const KIND_FUNC = 2;

export interface MotionStepperOptions {
  /** The config section name, e.g. 'stepper_x' (used in messages and status). */
  name: string;
  stepDistMm: number;
  /** dir_pin inverted ('!'): the level sent by set_next_step_dir is flipped. */
  invertDir?: boolean;
  clockFreqHz: number;
  sink: StepSink;
  maxErrorS?: number;
}

export class MotionStepper {
  readonly name: string;
  /** Changed only by setStepDistance (SET_EXTRUDER_ROTATION_DISTANCE). */
  stepDistMm: number;
  invertDir: boolean;
  readonly compressor: StepCompressor;
  clockFreqHz: number;
  printTimeAtClockZeroS = 0;
  private readonly maxErrorS: number;
  /** Net steps sent since creation (positive direction counts up). */
  mcuPositionSteps = 0;
  /** Steps generated in total (both directions). */
  stepCount = 0;
  /** An extruder stepper's pressure advance (s) and smoothing window (s): see ExtruderMotion. */
  pressureAdvance = { advanceS: 0, smoothTimeS: 0.04 };

  /**
   * Called once, with the print time of the first planned segment that moves this stepper
   * (stepper_enable turns the driver on then); re-arm it with armActiveCallback after M84.
   */
  private onActive: ((printTimeS: number) => void) | null = null;
  private kind = KIND_LINEAR;
  private cx = 0;
  private cy = 0;
  private cz = 0;
  private segRail: SegmentRail | null = null;
  private trapq: TrapQ | null = null;
  private railFn: RailFunction | null = null;
  private seq = 0;
  /** Position of the last step = originMm + stepsFromOrigin * stepDistMm. */
  private originMm = 0;
  private stepsFromOrigin = 0;
  /** -1 until the first step; then 1 (positive) or 0. */
  private dir = -1;
  private genTimeS = 0;
  /**
   * The last generated step is held back: if the rail turns and steps back within
   * SDS_FILTER_TIME_S without having reached that step's full-step position, both steps are
   * dropped (a boundary touched and left is no motion), as Klipper's step+dir+step filter does.
   */
  private pendingClock = -1;
  private pendingDirSign = 0;
  private pendingCenterMm = 0;
  private pendingCommitted = false;
  private sdsFilterTicks: number;

  constructor(o: MotionStepperOptions) {
    if (!(o.stepDistMm > 0)) throw new Error(`${o.name}: step distance must be above 0`);
    this.name = o.name;
    this.stepDistMm = o.stepDistMm;
    this.invertDir = o.invertDir ?? false;
    this.clockFreqHz = o.clockFreqHz;
    this.maxErrorS = o.maxErrorS ?? MAX_STEP_ERROR_S;
    this.compressor = new StepCompressor(o.sink, this.maxErrorS * o.clockFreqHz);
    this.sdsFilterTicks = SDS_FILTER_TIME_S * o.clockFreqHz;
  }

  /**
   * clock = round((printTimeS - printTimeAtClockZeroS) * clockFreqHz). Also rescales the
   * compression error window (25 us) and the step+unstep filter to the new frequency.
   */
  setClockMapping(clockFreqHz: number, printTimeAtClockZeroS: number): void {
    if (this.compressor.pending > 0) this.flushSteps(Infinity);
    this.clockFreqHz = clockFreqHz;
    this.compressor.setMaxError(this.maxErrorS * clockFreqHz);
    this.printTimeAtClockZeroS = printTimeAtClockZeroS;
    this.sdsFilterTicks = SDS_FILTER_TIME_S * clockFreqHz;
  }

  setSink(sink: StepSink): void {
    this.compressor.setSink(sink);
  }

  /** One-shot: cb(printTimeS) when the stepper next starts to move (see onActive). */
  armActiveCallback(cb: (printTimeS: number) => void): void {
    this.onActive = cb;
  }

  /**
   * FORCE_MOVE / manual stepper move: move this stepper alone by distMm (accelerate to speed,
   * cruise, decelerate; accel 0 = constant speed), starting at startPrintTimeS on a private trapq,
   * send its steps, then return to its kinematics. The kinematic frame is kept (the toolhead does
   * not learn of the move), as Klipper does. Returns the print time the move ends.
   */
  forceMove(distMm: number, speedMmS: number, accelMmS2: number, startPrintTimeS: number): number {
    const tq = new TrapQ();
    const prev = { trapq: this.trapq, seq: this.seq, kind: this.kind, cx: this.cx, cy: this.cy, cz: this.cz };
    const prevOrigin = this.originMm;
    const prevSteps = this.stepsFromOrigin;
    const prevGenTime = this.genTimeS;
    this.flushSteps(Infinity);
    this.kind = KIND_LINEAR;
    this.cx = 1;
    this.cy = 0;
    this.cz = 0;
    this.trapq = tq;
    this.seq = 0;
    this.originMm = 0;
    this.stepsFromOrigin = 0;
    const axisR = distMm < 0 ? -1 : 1;
    const dist = Math.abs(distMm);
    let accelT = 0;
    let cruiseT = 0;
    let cruiseV = speedMmS;
    if (!accelMmS2 || !dist) {
      accelMmS2 = 0;
      cruiseT = dist / speedMmS;
    } else {
      if (dist * accelMmS2 < speedMmS * speedMmS) cruiseV = Math.sqrt(dist * accelMmS2);
      accelT = cruiseV / accelMmS2;
      cruiseT = (dist - accelT * cruiseV) / cruiseV;
    }
    tq.append(startPrintTimeS, accelT, cruiseT, accelT, 0, 0, 0, axisR, 0, 0, 0, cruiseV, accelMmS2);
    const endS = startPrintTimeS + 2 * accelT + cruiseT;
    this.generateSteps(endS + 1);
    this.flushSteps(Infinity);
    this.trapq = prev.trapq;
    this.seq = prev.seq;
    this.kind = prev.kind;
    this.cx = prev.cx;
    this.cy = prev.cy;
    this.cz = prev.cz;
    this.originMm = prevOrigin;
    this.stepsFromOrigin = prevSteps;
    this.genTimeS = prevGenTime;
    return endS;
  }

  /**
   * Homing stopped this stepper on the MCU (trsync): steps not sent yet will never run. Drops
   * them and the held-back step; the MCU's step clock restarts at 0 (reset_step_clock), and the
   * caller sets mcuPositionSteps from the MCU and the position through setPosition().
   */
  discardUnsentSteps(): void {
    this.pendingClock = -1;
    const c = this.compressor;
    c.head = 0;
    c.tail = 0;
    c.lastStepClock = 0;
  }

  /**
   * A new step distance and direction (SET_EXTRUDER_ROTATION_DISTANCE; a negative distance
   * inverts the motor). Call after the toolhead flushed step generation: the position where the
   * last step left the rail stays, later steps count from it in the new size.
   */
  setStepDistance(stepDistMm: number, invertDir: boolean): void {
    if (!(stepDistMm > 0)) throw new Error(`${this.name}: step distance must be above 0`);
    this.flushSteps(Infinity);
    this.originMm = this.commandedPositionMm;
    this.stepsFromOrigin = 0;
    this.stepDistMm = stepDistMm;
    if (invertDir !== this.invertDir) {
      this.invertDir = invertDir;
      this.dir = -1; // the next step sends its dir pin level again
    }
  }

  /** Rail position = cx*x + cy*y + cz*z of the trapq position. */
  setLinearKinematics(trapq: TrapQ, cx: number, cy: number, cz: number): void {
    this.kind = KIND_LINEAR;
    this.cx = cx;
    this.cy = cy;
    this.cz = cz;
    this.attach(trapq);
  }

  /** Rail position = z + sqrt(arm^2 - (x-towerX)^2 - (y-towerY)^2). */
  setDeltaKinematics(trapq: TrapQ, towerX: number, towerY: number, armLengthMm: number): void {
    this.setGeometry(trapq, new DeltaTowerGeometry(towerX, towerY, armLengthMm));
  }

  /** Rail position = geometry(x, y, z) (deltas, polar, winch, ...). */
  setGeometry(trapq: TrapQ, geometry: RailGeometry): void {
    this.kind = KIND_GEOMETRY;
    this.segRail = new SegmentRail(geometry);
    this.attach(trapq);
  }

  private attach(trapq: TrapQ): void {
    this.trapq = trapq;
    this.seq = trapq.tailSeq;
    this.railFn = null;
  }

  /** cx, cy, cz of a linear rail (also while a rail function drives it), else null. */
  linearCoefficients(): [number, number, number] | null {
    return this.kind === KIND_GEOMETRY ? null : [this.cx, this.cy, this.cz];
  }

  /**
   * Pressure advance / input shaping: the rail follows fn from print time sinceS (the toolhead's
   * step generation time, after a full flush); null returns to the plain linear rail.
   */
  setRailFunction(fn: RailFunction | null, sinceS: number): void {
    if (this.kind === KIND_GEOMETRY) throw new Error(`${this.name}: a rail function needs linear kinematics`);
    this.railFn = fn;
    this.kind = fn ? KIND_FUNC : KIND_LINEAR;
    if (this.trapq) this.seq = this.trapq.tailSeq;
    this.genTimeS = sinceS;
    this.lastSolvedSign = 0;
  }

  /** How far either side of t the rail's position looks into the planned motion (s). */
  get scanWindowS(): number {
    return this.kind === KIND_FUNC ? this.railFn!.scanWindowS : 0;
  }

  /** Rail position for a cartesian toolhead position. */
  railPosition(x: number, y: number, z: number): number {
    // Linear and rail-function rails rest at the same place (shaping and advance vanish at rest).
    if (this.kind !== KIND_GEOMETRY) return this.cx * x + this.cy * y + this.cz * z;
    const g = this.segRail!.geometry;
    g.evaluate(x, y, z, 0, 0, 0, this.commandedPositionMm);
    return g.pos;
  }

  /** Where the last step left the rail (mm). */
  get commandedPositionMm(): number {
    return this.originMm + this.stepsFromOrigin * this.stepDistMm;
  }

  /**
   * A constant the kinematics keeps outside the step law ([dual_carriage]: where a carriage sits
   * that the law, scaled by its mode, does not say). Reported only, never stepped.
   */
  frameOffsetMm = 0;

  /** Where the motor is in the machine's frame: commandedPositionMm plus frameOffsetMm (GET_POSITION). */
  get reportedPositionMm(): number {
    return this.commandedPositionMm + this.frameOffsetMm;
  }

  get lastStepClock(): number {
    return this.compressor.lastStepClock;
  }

  get queueStepCount(): number {
    return this.compressor.queueStepCount;
  }

  /** The toolhead was placed at (x, y, z): steps now count from the rail position there. */
  setPosition(x: number, y: number, z: number): void {
    this.originMm = this.railPosition(x, y, z);
    if (this.pendingClock >= 0) this.pushPending();
    this.stepsFromOrigin = 0;
    if (this.trapq) this.seq = this.trapq.tailSeq;
    this.genTimeS = 0;
    this.lastSolvedSign = 0;
  }

  /** Generate the steps of all planned motion before printTimeS (into the compressor). */
  generateSteps(printTimeS: number): void {
    const tq = this.trapq;
    if (!tq) return;
    if (this.seq < tq.headSeq) this.seq = tq.headSeq;
    if (this.kind === KIND_LINEAR) this.generateLinear(tq, printTimeS);
    else if (this.kind === KIND_FUNC) this.generateFunc(this.railFn!, printTimeS);
    else this.generateGeometry(tq, this.segRail!, printTimeS);
  }

  /** Send compressed runs: finished ones always, unfinished ones up to printTimeS. */
  flushSteps(printTimeS: number): void {
    const until = printTimeS === Infinity ? Infinity : (printTimeS - this.printTimeAtClockZeroS) * this.clockFreqHz;
    if (this.pendingClock >= 0 && this.pendingClock + this.sdsFilterTicks <= until) this.pushPending();
    this.compressor.emitRuns(until);
  }

  /**
   * Send runs that cannot grow any more. Waits until a batch of steps is pending, so a long
   * unfinished run is not rescanned after every small lookahead flush.
   */
  flushFinishedRuns(): void {
    if (this.compressor.pending >= LAZY_EMIT_STEPS) this.compressor.emitRuns(-Infinity);
  }

  /** Send the held-back step (its direction is already current or becomes so). */
  private pushPending(): void {
    const dir = this.pendingDirSign > 0 ? 1 : 0;
    if (dir !== this.dir) this.changeDir(dir);
    this.compressor.reserve(1);
    this.compressor.push(this.pendingClock);
    this.pendingClock = -1;
  }

  private changeDir(dir: number): void {
    this.compressor.emitRuns(Infinity);
    this.dir = dir;
    this.compressor.setSinkDir((dir ^ (this.invertDir ? 1 : 0)) as 0 | 1);
  }

  private generateLinear(tq: TrapQ, untilS: number): void {
    const cx = this.cx;
    const cy = this.cy;
    const cz = this.cz;
    const step = this.stepDistMm;
    const half = 0.5 * step;
    const freq = this.clockFreqHz;
    const t0 = this.printTimeAtClockZeroS;
    const comp = this.compressor;
    const maxErr = comp.maxErrorTicks;
    while (this.seq < tq.tailSeq) {
      const i = this.seq & tq.mask;
      const segT = tq.printTimeS[i]!;
      if (segT >= untilS) break;
      const dur = tq.durationS[i]!;
      const partial = segT + dur > untilS;
      const end = partial ? untilS - segT : dur;
      const r = cx * tq.axesRX[i]! + cy * tq.axesRY[i]! + cz * tq.axesRZ[i]!;
      if (r !== 0) {
        if (this.onActive) {
          const cb = this.onActive;
          this.onActive = null;
          cb(segT);
        }
        const v0 = tq.startVMmS[i]!;
        const ha = tq.halfAccelMmS2[i]!;
        const p0 = cx * tq.startX[i]! + cy * tq.startY[i]! + cz * tq.startZ[i]!;
        const pe = p0 + r * (v0 + ha * end) * end;
        const cmd = this.originMm + this.stepsFromOrigin * step;
        let sgn = 0;
        let first = 0;
        let n = 0;
        if (pe >= cmd + half - STEP_EPSILON_MM) {
          sgn = 1;
          first = cmd + half;
          n = Math.floor((pe - first + STEP_EPSILON_MM) / step) + 1;
        } else if (pe <= cmd - half + STEP_EPSILON_MM) {
          sgn = -1;
          first = cmd - half;
          n = Math.floor((first - pe + STEP_EPSILON_MM) / step) + 1;
        }
        const invR = 1 / r;
        const x0 = (first - p0) * invR;
        const dx = sgn * step * invR;
        const v02 = v0 * v0;
        const ha4 = 4 * ha;
        const clockBase = (segT - t0) * freq + 0.5;
        let j0 = 0;
        if (this.pendingClock >= 0) {
          if (n === 0) {
            // No step here: did the rail reach the pending step's full-step position?
            if (this.pendingDirSign * (pe - this.pendingCenterMm) >= -STEP_EPSILON_MM) this.pendingCommitted = true;
          } else if (sgn === this.pendingDirSign) {
            this.pushPending();
          } else {
            // Reversal: a brief crossing of a step boundary and back is no step at all.
            const c1 = Math.floor(clockBase + stepTime(x0 < 0 ? 0 : x0, v0, v02, ha4, end) * freq);
            if (!this.pendingCommitted && c1 - this.pendingClock < this.sdsFilterTicks) {
              this.pendingClock = -1;
              this.stepsFromOrigin += sgn;
              this.mcuPositionSteps += sgn;
              this.stepCount -= 1;
              j0 = 1;
            } else {
              this.pushPending();
            }
          }
        }
        if (n > j0) {
          const dir = sgn > 0 ? 1 : 0;
          if (dir !== this.dir) this.changeDir(dir);
          // Every step but the last is followed by one in the same direction: send them now.
          // The last waits as "pending" in case the rail turns back right after it.
          const last = n - 1;
          let done = j0;
          while (done < last) {
            const m = Math.min(last - done, CHUNK_STEPS);
            comp.reserve(m);
            let q = comp.q;
            let lo = comp.lo;
            let tail = comp.tail;
            let prev = tail > comp.head ? q[tail - 1]! : comp.lastStepClock;
            // Cruise (no accel): step times are evenly spaced, no square root needed.
            const cruise = ha === 0 && v0 > 0;
            const cruiseFirst = cruise ? clockBase + (x0 / v0) * freq : 0;
            const cruiseStep = cruise ? (dx / v0) * freq : 0;
            const clockEnd = clockBase + end * freq;
            for (let j = done; j < done + m; j++) {
              let cf: number;
              if (cruise) {
                cf = cruiseFirst + j * cruiseStep;
                if (cf < clockBase) cf = clockBase;
              } else {
                let x = x0 + j * dx;
                if (x < 0) x = 0;
                let disc = v02 + ha4 * x;
                if (disc < 0) disc = 0;
                const den = v0 + Math.sqrt(disc);
                cf = clockBase + (den > 0 ? (2 * x) / den : 0) * freq;
              }
              if (cf > clockEnd) cf = clockEnd;
              const clock = Math.floor(cf);
              if (clock - prev >= 805306368 /* FAR_STEP_TICKS */) {
                comp.tail = tail;
                comp.push(clock);
                q = comp.q;
                lo = comp.lo;
                tail = comp.tail;
              } else {
                let err = Math.floor((clock - prev) * 0.5);
                if (err > maxErr) err = maxErr;
                lo[tail] = clock - err;
                q[tail++] = clock;
              }
              prev = clock;
            }
            comp.tail = tail;
            done += m;
          }
          let xl = x0 + last * dx;
          if (xl < 0) xl = 0;
          this.pendingClock = Math.floor(clockBase + stepTime(xl, v0, v02, ha4, end) * freq);
          this.pendingDirSign = sgn;
          this.stepsFromOrigin += sgn * (n - j0);
          this.mcuPositionSteps += sgn * (n - j0);
          this.stepCount += n - j0;
          this.pendingCenterMm = this.originMm + this.stepsFromOrigin * step;
          this.pendingCommitted = sgn * (pe - this.pendingCenterMm) >= -STEP_EPSILON_MM;
        }
      }
      if (partial) break;
      this.seq++;
    }
  }

  /** Direction of the last numerically found step (0 after a cancelled pair or a new position). */
  private lastSolvedSign = 0;

  /** A generated step in direction sgn (+1/-1), with the step+unstep filter. */
  private genericStep(clock: number, sgn: number): void {
    if (this.pendingClock >= 0) {
      if (sgn === this.pendingDirSign) {
        this.pushPending();
      } else if (!this.pendingCommitted && clock - this.pendingClock < this.sdsFilterTicks) {
        // The rail came straight back over the boundary: neither step happens.
        this.pendingClock = -1;
        this.stepsFromOrigin += sgn;
        this.mcuPositionSteps += sgn;
        this.stepCount -= 1;
        return;
      } else {
        this.pushPending();
      }
    }
    this.stepsFromOrigin += sgn;
    this.mcuPositionSteps += sgn;
    this.stepCount++;
    this.pendingClock = clock;
    this.pendingDirSign = sgn;
    this.pendingCenterMm = this.originMm + this.stepsFromOrigin * this.stepDistMm;
    this.pendingCommitted = false;
  }

  /** Geometry rails: solve each trapq segment from where generation stopped to its end. */
  private generateGeometry(tq: TrapQ, rail: SegmentRail, untilS: number): void {
    rail.tq = tq;
    while (this.seq < tq.tailSeq) {
      const i = this.seq & tq.mask;
      const segT = tq.printTimeS[i]!;
      if (segT >= untilS) break;
      const dur = tq.durationS[i]!;
      const partial = segT + dur > untilS;
      const end = partial ? untilS - segT : dur;
      if (this.onActive) {
        const cb = this.onActive;
        this.onActive = null;
        cb(segT);
      }
      const t = this.genTimeS > segT ? Math.min(this.genTimeS - segT, end) : 0;
      rail.index = i;
      rail.nearMm = this.commandedPositionMm;
      this.solveSteps(rail, t, end, segT);
      if (partial) {
        this.genTimeS = untilS;
        break;
      }
      this.genTimeS = segT + dur;
      this.seq++;
    }
  }

  /**
   * Pressure advance / input shaping: walk the rail function's motion ranges (it stands still
   * outside them) and solve the steps inside each.
   */
  private generateFunc(fn: RailFunction, untilS: number): void {
    let t = this.genTimeS;
    while (t < untilS) {
      if (!fn.nextActiveRange(t, untilS) || fn.rangeStartS >= untilS) break;
      if (fn.rangeStartS > t) t = fn.rangeStartS;
      const end = fn.rangeEndS < untilS ? fn.rangeEndS : untilS;
      if (this.onActive) {
        const cb = this.onActive;
        this.onActive = null;
        cb(t);
      }
      this.solveSteps(fn, t, end, 0);
      t = end;
    }
    if (untilS > this.genTimeS) this.genTimeS = untilS;
  }

  /**
   * The shared numerical solver: the steps of `fn` between its times t and end (print time =
   * offsetS + fn time). From the current time, predict when the rail reaches the next half-step
   * boundary at its current speed (a curving path reaches it later, so the prediction never jumps
   * over a crossing while the rail decelerates; with constant acceleration towards the boundary
   * the position is convex, so it cannot cross and return unseen), look there, and when a
   * boundary has been passed, narrow the bracket with Newton steps kept inside it (bisection
   * fallback).
   */
  private solveSteps(fn: RailEvaluator, t: number, end: number, offsetS: number): void {
    const step = this.stepDistMm;
    const half = 0.5 * step;
    const freq = this.clockFreqHz;
    const t0 = this.printTimeAtClockZeroS;
    fn.evaluate(t);
    let p = fn.pos;
    let pv = fn.vel;
    while (t < end) {
      if (this.pendingClock >= 0 && this.pendingDirSign * (p - this.pendingCenterMm) >= -STEP_EPSILON_MM) {
        this.pendingCommitted = true;
      }
      const cmd = this.originMm + this.stepsFromOrigin * step;
      const up = cmd + half;
      const down = cmd - half;
      let dt = pv > 0 ? (up - p) / pv : pv < 0 ? (down - p) / pv : SEEK_MAX_S;
      if (!(dt < SEEK_MAX_S)) dt = SEEK_MAX_S;
      if (dt < 1e-9) dt = 1e-9;
      const tn = t + dt < end ? t + dt : end;
      fn.evaluate(tn);
      const pn = fn.pos;
      // Continuing in the last step's direction, reaching the boundary (within 1e-9 mm) is a
      // step; turning back must pass it by REVERSE_EPSILON_MM (the rail sits right on the
      // boundary it just stepped over).
      const last = this.lastSolvedSign;
      const upTol = last > 0 ? STEP_EPSILON_MM : -REVERSE_EPSILON_MM;
      const downTol = last < 0 ? STEP_EPSILON_MM : -REVERSE_EPSILON_MM;
      const sgn = pn >= up - upTol ? 1 : pn <= down + downTol ? -1 : 0;
      if (sgn === 0) {
        t = tn;
        p = pn;
        pv = fn.vel;
        continue;
      }
      const target = sgn > 0 ? up + (sgn === last ? 0 : REVERSE_EPSILON_MM) : down - (sgn === last ? 0 : REVERSE_EPSILON_MM);
      let a = t;
      let b = tn;
      let fb = sgn * (pn - target);
      let x = tn;
      let px = pn;
      let vx = fn.vel;
      for (let iter = 0; iter < 60 && fb > STEP_EPSILON_MM && b - a > SOLVE_TIME_EPSILON_S; iter++) {
        let m = vx !== 0 ? x - (px - target) / vx : 0.5 * (a + b);
        if (!(m > a && m < b)) m = 0.5 * (a + b);
        fn.evaluate(m);
        const fm = sgn * (fn.pos - target);
        if (fm >= -STEP_EPSILON_MM) {
          b = m;
          fb = fm;
        } else {
          a = m;
        }
        x = m;
        px = fn.pos;
        vx = fn.vel;
      }
      this.genericStep(Math.floor((offsetS + b - t0) * freq + 0.5), sgn);
      this.lastSolvedSign = this.pendingClock >= 0 ? sgn : 0;
      // The last evaluation was usually at b already (Newton's final iterate).
      if (x !== b) {
        fn.evaluate(b);
        px = fn.pos;
        vx = fn.vel;
      }
      t = b;
      p = px;
      pv = vx;
    }
  }
}
