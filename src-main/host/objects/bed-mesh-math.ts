// Bed mesh maths, free of printer objects: where to probe, how a probed grid is refined into the
// mesh (Lagrange or bicubic, mesh_pps points between probes), and the bed's Z at any X/Y
// (bilinear on the refined mesh, clamped at its edges). Coordinates are the probe's, i.e. the bed's.

export type MeshAlgorithm = 'lagrange' | 'bicubic' | 'direct';

/** What describes a mesh (Klipper's saved profile keys, so profiles round-trip). */
export interface MeshParams {
  min_x: number;
  max_x: number;
  min_y: number;
  max_y: number;
  x_count: number;
  y_count: number;
  mesh_x_pps: number;
  mesh_y_pps: number;
  algo: MeshAlgorithm;
  tension: number;
}

/** Where the probe goes for a rectangular or round bed (points in probing order). */
export interface ProbeGrid {
  points: [number, number][];
  /** The mesh area after the spacing was rounded down to 0.01 mm (what the profile stores). */
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
  xCount: number;
  yCount: number;
}

export interface GridRequest {
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
  xCount: number;
  yCount: number;
  /** Round bed: radius and origin; the grid is square and points beyond the radius are skipped. */
  radius?: number;
  origin?: [number, number];
}

/**
 * The probe points. Spacing is rounded down to 0.01 mm, so the far edge may move in a little
 * (Klipper does the same, and the saved profile carries the resulting max). Rows go up in Y;
 * X runs back and forth (a serpentine), so the head never travels the full width empty.
 */
export function probeGrid(r: GridRequest): ProbeGrid {
  const floor2 = (v: number) => Math.floor(v * 100 + 1e-9) / 100;
  const xStep = floor2((r.maxX - r.minX) / (r.xCount - 1));
  let yStep = floor2((r.maxY - r.minY) / (r.yCount - 1));
  if (xStep < 1 || yStep < 1)
    throw new Error('bed_mesh: the probe points are less than 1 mm apart: move mesh_min and mesh_max further apart or lower probe_count');
  let { minX, minY } = r;
  let maxX: number;
  let maxY: number;
  const round = r.radius !== undefined;
  const [ox, oy] = r.origin ?? [0, 0];
  if (round) {
    yStep = xStep;
    const half = Math.floor(r.xCount / 2) * xStep;
    minX = minY = -half;
    maxX = maxY = half;
  } else {
    maxX = minX + xStep * (r.xCount - 1);
    maxY = minY + yStep * (r.yCount - 1);
  }
  const points: [number, number][] = [];
  for (let row = 0; row < r.yCount; row++) {
    const y = minY + row * yStep;
    for (let i = 0; i < r.xCount; i++) {
      const x = row % 2 === 0 ? minX + i * xStep : maxX - i * xStep;
      if (!round) points.push([x, y]);
      else if (Math.hypot(x, y) <= r.radius! + 1e-9) points.push([x + ox, y + oy]);
    }
  }
  if (round) return { points, minX: minX + ox, maxX: maxX + ox, minY: minY + oy, maxY: maxY + oy, xCount: r.xCount, yCount: r.yCount };
  return { points, minX, maxX, minY, maxY, xCount: r.xCount, yCount: r.yCount };
}

/**
 * Probe results (in probing order) as the probed matrix: rows by Y (low first), X ascending.
 * A round bed's rows are shorter at the top and bottom: each is padded to full width with its
 * own end values, so the mesh is rectangular.
 */
export function probedMatrix(grid: ProbeGrid, zs: number[]): number[][] {
  if (zs.length !== grid.points.length) throw new Error(`bed_mesh: expected ${grid.points.length} probe results, got ${zs.length}`);
  const byRow = new Map<number, [number, number][]>();
  grid.points.forEach(([x, y], i) => {
    const key = Math.round(y * 1000);
    if (!byRow.has(key)) byRow.set(key, []);
    byRow.get(key)!.push([x, zs[i]!]);
  });
  const rows = [...byRow.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r.sort((a, b) => a[0] - b[0]).map((p) => p[1]));
  return rows.map((row) => {
    const pad = (grid.xCount - row.length) / 2;
    if (pad <= 0) return row;
    return [...Array<number>(pad).fill(row[0]!), ...row, ...Array<number>(pad).fill(row[row.length - 1]!)];
  });
}

