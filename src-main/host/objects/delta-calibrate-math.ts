// The maths of [delta_calibrate], derived from the linear delta's geometry (motion/kinematics/
// delta.ts): tower i stands at angle a_i on a circle of radius R; its carriage, at height c_i on
// the tower, holds the effector at arm length L_i:
//   (x - R cos a_i)^2 + (y - R sin a_i)^2 + (c_i - z)^2 = L_i^2.
// A carriage's height in the host's frame is position_endstop_i + sqrt(L_i^2 - R^2) - d_i, where
// d_i (how far the carriage sits below its endstop switch) is what the steppers physically
// counted: it stays true whatever the calibration says. A probe records the d_i where the
// nozzle met the bed; calibration looks for the parameters under which every record puts the
// nozzle at the height it had (the probe's z_offset): least squares over those heights,
// solved by Gauss-Newton with a Levenberg-Marquardt damping.

export interface DeltaParams {
  /** position_endstop of stepper_a, _b, _c (mm). */
  positionEndstopsMm: [number, number, number];
  /** delta_radius (mm). */
  radiusMm: number;
  /** angle of each tower (degrees). */
  anglesDeg: [number, number, number];
  /** arm_length of each tower (mm). */
  armLengthsMm: [number, number, number];
}

/** How far (mm) each carriage is below its endstop: the calibration-free record of a position. */
export type StablePosition = [number, number, number];

/** One measurement: the carriages at `stable` put the nozzle at height `zMm` above the bed. */
export interface HeightRecord {
  zMm: number;
  stable: StablePosition;
}

type Vec3 = [number, number, number];

function towerXY(p: DeltaParams, i: number): [number, number] {
  const a = (p.anglesDeg[i]! * Math.PI) / 180;
  return [Math.cos(a) * p.radiusMm, Math.sin(a) * p.radiusMm];
}

/** A carriage's height (host frame, mm) at its endstop. */
function endstopHeight(p: DeltaParams, i: number): number {
  return p.positionEndstopsMm[i]! + Math.sqrt(p.armLengthsMm[i]! ** 2 - p.radiusMm ** 2);
}

/** The carriage heights for the nozzle at [x, y, z]. */
export function carriageHeights(p: DeltaParams, [x, y, z]: readonly number[]): Vec3 {
  return [0, 1, 2].map((i) => {
    const [tx, ty] = towerXY(p, i);
    return z! + Math.sqrt(p.armLengthsMm[i]! ** 2 - (x! - tx) ** 2 - (y! - ty) ** 2);
  }) as Vec3;
}

export function stableFromCartesian(p: DeltaParams, xyz: readonly number[]): StablePosition {
  const c = carriageHeights(p, xyz);
  return [0, 1, 2].map((i) => endstopHeight(p, i) - c[i]!) as StablePosition;
}

/**
 * The nozzle position for carriage heights `c`: the point at arm length from the three
 * carriages, the lower of the two (the effector hangs below). Subtracting tower 0's sphere from
 * the others leaves two planes, which give x and y as linear functions of z; tower 0's sphere
 * then gives z from a quadratic.
 */
export function nozzleFromCarriages(p: DeltaParams, c: readonly number[]): Vec3 {
  const t = [0, 1, 2].map((i) => [...towerXY(p, i), c[i]!] as Vec3);
  const k = t.map(([x, y, z], i) => x * x + y * y + z * z - p.armLengthsMm[i]! ** 2);
  // Row j (towers 0 and j): 2(xj-x0) x + 2(yj-y0) y = k_j - k_0 - 2(zj-z0) z.
  const row = (j: number) => [2 * (t[j]![0] - t[0]![0]), 2 * (t[j]![1] - t[0]![1]), k[j]! - k[0]!, -2 * (t[j]![2] - t[0]![2])];
  const [a1, b1, r1, s1] = row(1) as Vec3 & number[];
  const [a2, b2, r2, s2] = row(2) as Vec3 & number[];
  const det = a1! * b2! - a2! * b1!;
  if (Math.abs(det) < 1e-12) throw new Error('delta towers are in a line: no position');
  // x = xr + xs z, y = yr + ys z (Cramer's rule on the constant and the z parts).
  const xr = (r1! * b2! - r2! * b1!) / det;
  const xs = (s1! * b2! - s2! * b1!) / det;
  const yr = (a1! * r2! - a2! * r1!) / det;
  const ys = (a1! * s2! - a2! * s1!) / det;
  // Tower 0: (xr + xs z - x0)^2 + (yr + ys z - y0)^2 + (z - z0)^2 = L0^2.
  const [x0, y0, z0] = t[0]!;
  const dx = xr - x0;
  const dy = yr - y0;
  const qa = xs * xs + ys * ys + 1;
  const qb = 2 * (dx * xs + dy * ys - z0);
  const qc = dx * dx + dy * dy + z0 * z0 - p.armLengthsMm[0]! ** 2;
  const disc = qb * qb - 4 * qa * qc;
  if (disc < 0) throw new Error('delta carriages too far apart for the arms: no position');
  const z = (-qb - Math.sqrt(disc)) / (2 * qa);
  return [xr + xs * z, yr + ys * z, z];
}

export function cartesianFromStable(p: DeltaParams, d: readonly number[]): Vec3 {
  return nozzleFromCarriages(
    p,
    [0, 1, 2].map((i) => endstopHeight(p, i) - d[i]!),
  );
}

