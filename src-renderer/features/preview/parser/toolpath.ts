// The parsed toolpath: typed arrays in file order, one entry per segment. Plain data with no
// DOM or Node types, so it crosses a worker boundary (transferable buffers) and the host can
// use it for file metadata.

export interface LayerTable {
  count: number;
  /** Segment index where each layer starts; entry `count` is the total segment count. */
  startSegment: Uint32Array;
  /** Print height of the layer (;Z: comment, else the highest extruding move in it). */
  zMm: Float32Array;
  /** Layer thickness (;HEIGHT: comment, else the step from the layer below). */
  heightMm: Float32Array;
  /** Move time at the programmed feed rates (no acceleration): a rough estimate. */
  timeS: Float32Array;
}

/** A line the scanner could not draw faithfully. `message` is English, for logs; UIs translate `kind`. */
export interface ScanWarning {
  line: number;
  kind: 'arcWithoutCentre' | 'arcRadiusTooSmall' | 'arcPlaneUnsupported';
  /** The command as written, e.g. "G2". */
  command: string;
  message: string;
}

export interface Toolpath {
  segmentCount: number;
  /**
   * Segment end points, xyz, `segmentCount + 1` points: segment i starts at point i and ends at
   * point i + 1. Sharing the points halves memory; a position set by G92/G28 between moves shows
   * up as a `Feature.jump` segment, which is never drawn.
   */
  points: Float32Array;
  /** Filament pushed during the segment, mm (negative while retracting). */
  extrusionMm: Float32Array;
  feedMmMin: Float32Array;
  /** `Feature` code per segment. */
  feature: Uint8Array;
  /** Active tool (T0, T1, ...) per segment. */
  tool: Uint8Array;
  /** Layer index per segment (same as looking it up in `layers.startSegment`). */
  layer: Uint32Array;
  /** Byte offset in the file of the line that made the segment (for print progress). */
  fileOffset: Uint32Array;
  layers: LayerTable;
  /** Box around the extruding moves (all moves when nothing extrudes), mm. */
  boundsMm: { min: [number, number, number]; max: [number, number, number] };
  /** Feed rate range of extruding moves, mm/min. */
  feedRangeMmMin: [number, number];
  toolCount: number;
  fileSizeBytes: number;
  lineCount: number;
  estimatedTimeS: number;
  filamentMm: number;
  /** How layers were found: slicer comments, or Z changes of extruding moves. */
  layerSource: 'comments' | 'z';
  slicer: string | null;
  /** Things the scanner could not draw faithfully, each naming its line. First 50 only. */
  warnings: ScanWarning[];
}

/** The buffers to list as transferables when posting a toolpath between threads. */
export function toolpathBuffers(tp: Toolpath): ArrayBuffer[] {
  const arrays = [
    tp.points,
    tp.extrusionMm,
    tp.feedMmMin,
    tp.feature,
    tp.tool,
    tp.layer,
    tp.fileOffset,
    tp.layers.startSegment,
    tp.layers.zMm,
    tp.layers.heightMm,
    tp.layers.timeS,
  ];
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}

/** Number of segments whose line starts before `filePosition`: the part already printed. */
export function segmentsBeforeFilePosition(tp: Toolpath, filePosition: number): number {
  const offsets = tp.fileOffset;
  let lo = 0;
  let hi = tp.segmentCount;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (offsets[mid] < filePosition) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Layer that holds segment `segment` (the last layer for `segment >= segmentCount`). */
export function layerOfSegment(tp: Toolpath, segment: number): number {
  const starts = tp.layers.startSegment;
  let lo = 0;
  let hi = tp.layers.count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid] <= segment) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