/** Lagrange polynomial through (xs[i], ys[i]) evaluated at x. */
export function lagrange(xs: readonly number[], ys: readonly number[], x: number): number {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) {
    let w = 1;
    for (let j = 0; j < xs.length; j++) if (j !== i) w *= (x - xs[j]!) / (xs[i]! - xs[j]!);
    sum += w * ys[i]!;
  }
  return sum;
}

/**
 * Cardinal (Hermite) spline between p1 and p2 at t in [0, 1]; the tangents are `tension` times
 * the chord of the neighbours (p2 - p0 and p3 - p1). Tension 0 gives flat tangents at each probe.
 */
export function cardinalSpline(p0: number, p1: number, p2: number, p3: number, t: number, tension: number): number {
  const t2 = t * t;
  const t3 = t2 * t;
  const m1 = tension * (p2 - p0);
  const m2 = tension * (p3 - p1);
  return p1 * (2 * t3 - 3 * t2 + 1) + p2 * (-2 * t3 + 3 * t2) + m1 * (t3 - 2 * t2 + t) + m2 * (t3 - t2);
}

/** Spline through the samples `v` (evenly spaced, index units) at position `u` (0..v.length-1). */
function splineAt(v: readonly number[], u: number, tension: number): number {
  const last = v.length - 1;
  const i = Math.min(Math.max(Math.floor(u), 0), last - 1);
  // At the ends the missing neighbour is the end sample itself.
  const p0 = v[Math.max(i - 1, 0)]!;
  const p3 = v[Math.min(i + 2, last)]!;
  return cardinalSpline(p0, v[i]!, v[i + 1]!, p3, u - i, tension);
}

/** A probed matrix refined into the mesh the moves follow. */
export class ZMesh {
  readonly probed: number[][];
  readonly matrix: number[][];
  readonly meshXCount: number;
  readonly meshYCount: number;
  private readonly xStepMm: number;
  private readonly yStepMm: number;
  /** BED_MESH_OFFSET X/Y: the mesh is looked up this far from the nozzle. */
  offsetsMm: [number, number] = [0, 0];

  constructor(
    probed: number[][],
    readonly params: MeshParams,
  ) {
    const { x_count: xc, y_count: yc } = params;
    if (probed.length !== yc || probed.some((r) => r.length !== xc)) {
      throw new Error(
        `bed_mesh: the probed points form ${probed.length} rows of ${probed.map((r) => r.length).join('/')} values, expected ${yc} rows of ${xc}`,
      );
    }
    this.probed = probed.map((r) => r.slice());
    const direct = params.algo === 'direct' || (params.mesh_x_pps === 0 && params.mesh_y_pps === 0);
    const xPps = direct ? 0 : params.mesh_x_pps;
    const yPps = direct ? 0 : params.mesh_y_pps;
    this.meshXCount = (xc - 1) * xPps + xc;
    this.meshYCount = (yc - 1) * yPps + yc;
    this.xStepMm = (params.max_x - params.min_x) / (this.meshXCount - 1);
    this.yStepMm = (params.max_y - params.min_y) / (this.meshYCount - 1);
    this.matrix = direct ? this.probed.map((r) => r.slice()) : this.refine(xPps + 1, yPps + 1);
  }

  /** X of mesh column i / Y of mesh row j (mm). */
  meshX(i: number): number {
    return this.params.min_x + i * this.xStepMm;
  }
  meshY(j: number): number {
    return this.params.min_y + j * this.yStepMm;
  }

