// Level of detail: a decimated copy of the toolpath with at most a given number of segments,
// drawn for the first frame (and while the camera moves) so that a big file shows whole at once
// while the full arrays go to the GPU. Every layer keeps its first and last point and at least
// one segment; inside a layer, points where the feature or tool changes are kept, and the
// rest are resampled by extruded length (a circle of 100 chords becomes a coarser polygon, an
// infill zig-zag keeps its long lines). Pure: runs in the parser worker.
import { Feature } from './parser/features';
import type { Toolpath } from './parser/toolpath';

export interface Overview {
  segmentCount: number;
  /** `segmentCount + 1` points, xyz: a strip like Toolpath.points. */
  points: Float32Array;
  feature: Uint8Array;
  tool: Uint8Array;
  feedMmMin: Float32Array;
  layer: Uint32Array;
  /** The original segment each overview segment ends with (live progress, scrubber). */
  sourceSegment: Uint32Array;
  layers: { count: number; startSegment: Uint32Array };
}

export type OverviewSource = Pick<Toolpath, 'segmentCount' | 'points' | 'feature' | 'tool' | 'feedMmMin' | 'layers'>;

/**
 * At most `max(maxSegments, layer count)` segments: every non-empty layer gets one, the rest
 * are shared in proportion to each layer's segments.
 */
export function buildOverview(tp: OverviewSource, maxSegments: number): Overview {
  const N = tp.segmentCount;
  const L = tp.layers.count;
  const starts = tp.layers.startSegment;
  const pts = tp.points;
  const feat = tp.feature;
  const tool = tp.tool;
  const spare = Math.max(0, maxSegments - L);
  const cap = Math.min(N, Math.max(maxSegments, L));
  // Kept original point indices (after the very first point), in order.
  const kept = new Uint32Array(cap + 1);
  let k = 0;
  const lodStart = new Uint32Array(L + 1);
  const classOf = (s: number) => feat[s] | (tool[s] << 8);

  for (let l = 0; l < L; l++) {
    lodStart[l] = k;
    const s0 = starts[l];
    const s1 = starts[l + 1];
    const n = s1 - s0;
    if (n === 0) continue;
    const t = N <= maxSegments ? n : 1 + Math.floor((spare * n) / N);
    if (n <= t) {
      for (let p = s0 + 1; p <= s1; p++) kept[k++] = p;
      continue;
    }
    // Pass 1: class changes (must stay) and the extruded length to resample.
    let mandatory = 0;
    let lengthMm = 0;
    for (let p = s0 + 1; p < s1; p++) if (classOf(p - 1) !== classOf(p)) mandatory++;
    for (let s = s0; s < s1; s++) {
      const f = feat[s];
      if (f === Feature.travel || f === Feature.jump) continue;
      const q = s * 3;
      const dx = pts[q + 3] - pts[q];
      const dy = pts[q + 4] - pts[q + 1];
      const dz = pts[q + 5] - pts[q + 2];
      lengthMm += Math.sqrt(dx * dx + dy * dy + dz * dz);
    }
    if (mandatory + 1 > t) {
      // Too many changes to keep them all: plain stride over the layer's points.
      const stride = Math.ceil(n / t);
      for (let p = s0 + stride; p < s1; p += stride) kept[k++] = p;
      kept[k++] = s1;
      continue;
    }
    const extra = t - 1 - mandatory;
    // Each extra point needs `step` of extruded length since the last kept one: at most `extra`.
    const step = extra > 0 ? lengthMm / extra : Infinity;
    let since = 0;
    let extrasLeft = extra;
    for (let p = s0 + 1; p < s1; p++) {
      const s = p - 1;
      const f = feat[s];
      if (f !== Feature.travel && f !== Feature.jump) {
        const q = s * 3;
        const dx = pts[q + 3] - pts[q];
        const dy = pts[q + 4] - pts[q + 1];
        const dz = pts[q + 5] - pts[q + 2];
        since += Math.sqrt(dx * dx + dy * dy + dz * dz);
      }
      if (classOf(s) !== classOf(p)) {
        kept[k++] = p;
        since = 0;
      } else if (since >= step && extrasLeft > 0) {
        kept[k++] = p;
        since = 0;
        extrasLeft--;
      }
    }
    kept[k++] = s1;
  }
  lodStart[L] = k;

  const points = new Float32Array((k + 1) * 3);
  points[0] = pts[0];
  points[1] = pts[1];
  points[2] = pts[2];
  const feature = new Uint8Array(k);
  const toolOut = new Uint8Array(k);
  const feedMmMin = new Float32Array(k);
  const layer = new Uint32Array(k);
  const sourceSegment = new Uint32Array(k);
  for (let l = 0; l < L; l++) layer.fill(l, lodStart[l], lodStart[l + 1]);
  for (let i = 0; i < k; i++) {
    const p = kept[i];
    const s = p - 1;
    points[(i + 1) * 3] = pts[p * 3];
    points[(i + 1) * 3 + 1] = pts[p * 3 + 1];
    points[(i + 1) * 3 + 2] = pts[p * 3 + 2];
    feature[i] = feat[s];
    toolOut[i] = tool[s];
    feedMmMin[i] = tp.feedMmMin[s];
    sourceSegment[i] = s;
  }
  return { segmentCount: k, points, feature, tool: toolOut, feedMmMin, layer, sourceSegment, layers: { count: L, startSegment: lodStart } };
}

/** Buffers to transfer with an overview. */
export function overviewBuffers(o: Overview): ArrayBuffer[] {
  return [o.points, o.feature, o.tool, o.feedMmMin, o.layer, o.sourceSegment, o.layers.startSegment].map((a) => a.buffer as ArrayBuffer);
}

/** Overview segments of the top layer `layer` that end within its first `originalSegments` segments. */
export function overviewScrub(o: Overview, layer: number, layerStartOriginal: number, originalSegments: number): number {
  const first = o.layers.startSegment[layer];
  let lo = first;
  let hi = o.layers.startSegment[layer + 1];
  const limit = layerStartOriginal + originalSegments; // segments with source < limit are shown
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (o.sourceSegment[mid] < limit) lo = mid + 1;
    else hi = mid;
  }
  return lo - first;
}
