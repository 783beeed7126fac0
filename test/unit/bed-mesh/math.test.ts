// The mesh maths against values worked out by hand (see each comment).
import { describe, expect, it } from 'vitest';
import {
  cardinalSpline,
  effectiveAlgorithm,
  lagrange,
  type MeshParams,
  probedMatrix,
  probeGrid,
  ZMesh,
} from '../../../src-main/host/objects/bed-mesh-math';

const params = (o: Partial<MeshParams>): MeshParams => ({
  min_x: 0,
  max_x: 20,
  min_y: 0,
  max_y: 20,
  x_count: 3,
  y_count: 3,
  mesh_x_pps: 0,
  mesh_y_pps: 0,
  algo: 'lagrange',
  tension: 0.2,
  ...o,
});
/** A bump in the middle of a 3x3 grid. */
const BUMP = [
  [0, 0, 0],
  [0, 1, 0],
  [0, 0, 0],
];

describe('probe points', () => {
  it('rounds the spacing down to 0.01 mm and walks the rows back and forth', () => {
    // 190 / 3 = 63.333.. -> 63.33; the far edge becomes 10 + 3 * 63.33 = 199.99.
    const g = probeGrid({ minX: 10, maxX: 200, minY: 20, maxY: 120, xCount: 4, yCount: 3 });
    expect(g.maxX).toBeCloseTo(199.99, 9);
    expect(g.maxY).toBe(120);
    const xs = g.points.map((p) => Number(p[0].toFixed(2)));
    expect(xs).toEqual([10, 73.33, 136.66, 199.99, 199.99, 136.66, 73.33, 10, 10, 73.33, 136.66, 199.99]);
    expect(g.points.map((p) => p[1])).toEqual([20, 20, 20, 20, 70, 70, 70, 70, 120, 120, 120, 120]);
  });

  it('round beds: a square grid cut to the radius, rows padded with their end values', () => {
    // Radius 50, 5 across: 25 mm apart; rows at y = -50..50 keep 1, 3, 5, 3, 1 points.
    const g = probeGrid({ minX: -50, maxX: 50, minY: -50, maxY: 50, xCount: 5, yCount: 5, radius: 50, origin: [100, 100] });
    expect(g.points).toHaveLength(13);
    expect(g.points[0]).toEqual([100, 50]);
    expect([g.minX, g.maxX, g.minY, g.maxY]).toEqual([50, 150, 50, 150]);
    const zs = g.points.map(([x, y]) => x / 100 + y / 1000);
    const m = probedMatrix(g, zs);
    expect(m).toHaveLength(5);
    expect(m[0]).toEqual([1.05, 1.05, 1.05, 1.05, 1.05]);
    expect(m[1]!.map((v) => Number(v.toFixed(3)))).toEqual([0.825, 0.825, 1.075, 1.325, 1.325]);
    expect(m[2]!.map((v) => Number(v.toFixed(3)))).toEqual([0.6, 0.85, 1.1, 1.35, 1.6]);
  });

  it('refuses points closer than 1 mm', () => {
    expect(() => probeGrid({ minX: 0, maxX: 4, minY: 0, maxY: 100, xCount: 6, yCount: 3 })).toThrow(/less than 1 mm apart/);
  });
});