  /**
   * Fills the refined matrix: the probed rows first along X, then every column along Y through
   * the probed rows' (now refined) values.
   */
  private refine(xMult: number, yMult: number): number[][] {
    const { x_count: xc, y_count: yc, algo, tension } = this.params;
    const probedXs = Array.from({ length: xc }, (_, i) => this.meshX(i * xMult));
    const probedYs = Array.from({ length: yc }, (_, j) => this.meshY(j * yMult));
    const along = (values: readonly number[], coords: readonly number[], at: number, stepIndexU: number) =>
      algo === 'bicubic' ? splineAt(values, stepIndexU, tension) : lagrange(coords, values, at);
    const m: number[][] = Array.from({ length: this.meshYCount }, () => new Array<number>(this.meshXCount).fill(0));
    for (let pj = 0; pj < yc; pj++) {
      const row = this.probed[pj]!;
      for (let i = 0; i < this.meshXCount; i++) {
        m[pj * yMult]![i] = i % xMult === 0 ? row[i / xMult]! : along(row, probedXs, this.meshX(i), i / xMult);
      }
    }
    for (let i = 0; i < this.meshXCount; i++) {
      const column = Array.from({ length: yc }, (_, pj) => m[pj * yMult]![i]!);
      for (let j = 0; j < this.meshYCount; j++) {
        if (j % yMult !== 0) m[j]![i] = along(column, probedYs, this.meshY(j), j / yMult);
      }
    }
    return m;
  }

  /** The bed's Z at (x, y): bilinear between the four mesh points around it, edges extended. */
  calcZ(x: number, y: number): number {
    const [tx, i] = cellOf(x + this.offsetsMm[0], this.params.min_x, this.xStepMm, this.meshXCount);
    const [ty, j] = cellOf(y + this.offsetsMm[1], this.params.min_y, this.yStepMm, this.meshYCount);
    const m = this.matrix;
    const z0 = m[j]![i]! + tx * (m[j]![i + 1]! - m[j]![i]!);
    const z1 = m[j + 1]![i]! + tx * (m[j + 1]![i + 1]! - m[j + 1]![i]!);
    return z0 + ty * (z1 - z0);
  }

  zRange(): [number, number] {
    const all = this.matrix.flat();
    return [Math.min(...all), Math.max(...all)];
  }

  zAverage(): number {
    const all = this.matrix.flat();
    return all.reduce((a, b) => a + b, 0) / all.length;
  }

  /** Shifts every value by -z (zero_reference_position, or a profile normalised elsewhere). */
  withOffset(zMm: number): ZMesh {
    return new ZMesh(
      this.probed.map((r) => r.map((v) => v - zMm)),
      this.params,
    );
  }
}

/** The cell index (0..count-2) and the fraction inside it, both clamped to the mesh. */
function cellOf(coord: number, min: number, step: number, count: number): [number, number] {
  const idx = Math.min(Math.max(Math.floor((coord - min) / step), 0), count - 2);
  const t = (coord - (min + idx * step)) / step;
  return [Math.min(Math.max(t, 0), 1), idx];
}

/**
 * Which algorithm a probe count allows: Lagrange oscillates beyond 6 points per axis; bicubic
 * needs 4 per axis and falls back to Lagrange with 3 (unless the other axis has more than 6);
 * no points in between means no interpolation at all.
 */
export function effectiveAlgorithm(
  algo: 'lagrange' | 'bicubic',
  xCount: number,
  yCount: number,
  xPps: number,
  yPps: number,
): MeshAlgorithm {
  const most = Math.max(xCount, yCount);
  const least = Math.min(xCount, yCount);
  if (Math.max(xPps, yPps) === 0) return 'direct';
  if (algo === 'lagrange' && most > 6) {
    throw new Error(
      `bed_mesh: lagrange interpolation allows at most 6 probe points per axis (probe_count is ${xCount}, ${yCount}): use algorithm: bicubic or fewer points`,
    );
  }
  if (algo === 'bicubic' && least < 4) {
    if (most > 6) {
      throw new Error(
        `bed_mesh: bicubic interpolation cannot combine 3 points on one axis with more than 6 on the other (probe_count is ${xCount}, ${yCount}): use at least 4 on each axis`,
      );
    }
    return 'lagrange';
  }
  return algo;
}
