// Which segments to draw for a layer range, the within-layer scrubber and the vertex budget.
// Pure: the viewer turns the result into draw ranges; nothing is re-uploaded.
import type { Toolpath } from './parser/toolpath';

export type RenderMode = 'lines' | 'solid';

/** Vertices the GPU processes per segment in each mode (a line; four faces of a box). */
export const verticesPerSegment: Record<RenderMode, number> = { lines: 2, solid: 16 };

export interface DrawWindow {
  /** First segment drawn. */
  first: number;
  /** One past the last segment drawn. */
  end: number;
  /** Lowest layer actually drawn: above the requested one when the budget cut layers off. */
  firstLayerDrawn: number;
  /** Layers of the requested range left out to stay within the vertex budget. */
  skippedLayers: number;
}

/**
 * Segments for layers `lowLayer..highLayer` (inclusive), showing only `scrubSegments` of the top
 * layer when given. When that needs more than `vertexBudget` vertices, the lowest layers of the
 * range are skipped (whole layers), so the layers being looked at stay drawn and a weak machine
 * does not freeze.
 */
export function drawWindow(
  tp: Pick<Toolpath, 'layers'> | { layers: { count: number; startSegment: Uint32Array } },
  lowLayer: number,
  highLayer: number,
  scrubSegments: number | null,
  mode: RenderMode,
  vertexBudget: number,
): DrawWindow {
  const starts = tp.layers.startSegment;
  const last = tp.layers.count - 1;
  const hi = Math.max(0, Math.min(last, highLayer));
  const lo = Math.max(0, Math.min(hi, lowLayer));
  const topStart = starts[hi];
  const topEnd = starts[hi + 1];
  const end = scrubSegments === null ? topEnd : Math.min(topEnd, topStart + Math.max(0, scrubSegments));
  const maxSegments = Math.max(1, Math.floor(vertexBudget / verticesPerSegment[mode]));
  let firstLayer = lo;
  while (firstLayer < hi && end - starts[firstLayer] > maxSegments) firstLayer++;
  let first = starts[firstLayer];
  // A single top layer bigger than the budget: draw its last part.
  if (end - first > maxSegments) first = end - maxSegments;
  return { first, end, firstLayerDrawn: firstLayer, skippedLayers: firstLayer - lo };
}
