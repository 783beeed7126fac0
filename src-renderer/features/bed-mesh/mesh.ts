// The bed mesh as the panel shows and drives it: Klipper's 'bed_mesh' status read into typed
// values, the height statistics and colour scale, the vertex grid the 3D view draws, and the
// G-code each button sends. Pure functions, no React or three.

/** A matrix of heights in mm, y-major: rows[y][x], row 0 at mesh_min's Y (Klipper's order). */
export type HeightRowsMm = number[][];

export interface MeshProfile {
  name: string;
  xCount: number;
  yCount: number;
  /** Max - min of the profile's probed points, mm; null when its points are unreadable. */
  rangeMm: number | null;
}

export interface BedMeshView {
  /** The loaded profile's name ('' when the mesh was calibrated and not saved or loaded). */
  profileName: string;
  /** The probed points, or null when no mesh is loaded. */
  probed: HeightRowsMm | null;
  /** The interpolated mesh the host applies (falls back to the probed points when absent). */
  mesh: HeightRowsMm | null;
  /** Mesh bounds on the bed, mm ([x, y]); null with no mesh. */
  minMm: [number, number] | null;
  maxMm: [number, number] | null;
  profiles: MeshProfile[];
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Rows of finite numbers, all the same length, at least 2x2 (what a mesh needs); else null. */
export function heightRows(v: unknown): HeightRowsMm | null {
  if (!Array.isArray(v) || v.length < 2) return null;
  const width = Array.isArray(v[0]) ? v[0].length : 0;
  if (width < 2) return null;
  for (const row of v) if (!Array.isArray(row) || row.length !== width || !row.every(isNum)) return null;
  return v as HeightRowsMm;
}

const pair = (v: unknown): [number, number] | null =>
  Array.isArray(v) && v.length >= 2 && isNum(v[0]) && isNum(v[1]) ? [v[0], v[1]] : null;

function readProfiles(v: unknown): MeshProfile[] {
  if (typeof v !== 'object' || v === null) return [];
  return Object.entries(v as Record<string, unknown>)
    .map(([name, p]) => {
      const prof = (typeof p === 'object' && p !== null ? p : {}) as { points?: unknown; mesh_params?: Record<string, unknown> };
      const points = heightRows(prof.points);
      const params = prof.mesh_params ?? {};
      return {
        name,
        xCount: isNum(params.x_count) ? params.x_count : (points?.[0].length ?? 0),
        yCount: isNum(params.y_count) ? params.y_count : (points?.length ?? 0),
        rangeMm: points ? heightStats(points).rangeMm : null,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Reads the 'bed_mesh' status object (absent fields read as "no mesh"). */
export function readBedMesh(obj: Record<string, unknown> | undefined): BedMeshView {
  const o = obj ?? {};
  const probed = heightRows(o.probed_matrix);
  const minMm = pair(o.mesh_min);
  const maxMm = pair(o.mesh_max);
  const usable = probed !== null && minMm !== null && maxMm !== null;
  return {
    profileName: typeof o.profile_name === 'string' ? o.profile_name : '',
    probed: usable ? probed : null,
    mesh: usable ? (heightRows(o.mesh_matrix) ?? probed) : null,
    minMm: usable ? minMm : null,
    maxMm: usable ? maxMm : null,
    profiles: readProfiles(o.profiles),
  };
}

export interface HeightStats {
  minMm: number;
  maxMm: number;
  rangeMm: number;
}

export function heightStats(rows: HeightRowsMm): HeightStats {
  let minMm = Infinity;
  let maxMm = -Infinity;
  for (const row of rows)
    for (const z of row) {
      if (z < minMm) minMm = z;
      if (z > maxMm) maxMm = z;
    }
  return { minMm, maxMm, rangeMm: maxMm - minMm };
}

/** Colour stops of the height scale, low to high (blue, cyan, green, yellow, red): the legend draws the same. */
export const SCALE_STOPS: readonly [number, number, number][] = [
  [0.17, 0.35, 0.86],
  [0.1, 0.72, 0.85],
  [0.2, 0.75, 0.35],
  [0.95, 0.8, 0.15],
  [0.86, 0.2, 0.2],
];

/** The colour (r, g, b in 0..1) of a height within [minMm, maxMm]; a flat mesh is all the middle colour. */
export function heightColor(zMm: number, minMm: number, maxMm: number): [number, number, number] {
  const span = maxMm - minMm;
  const t = span > 0 ? Math.min(1, Math.max(0, (zMm - minMm) / span)) : 0.5;
  const pos = t * (SCALE_STOPS.length - 1);
  const i = Math.min(SCALE_STOPS.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = SCALE_STOPS[i];
  const b = SCALE_STOPS[i + 1];
  return [a[0] * (1 - f) + b[0] * f, a[1] * (1 - f) + b[1] * f, a[2] * (1 - f) + b[2] * f];
}

export function cssColor([r, g, b]: [number, number, number]): string {
  return `rgb(${Math.round(r * 255)}, ${Math.round(g * 255)}, ${Math.round(b * 255)})`;
}

/** Bed X (or Y) of each of `count` evenly spaced columns (rows) between min and max, mm. */
export function axisPositionsMm(minMm: number, maxMm: number, count: number): number[] {
  if (count === 1) return [minMm];
  return Array.from({ length: count }, (_, i) => minMm + ((maxMm - minMm) * i) / (count - 1));
}

export interface MapCell {
  col: number;
  /** Row in the mesh (0 = mesh_min Y, the front of the bed). */
  row: number;
  xMm: number;
  yMm: number;
  zMm: number;
  /** Top-left corner in the map's own units (bed mm, Y flipped so the front is at the bottom). */
  left: number;
  top: number;
  color: string;
}

/** The top-down map: a cell per point, sized by the points' spacing on the bed, coloured by height. */
export function mapCells(
  rows: HeightRowsMm,
  minMm: [number, number],
  maxMm: [number, number],
): { cells: MapCell[]; cellWidth: number; cellHeight: number; width: number; height: number } {
  const nx = rows[0].length;
  const ny = rows.length;
  const stats = heightStats(rows);
  const xs = axisPositionsMm(minMm[0], maxMm[0], nx);
  const ys = axisPositionsMm(minMm[1], maxMm[1], ny);
  // A degenerate axis (min = max) still gets square-ish cells.
  const cellWidth = maxMm[0] > minMm[0] ? (maxMm[0] - minMm[0]) / (nx - 1) : 10;
  const cellHeight = maxMm[1] > minMm[1] ? (maxMm[1] - minMm[1]) / (ny - 1) : cellWidth;
  const cells = rows.flatMap((r, row) =>
    r.map((zMm, col) => ({
      col,
      row,
      xMm: xs[col],
      yMm: ys[row],
      zMm,
      left: col * cellWidth,
      top: (ny - 1 - row) * cellHeight,
      color: cssColor(heightColor(zMm, stats.minMm, stats.maxMm)),
    })),
  );
  return { cells, cellWidth, cellHeight, width: nx * cellWidth, height: ny * cellHeight };
}

export interface SurfaceGrid {
  /** x, y, z per vertex: bed mm for x/y, height x exaggeration for z. */
  positions: Float32Array;
  /** r, g, b per vertex (0..1), by true height. */
  colors: Float32Array;
  /** Two triangles per grid cell. */
  indices: Uint32Array;
}

/** The vertex grid of a height matrix over [min, max]: what the 3D surface (or the probed dots) draws. */
export function surfaceGrid(
  rows: HeightRowsMm,
  minMm: [number, number],
  maxMm: [number, number],
  zExaggeration: number,
  colorRange: HeightStats = heightStats(rows),
): SurfaceGrid {
  const ny = rows.length;
  const nx = rows[0].length;
  const xs = axisPositionsMm(minMm[0], maxMm[0], nx);
  const ys = axisPositionsMm(minMm[1], maxMm[1], ny);
  const positions = new Float32Array(nx * ny * 3);
  const colors = new Float32Array(nx * ny * 3);
  for (let y = 0; y < ny; y++)
    for (let x = 0; x < nx; x++) {
      const v = (y * nx + x) * 3;
      const z = rows[y][x];
      positions[v] = xs[x];
      positions[v + 1] = ys[y];
      positions[v + 2] = z * zExaggeration;
      colors.set(heightColor(z, colorRange.minMm, colorRange.maxMm), v);
    }
  const indices = new Uint32Array((nx - 1) * (ny - 1) * 6);
  let k = 0;
  for (let y = 0; y < ny - 1; y++)
    for (let x = 0; x < nx - 1; x++) {
      const a = y * nx + x;
      const b = a + 1;
      const c = a + nx;
      const d = c + 1;
      indices.set([a, b, d, a, d, c], k);
      k += 6;
    }
  return { positions, colors, indices };
}

/** Z exaggeration the slider offers: 1x (true scale) to 200x; a mesh is tenths of a mm over a 200+ mm bed. */
export const Z_EXAGGERATION = { min: 1, max: 200, default: 50 } as const;

// G-code the buttons send (Klipper's commands).
export const CALIBRATE_SCRIPT = 'BED_MESH_CALIBRATE';
export const CLEAR_SCRIPT = 'BED_MESH_CLEAR';
export const HOME_ALL_SCRIPT = 'G28';
export const SAVE_CONFIG_SCRIPT = 'SAVE_CONFIG';

/** Whether X, Y and Z are homed (toolhead.homed_axes), which BED_MESH_CALIBRATE needs. */
export function homedForCalibrate(homedAxes: unknown): boolean {
  return typeof homedAxes === 'string' && ['x', 'y', 'z'].every((a) => homedAxes.toLowerCase().includes(a));
}

/** A profile name BED_MESH_PROFILE takes as one parameter: no spaces, '=' or control characters. */
export function profileNameProblem(name: string): 'empty' | 'chars' | null {
  if (name.trim() === '') return 'empty';
  return /^[A-Za-z0-9_.-]+$/.test(name) ? null : 'chars';
}

export type ProfileAction = 'LOAD' | 'SAVE' | 'REMOVE';

export function profileScript(action: ProfileAction, name: string): string {
  if (profileNameProblem(name)) throw new Error(`Bed mesh profile name "${name}": use letters, digits, _ . - only`);
  return `BED_MESH_PROFILE ${action}=${name}`;
}

export type MeshPanelState = 'noPrinter' | 'notReady' | 'loading' | 'noBedMesh' | 'noMesh' | 'mesh';

/** What the panel shows: why there is nothing to show, or the mesh. */
export function meshPanelState(p: {
  printerId: string | null;
  ready: boolean;
  hasBedMesh: boolean | null;
  mesh: BedMeshView;
}): MeshPanelState {
  if (!p.printerId) return 'noPrinter';
  if (!p.ready) return 'notReady';
  if (p.hasBedMesh === null) return 'loading';
  if (!p.hasBedMesh) return 'noBedMesh';
  return p.mesh.probed ? 'mesh' : 'noMesh';
}
