// [bed_tilt] options (Klipper's names and defaults), the probe point list shared with [z_tilt],
// and the least-squares plane both fit to the probed heights.
import { defineOptions } from '../config/options';
import type { ConfigSection } from '../config/section';

export const BED_TILT_OPTIONS = defineOptions({
  x_adjust: { type: 'float', default: 0, doc: 'Z change (mm) per mm of X: added to every move' },
  y_adjust: { type: 'float', default: 0, doc: 'Z change (mm) per mm of Y: added to every move' },
  z_adjust: { type: 'float', default: 0, doc: 'Z (mm) added to every move (the bed height at X0 Y0)' },
  points: {
    type: 'string',
    optional: true,
    doc: 'X, Y nozzle positions to probe, one per line (at least 3; needed for BED_TILT_CALIBRATE)',
  },
  speed: { type: 'float', default: 50, above: 0, doc: 'Travel speed (mm/s) between probe points' },
  horizontal_move_z: { type: 'float', default: 5, doc: 'Z (mm) the probe travels at between points' },
});

/** `points:` as [x, y] pairs: one "x, y" per line; an error names the line that is not. */
export function readPoints(section: ConfigSection, key = 'points', min = 3): [number, number][] | null {
  const text = section.readSpec(key, { type: 'string', optional: true, doc: '' }) as string | undefined;
  if (text === undefined) return null;
  const out: [number, number][] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    const parts = t.split(',').map((s) => s.trim());
    const nums = parts.map(Number);
    if (parts.length !== 2 || parts.some((s) => s === '') || nums.some((n) => !Number.isFinite(n))) {
      throw section.error(key, `Unable to parse '${t}' in option '${key}' of section '${section.name}': write one "x, y" point per line`);
    }
    out.push([nums[0]!, nums[1]!]);
  }
  if (out.length < min)
    throw section.error(key, `Option '${key}' in section '${section.name}' needs at least ${min} points (it has ${out.length})`);
  return out;
}

export interface Plane {
  /** z = xAdjust*x + yAdjust*y + zAdjust */
  xAdjust: number;
  yAdjust: number;
  zAdjust: number;
}

/**
 * The least-squares plane through points [x, y, z] (the normal equations, solved by Cramer's
 * rule). Throws when the points do not span a plane (fewer than 3, or all on one line).
 */
export function fitPlane(points: readonly (readonly [number, number, number])[]): Plane {
  let n = 0, sx = 0, sy = 0, sz = 0, sxx = 0, syy = 0, sxy = 0, sxz = 0, syz = 0; // prettier-ignore
  // Centre the coordinates first: keeps the sums well conditioned far from the origin.
  const cx = points.reduce((a, p) => a + p[0], 0) / points.length;
  const cy = points.reduce((a, p) => a + p[1], 0) / points.length;
  for (const [px, py, z] of points) {
    const x = px - cx;
    const y = py - cy;
    n++;
    sx += x;
    sy += y;
    sz += z;
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
    sxz += x * z;
    syz += y * z;
  }
  const det3 = (m: number[]) =>
    m[0]! * (m[4]! * m[8]! - m[5]! * m[7]!) - m[1]! * (m[3]! * m[8]! - m[5]! * m[6]!) + m[2]! * (m[3]! * m[7]! - m[4]! * m[6]!);
  const a = [sxx, sxy, sx, sxy, syy, sy, sx, sy, n];
  const d = det3(a);
  // Scale-free test for collinear points: det relative to the spread.
  if (n < 3 || Math.abs(d) <= 1e-9 * Math.max(1, sxx * syy * n)) {
    throw new Error(
      `The probe points do not span a plane (${n} points${n >= 3 ? ', all on one line' : ''}): probe at least 3 points not in a line`,
    );
  }
  const rhs = [sxz, syz, sz];
  const col = (i: number) => {
    const m = a.slice();
    for (let r = 0; r < 3; r++) m[r * 3 + i] = rhs[r]!;
    return det3(m) / d;
  };
  const xAdjust = col(0);
  const yAdjust = col(1);
  const zc = col(2);
  return { xAdjust, yAdjust, zAdjust: zc - xAdjust * cx - yAdjust * cy };
}

/** The plane's height at (x, y). */
export function planeZ(p: Plane, x: number, y: number): number {
  return p.xAdjust * x + p.yAdjust * y + p.zAdjust;
}
