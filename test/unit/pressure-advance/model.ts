// Independent numerical models for the shaping tests: the planned moves recorded as they are
// placed on the time line, a nominal position sampled on a fine grid from those trapezoids, and
// the checks that compare a stepper's decoded steps with a sampled target path.

import {
  CartesianKinematics,
  CoreXYKinematics,
  CoreXZKinematics,
  ExtruderMotion,
  MotionStepper,
  Toolhead,
  stepDistanceMm,
  type Move,
  type StepSink,
} from '../../../src-main/host/motion/index.js';

export const CLOCK_HZ = 16e6;

/**
 * bench-cartesian.cfg's printer (80 steps/mm X/Y, 400 Z, E 33.5 mm rotation, 16 MHz) on any
 * linear kinematics; streamSteps as a live printer (steps only from sendStepsUntil).
 */
export function makePrinter(
  sinks: StepSink[],
  o: { kinematics?: 'cartesian' | 'corexy' | 'corexz'; streamSteps?: boolean } = {},
): { toolhead: Toolhead; steppers: MotionStepper[]; extruder: ExtruderMotion } {
  const mk = (name: string, rd: number, sink: StepSink): MotionStepper =>
    new MotionStepper({ name, stepDistMm: stepDistanceMm({ rotationDistanceMm: rd, microsteps: 16 }), clockFreqHz: CLOCK_HZ, sink });
  const sx = mk('stepper_x', 40, sinks[0]!);
  const sy = mk('stepper_y', 40, sinks[1]!);
  const sz = mk('stepper_z', 8, sinks[2]!);
  const se = mk('extruder', 33.5, sinks[3]!);
  const kin = o.kinematics ?? 'cartesian';
  const Kin = kin === 'corexy' ? CoreXYKinematics : kin === 'corexz' ? CoreXZKinematics : CartesianKinematics;
  const k = new Kin({
    rails: [
      { axis: 'x', steppers: [sx], positionMinMm: -500, positionMaxMm: 500 },
      { axis: 'y', steppers: [sy], positionMinMm: -500, positionMaxMm: 500 },
      { axis: 'z', steppers: [sz], positionMinMm: -500, positionMaxMm: 500 },
    ],
    maxZVelocityMmS: 25,
    maxZAccelMmS2: 100,
  });
  const toolhead = new Toolhead({ kinematics: k, maxVelocityMmS: 300, maxAccelMmS2: 3000, streamSteps: o.streamSteps ?? false });
  const extruder = new ExtruderMotion(
    { stepper: se, nozzleDiameterMm: 0.4, filamentDiameterMm: 1.75 },
    { maxVelocityMmS: 300, maxAccelMmS2: 3000 },
  );
  toolhead.setExtruder(extruder);
  return { toolhead, steppers: [sx, sy, sz, se], extruder };
}

/** One planned move: start time, phases and what it does to each axis. */
export interface PlannedMove {
  t0: number;
  accelT: number;
  cruiseT: number;
  decelT: number;
  startV: number;
  cruiseV: number;
  accel: number;
  start: number[];
  axesR: number[];
  axesD: number[];
}

/** Records every move the toolhead plans (through the extruder's and trapq's entry points). */
export function recordPlannedMoves(toolhead: Toolhead): PlannedMove[] {
  const moves: PlannedMove[] = [];
  const tq = toolhead.trapq;
  const append = tq.append.bind(tq);
  // Kinematic moves: the toolhead appends them to its trapq with the move's own numbers.
  tq.append = (t0, accelT, cruiseT, decelT, sx, sy, sz, rx, ry, rz, startV, cruiseV, accel) => {
    moves.push({
      t0,
      accelT,
      cruiseT,
      decelT,
      startV,
      cruiseV,
      accel,
      start: [sx, sy, sz, NaN],
      axesR: [rx, ry, rz, 0],
      axesD: [rx, ry, rz, 0],
    });
    append(t0, accelT, cruiseT, decelT, sx, sy, sz, rx, ry, rz, startV, cruiseV, accel);
  };
  const ex = toolhead.getExtruder();
  if (ex) {
    const processMove = ex.processMove.bind(ex);
    ex.processMove = (t0: number, m: Move) => {
      const last = moves.at(-1);
      const rec = {
        t0,
        accelT: m.accelT,
        cruiseT: m.cruiseT,
        decelT: m.decelT,
        startV: m.startV,
        cruiseV: m.cruiseV,
        accel: m.accelMmS2,
        start: [...m.startPos],
        axesR: [...m.axesR],
        axesD: [...m.axesD],
      };
      if (last && last.t0 === t0 && Number.isNaN(last.start[3]!)) moves[moves.length - 1] = rec;
      else moves.push(rec);
      processMove(t0, m);
    };
  }
  return moves;
}