/** DELTA_CALIBRATE's probe points: the centre, then six around it at `radiusMm` (every 60 degrees from the +Y axis). */
export function calibrationPoints(radiusMm: number): [number, number][] {
  const out: [number, number][] = [[0, 0]];
  for (let i = 0; i < 6; i++) {
    const a = ((90 + 60 * i) * Math.PI) / 180;
    out.push([Math.cos(a) * radiusMm, Math.sin(a) * radiusMm]);
  }
  return out;
}

/** The parameters the basic calibration adjusts (Klipper's too): the three endstops, the radius
 * and the angles of towers a and b (turning all three towers together changes nothing). */
const BASIC = ['endstop0', 'endstop1', 'endstop2', 'radius', 'angle0', 'angle1'] as const;
type ParamName = (typeof BASIC)[number];

function withParams(p: DeltaParams, names: readonly ParamName[], v: readonly number[]): DeltaParams {
  const q: DeltaParams = {
    positionEndstopsMm: [...p.positionEndstopsMm],
    radiusMm: p.radiusMm,
    anglesDeg: [...p.anglesDeg],
    armLengthsMm: [...p.armLengthsMm],
  };
  names.forEach((n, k) => {
    if (n === 'radius') q.radiusMm = v[k]!;
    else if (n.startsWith('endstop')) q.positionEndstopsMm[Number(n.slice(7))] = v[k]!;
    else q.anglesDeg[Number(n.slice(5))] = v[k]!;
  });
  return q;
}

function readParams(p: DeltaParams, names: readonly ParamName[]): number[] {
  return names.map((n) =>
    n === 'radius' ? p.radiusMm : n.startsWith('endstop') ? p.positionEndstopsMm[Number(n.slice(7))]! : p.anglesDeg[Number(n.slice(5))]!,
  );
}

/** Each record's height error (mm) under `p`. */
export function heightErrors(p: DeltaParams, records: readonly HeightRecord[]): number[] {
  return records.map((r) => cartesianFromStable(p, r.stable)[2] - r.zMm);
}

/** Solves the square system A x = b (Gaussian elimination with partial pivoting). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    const d = m[c]![c]!;
    if (Math.abs(d) < 1e-300) throw new Error('singular');
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / d;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

export interface DeltaFit {
  params: DeltaParams;
  /** Root mean square of the height errors before and after (mm). */
  rmsBeforeMm: number;
  rmsAfterMm: number;
  iterations: number;
}

const rms = (e: readonly number[]) => Math.sqrt(e.reduce((a, v) => a + v * v, 0) / e.length);

/**
 * The basic calibration: the endstops, radius and the angles of towers a and b that best
 * explain `records` (least squares of the height errors), starting from `start`. Needs at least
 * as many records as parameters (6).
 */
export function fitDelta(start: DeltaParams, records: readonly HeightRecord[]): DeltaFit {
  const names = BASIC;
  if (records.length < names.length) {
    throw new Error(`delta calibration needs at least ${names.length} probed heights (it has ${records.length})`);
  }
  let v = readParams(start, names);
  const errorsAt = (x: readonly number[]) => heightErrors(withParams(start, names, x), records);
  let e = errorsAt(v);
  const rmsBeforeMm = rms(e);
  let cost = e.reduce((a, r) => a + r * r, 0);
  let lambda = 1e-3;
  let iterations = 0;
  for (; iterations < 100; iterations++) {
    // Jacobian by central differences (steps in mm and degrees: the parameters are of one scale).
    const h = 1e-5;
    const jac = records.map(() => new Array<number>(names.length).fill(0));
    for (let k = 0; k < names.length; k++) {
      const up = v.slice();
      const down = v.slice();
      up[k]! += h;
      down[k]! -= h;
      const eu = errorsAt(up);
      const ed = errorsAt(down);
      for (let j = 0; j < records.length; j++) jac[j]![k] = (eu[j]! - ed[j]!) / (2 * h);
    }
    const jtj = names.map((_, a) => names.map((__, b) => jac.reduce((s, row) => s + row[a]! * row[b]!, 0)));
    const jte = names.map((_, a) => jac.reduce((s, row, j) => s + row[a]! * e[j]!, 0));
    let improved = false;
    for (let tries = 0; tries < 20 && !improved; tries++) {
      const damped = jtj.map((row, a) => row.map((x, b) => (a === b ? x * (1 + lambda) + 1e-12 : x)));
      let step: number[];
      try {
        step = solve(
          damped,
          jte.map((x) => -x),
        );
      } catch {
        lambda *= 10;
        continue;
      }
      const next = v.map((x, k) => x + step[k]!);
      let ne: number[];
      try {
        ne = errorsAt(next);
      } catch {
        lambda *= 10; // a step into an impossible geometry: shorter steps
        continue;
      }
      const nc = ne.reduce((a, r) => a + r * r, 0);
      if (nc <= cost) {
        const small = Math.max(...step.map(Math.abs)) < 1e-10;
        v = next;
        e = ne;
        const done = small || cost - nc < 1e-20;
        cost = nc;
        lambda = Math.max(lambda / 10, 1e-12);
        improved = true;
        if (done) return { params: withParams(start, names, v), rmsBeforeMm, rmsAfterMm: rms(e), iterations: iterations + 1 };
      } else lambda *= 10;
    }
    if (!improved) break;
  }
  return { params: withParams(start, names, v), rmsBeforeMm, rmsAfterMm: rms(e), iterations };
}