describe('interpolation', () => {
  it('lagrange reproduces a parabola through three points', () => {
    // z = x (20 - x) / 100 through (0,0) (10,1) (20,0): 0.75 at x = 5 and 15.
    expect(lagrange([0, 10, 20], [0, 1, 0], 5)).toBeCloseTo(0.75, 12);
    expect(lagrange([0, 10, 20], [0, 1, 0], 15)).toBeCloseTo(0.75, 12);
  });

  it('cardinal spline: ends at p1 and p2; the middle by hand', () => {
    // t = .5, tension .2, p = 0 1 3 6: m1 = .6, m2 = 1; 1*.5 + 3*.5 + .6*.125 - 1*.125 = 1.95.
    expect(cardinalSpline(0, 1, 3, 6, 0.5, 0.2)).toBeCloseTo(1.95, 12);
    expect(cardinalSpline(0, 1, 3, 6, 0, 0.2)).toBe(1);
    expect(cardinalSpline(0, 1, 3, 6, 1, 0.2)).toBeCloseTo(3, 12);
  });

  it('direct mesh (no points between probes): bilinear inside, edge values outside', () => {
    const m = new ZMesh(BUMP, params({ algo: 'direct' }));
    expect(m.matrix).toEqual(BUMP);
    // Cell (0,0) corners 0 0 0 1 at its middle: 0.25.
    expect(m.calcZ(5, 5)).toBeCloseTo(0.25, 12);
    expect(m.calcZ(15, 10)).toBeCloseTo(0.5, 12);
    expect(m.calcZ(10, 10)).toBe(1);
    expect(m.calcZ(-50, 10)).toBe(0);
    expect(m.calcZ(10, 400)).toBe(0);
    m.offsetsMm = [5, 0];
    expect(m.calcZ(5, 10)).toBe(1);
  });

  it('lagrange mesh, one point between probes', () => {
    const m = new ZMesh(BUMP, params({ mesh_x_pps: 1, mesh_y_pps: 1 }));
    expect([m.meshXCount, m.meshYCount]).toEqual([5, 5]);
    // Middle row: 0, .75, 1, .75, 0 (the parabola); x = 5, y = 5: .75 * .75 = .5625.
    expect(m.matrix[2]!.map((v) => Number(v.toFixed(9)))).toEqual([0, 0.75, 1, 0.75, 0]);
    expect(m.matrix[1]![1]).toBeCloseTo(0.5625, 12);
    expect(m.calcZ(5, 5)).toBeCloseTo(0.5625, 12);
    // Half-way between mesh points (2.5, 5): half of .5625.
    expect(m.calcZ(2.5, 5)).toBeCloseTo(0.28125, 12);
    expect(m.zRange()[1]).toBe(1);
  });

  it('bicubic mesh: each segment from its neighbours, the ends repeating the end value', () => {
    const row = [0, 1, 3, 6];
    const m = new ZMesh(
      [row, row, row, row],
      params({ max_x: 30, max_y: 30, x_count: 4, y_count: 4, mesh_x_pps: 1, mesh_y_pps: 1, algo: 'bicubic' }),
    );
    // x = 5: p = 0 0 1 3 -> .5 + .025 - .075 = .45; x = 15: 1.95; x = 25: p = 1 3 6 6 -> 1.5 + 3 + .125 - .075 = 4.55.
    const expected = [0, 0.45, 1, 1.95, 3, 4.55, 6];
    for (const r of m.matrix) expect(r.map((v) => Number(v.toFixed(9)))).toEqual(expected);
  });

  it('chooses the algorithm as Klipper does for the probe count', () => {
    expect(effectiveAlgorithm('lagrange', 5, 5, 2, 2)).toBe('lagrange');
    expect(effectiveAlgorithm('bicubic', 3, 5, 2, 2)).toBe('lagrange');
    expect(effectiveAlgorithm('bicubic', 7, 7, 2, 2)).toBe('bicubic');
    expect(effectiveAlgorithm('lagrange', 7, 7, 0, 0)).toBe('direct');
    expect(() => effectiveAlgorithm('lagrange', 7, 5, 2, 2)).toThrow(/at most 6 probe points/);
    expect(() => effectiveAlgorithm('bicubic', 3, 7, 2, 2)).toThrow(/cannot combine 3 points/);
  });

  it('rejects a probed matrix of the wrong shape', () => {
    expect(
      () =>
        new ZMesh(
          [
            [0, 0, 0],
            [0, 0],
          ],
          params({ y_count: 2 }),
        ),
    ).toThrow(/expected 2 rows of 3/);
  });
});
