// Level of detail for the first frame: bounded size, layer ends kept, every layer drawn, and
// the shape kept (points of the overview lie on the original path).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { referenceDir } from '../../support/paths';
import { scanGcode } from '../../../src-renderer/features/preview/parser/gcodeScanner';
import { Feature } from '../../../src-renderer/features/preview/parser/features';
import { buildOverview, overviewScrub } from '../../../src-renderer/features/preview/overview';
import type { Toolpath } from '../../../src-renderer/features/preview/parser/toolpath';

const benchy = scanGcode(new Uint8Array(readFileSync(path.join(referenceDir, 'gcode', 'benchy-prusaslicer-2.6.1.gcode'))));
const point = (a: Float32Array, i: number) => Array.from(a.subarray(i * 3, i * 3 + 3));

function checkOverview(tp: Toolpath, budget: number) {
  const o = buildOverview(tp, budget);
  // Bounded.
  expect(o.segmentCount).toBeLessThanOrEqual(Math.max(budget, tp.layers.count));
  expect(o.points.length).toBe((o.segmentCount + 1) * 3);
  expect(o.layers.count).toBe(tp.layers.count);
  for (let l = 0; l < tp.layers.count; l++) {
    const s0 = tp.layers.startSegment[l];
    const s1 = tp.layers.startSegment[l + 1];
    const a = o.layers.startSegment[l];
    const b = o.layers.startSegment[l + 1];
    if (s1 === s0) {
      expect(b).toBe(a);
      continue;
    }
    // Every layer represented, starting and ending where the original layer does.
    expect(b, `layer ${l}`).toBeGreaterThan(a);
    expect(point(o.points, a)).toEqual(point(tp.points, s0));
    expect(point(o.points, b)).toEqual(point(tp.points, s1));
    expect(Array.from(o.layer.subarray(a, b)).every((v) => v === l)).toBe(true);
    expect(o.sourceSegment[b - 1]).toBe(s1 - 1);
  }
  // Each overview segment ends at an original point and carries that segment's attributes.
  for (let i = 0; i < o.segmentCount; i++) {
    const s = o.sourceSegment[i];
    for (let a = 0; a < 3; a++) {
      if (o.points[(i + 1) * 3 + a] !== tp.points[(s + 1) * 3 + a]) throw new Error(`segment ${i}: end is not original point ${s + 1}`);
    }
    if (o.feature[i] !== tp.feature[s] || o.tool[i] !== tp.tool[s]) throw new Error(`segment ${i}: attributes not from segment ${s}`);
    if (i > 0 && o.sourceSegment[i] <= o.sourceSegment[i - 1]) throw new Error(`segment ${i}: sources out of order`);
  }
  return o;
}

describe('overview (level of detail)', () => {
  it('benchy at several budgets: bounded, layer ends kept, every layer represented', () => {
    for (const budget of [100, 1000, 20_000, 80_000]) checkOverview(benchy, budget);
    // Within budget: the budget is used, not wasted (at least half of it).
    const o = checkOverview(benchy, 20_000);
    expect(o.segmentCount).toBeGreaterThan(10_000);
    expect(o.segmentCount).toBeLessThan(benchy.segmentCount / 2);
  });

  it('a budget above the segment count keeps everything', () => {
    const o = checkOverview(benchy, benchy.segmentCount + 10);
    expect(o.segmentCount).toBe(benchy.segmentCount);
    expect(Buffer.from(o.points.buffer).equals(Buffer.from(benchy.points.buffer, benchy.points.byteOffset, benchy.points.byteLength))).toBe(
      true,
    );
  });

  it('keeps feature changes, so travel stays separate from extrusion and colours stay put', () => {
    const o = checkOverview(benchy, 40_000);
    const extrudedOriginal = Array.from(benchy.feature).filter((f) => f !== Feature.travel && f !== Feature.jump).length;
    const extruded = Array.from(o.feature).filter((f) => f !== Feature.travel && f !== Feature.jump).length;
    expect(extruded).toBeGreaterThan(0);
    expect(extruded).toBeLessThan(extrudedOriginal);
    // Every feature of the original is still there.
    expect(new Set(o.feature)).toEqual(new Set(benchy.feature));
  });

  it('maps the scrubber to overview segments', () => {
    const o = buildOverview(benchy, 20_000);
    const l = 40;
    const s0 = benchy.layers.startSegment[l];
    const n = benchy.layers.startSegment[l + 1] - s0;
    const inLayer = o.layers.startSegment[l + 1] - o.layers.startSegment[l];
    expect(overviewScrub(o, l, s0, 0)).toBe(0);
    expect(overviewScrub(o, l, s0, n)).toBe(inLayer);
    const half = overviewScrub(o, l, s0, Math.floor(n / 2));
    expect(half).toBeGreaterThan(0);
    expect(half).toBeLessThan(inLayer);
  });
});