/** Distance along the move and speed, tau seconds after its start (clamped to the move). */
export function moveDistance(m: PlannedMove, tau: number): [number, number] {
  const ta = m.accelT;
  const tc = m.cruiseT;
  const td = m.decelT;
  if (tau <= 0) return [0, m.startV];
  if (tau < ta) return [m.startV * tau + 0.5 * m.accel * tau * tau, m.startV + m.accel * tau];
  const da = m.startV * ta + 0.5 * m.accel * ta * ta;
  if (tau < ta + tc) return [da + m.cruiseV * (tau - ta), m.cruiseV];
  const dc = da + m.cruiseV * tc;
  const u = Math.min(tau - ta - tc, td);
  return [dc + m.cruiseV * u - 0.5 * m.accel * u * u, tau >= ta + tc + td ? 0 : m.cruiseV - m.accel * u];
}

/** A path sampled every dtS from t0S (values relative to base). */
export interface Sampled {
  t0S: number;
  dtS: number;
  v: Float64Array;
  base: number;
}

export function sampleAt(s: Sampled, t: number): number {
  const x = (t - s.t0S) / s.dtS;
  const i = Math.max(0, Math.min(s.v.length - 2, Math.floor(x)));
  const f = x - i;
  return s.base + s.v[i]! * (1 - f) + s.v[i + 1]! * f;
}

/** The time nearest t (within +-windowS) at which the sampled path crosses level going in direction sgn. */
export function crossingNear(path: Sampled, level: number, sgn: number, t: number, windowS = 300e-6): number {
  const i0 = Math.max(1, Math.floor((t - windowS - path.t0S) / path.dtS));
  const i1 = Math.min(path.v.length - 1, Math.ceil((t + windowS - path.t0S) / path.dtS));
  let best = NaN;
  for (let i = i0; i <= i1; i++) {
    const a = sgn * (path.base + path.v[i - 1]! - level);
    const b = sgn * (path.base + path.v[i]! - level);
    if (a < 0 && b >= 0) {
      const tc = path.t0S + (i - 1 + a / (a - b)) * path.dtS;
      if (Number.isNaN(best) || Math.abs(tc - t) < Math.abs(best - t)) best = tc;
    }
  }
  return best;
}

/**
 * Checks decoded steps (absolute clocks, pin dirs) of a stepper against the target path: every
 * step is at the path's crossing of the half-step boundary it stands for (time error: step time
 * minus crossing time; the compressor may send a step up to 25 us early), and between steps the
 * path never leaves the current step's half-step band by more than bandTolStep (a step missed or
 * extra would leave it by half a step or more).
 */
export function checkSteps(
  path: Sampled,
  clocks: number[],
  dirs: number[],
  o: { stepMm: number; originMm: number; clockHz: number; dirUp: number },
): { earliestUs: number; latestUs: number; missing: number; maxBandErr: number; finalSteps: number } {
  let n = 0;
  let maxBandErr = 0;
  let earliest = 0;
  let latest = 0;
  let missing = 0;
  let gridI = 0;
  const band = (untilT: number): void => {
    // Every grid sample before untilT must sit within the band of position n.
    const centre = o.originMm + n * o.stepMm;
    for (; gridI < path.v.length; gridI++) {
      const t = path.t0S + gridI * path.dtS;
      if (t >= untilT) break;
      const err = Math.abs(path.base + path.v[gridI]! - centre) / o.stepMm - 0.5;
      if (err > maxBandErr) maxBandErr = err;
    }
  };
  for (let k = 0; k < clocks.length; k++) {
    const t = clocks[k]! / o.clockHz;
    band(t - 30e-6);
    gridI = Math.max(gridI, Math.ceil((t + 30e-6 - path.t0S) / path.dtS));
    const sgn = dirs[k] === o.dirUp ? 1 : -1;
    const boundary = o.originMm + (n + 0.5 * sgn) * o.stepMm;
    const tc = crossingNear(path, boundary, sgn, t);
    if (Number.isNaN(tc)) missing++;
    else {
      earliest = Math.min(earliest, t - tc);
      latest = Math.max(latest, t - tc);
    }
    n += sgn;
  }
  band(Infinity);
  return { earliestUs: earliest * 1e6, latestUs: latest * 1e6, missing, maxBandErr, finalSteps: n };
}

/** Position of one axis (0 x, 1 y, 2 z) at time t from the recorded kinematic moves. */
export function axisAt(moves: PlannedMove[], axis: number, t: number, startPos: number): number {
  // Binary search: the last move starting at or before t.
  let lo = 0;
  let hi = moves.length - 1;
  if (hi < 0 || t < moves[0]!.t0) return startPos;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (moves[mid]!.t0 <= t) lo = mid;
    else hi = mid - 1;
  }
  const m = moves[lo]!;
  const [d] = moveDistance(m, t - m.t0);
  return m.start[axis]! + m.axesR[axis]! * d;
}
