// Streaming G-code scanner: raw bytes in, typed arrays out (see toolpath.ts). It never makes a
// string per line or an object per move, so 200 MB of G-code costs only the arrays it fills.
// Pure module (no DOM, no Node): it runs in the preview's Web Worker and in the host.
import { Feature, featureFromTypeComment } from './features';
import type { ScanWarning, Toolpath } from './toolpath';

export interface ScanOptions {
  /** File size if known: sizes the arrays up front so they rarely grow. */
  expectedBytes?: number;
  /** Longest chord when tessellating G2/G3 arcs, mm. */
  arcSegmentMm?: number;
  /**
   * Parallel parsing: the first byte pushed is at this file offset, and the machine state
   * there is unknown, so it starts from `guess` (see parallelScan.ts, which checks the guess).
   */
  startOffset?: number;
  guess?: ScanGuess;
}

/** What a scanner starting mid-file assumes (modes from the file's head; positions unknown). */
export interface ScanGuess {
  relativeXyz: boolean;
  relativeE: boolean;
  tool: number;
  feedMmMin: number;
}

/**
 * Everything that decides the scanner's output from here on. Two scanners in equal states at
 * the same line produce the same segments after it: the basis of the parallel parse.
 */
export interface ScanState {
  x: number;
  y: number;
  z: number;
  /** NaN when `eUnknown`: E was never set absolutely since a mid-file start. */
  e: number;
  eUnknown: boolean;
  feedMmMin: number;
  relativeXyz: boolean;
  relativeE: boolean;
  tool: number;
  feature: number;
  retracted: boolean;
  commentKind: number;
  hasCommentLayers: boolean;
  commentZ: number;
  commentHeight: number;
  zLayerZ: number;
  lastFlatHeightMm: number;
  /** Segments since the last extrusion (NaN before any). */
  sinceExtrusion: number;
  /** End of the last segment (NaN before any): differs from x/y/z after G92/G28. */
  lastX: number;
  lastY: number;
  lastZ: number;
}

/** The scanner at a line start: its state and how much it has produced so far. */
export interface ScanCheckpoint {
  /** File offset of the line start. */
  offset: number;
  segments: number;
  lines: number;
  commentLayers: number;
  zLayers: number;
  warnings: number;
  state: ScanState;
}

/** The scanner's output before the per-layer tables are built (what two halves merge from). */
export interface RawScan {
  count: number;
  points: Float32Array;
  extrusion: Float32Array;
  feed: Float32Array;
  feature: Uint8Array;
  tool: Uint8Array;
  offset: Uint32Array;
  commentStarts: number[];
  commentZ: number[];
  commentHeight: number[];
  zStarts: number[];
  maxTool: number;
  bytesSeen: number;
  lineCount: number;
  slicer: string | null;
  warnings: ScanWarning[];
  /** File offset of the first line that used an unknown E (absolute E before any E was known); -1 none. */
  unknownEUsedAt: number;
}

const NL = 10;
const SEMI = 59;
const MAX_WARNINGS = 50;
/** Two flat extrusions further apart in Z than this are on different layers (Z detection). */
const LAYER_Z_EPSILON_MM = 0.001;

// Where parseNumber stopped; a module variable so parsing a number allocates nothing.
let numberEnd = 0;
let numberValid = false;

function parseNumber(buf: Uint8Array, k: number, end: number): number {
  let neg = false;
  const c = buf[k];
  if (c === 45) {
    neg = true;
    k++;
  } else if (c === 43) k++;
  let value = 0;
  let digits = 0;
  while (k < end) {
    const d = buf[k] - 48;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
    k++;
    digits++;
  }
  if (k < end && buf[k] === 46) {
    k++;
    let scale = 1;
    while (k < end) {
      const d = buf[k] - 48;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
      scale *= 10;
      k++;
      digits++;
    }
    value /= scale;
  }
  numberEnd = k;
  numberValid = digits > 0;
  return neg ? -value : value;
}

function startsWith(buf: Uint8Array, k: number, end: number, text: string): boolean {
  if (end - k < text.length) return false;
  for (let i = 0; i < text.length; i++) if (buf[k + i] !== text.charCodeAt(i)) return false;
  return true;
}

function asciiText(buf: Uint8Array, k: number, end: number): string {
  let s = '';
  for (let i = k; i < end && i < k + 200; i++) s += String.fromCharCode(buf[i]);
  return s.trim();
}

// Parameter words seen on the current line, as bits.
const HAS_X = 1,
  HAS_Y = 2,
  HAS_Z = 4,
  HAS_E = 8,
  HAS_F = 16,
  HAS_I = 32,
  HAS_J = 64,
  HAS_R = 128,
  HAS_P = 256,
  HAS_L = 512;

export class GcodeScanner {
  private readonly arcSegmentMm: number;
  // Growable per-segment arrays (capacity >= count).
  private capacity: number;
  private points: Float32Array;
  private extrusion: Float32Array;
  private feed: Float32Array;
  private feature: Uint8Array;
  private tool: Uint8Array;
  private offset: Uint32Array;
  private count = 0;

  // Machine state (logical coordinates, mm).
  private x = 0;
  private y = 0;
  private z = 0;
  private e = 0;
  private eUnknown = false;
  private unknownEUsedAt = -1;
  private feedMmMin = 1500;
  private relativeXyz = false;
  /** M83: E relative even under G90 (as in Marlin and Klipper, G91 also makes E relative). */
  private relativeE = false;
  private currentTool = 0;
  private maxTool = 0;
  private currentFeature: number = Feature.extrusion;
  private firmwareRetracted = false;

  // Per-line words.
  private words = 0;
  private wX = 0;
  private wY = 0;
  private wZ = 0;
  private wE = 0;
  private wF = 0;
  private wI = 0;
  private wJ = 0;
  private wR = 0;

  // Layers from slicer comments.
  private commentKind: 0 | 1 | 2 = 0; // 1 = ;LAYER_CHANGE, 2 = ;LAYER:n (first kind seen wins)
  private commentStarts: number[] = [];
  private commentZ: number[] = [];
  private commentHeight: number[] = [];
  // Layers from Z changes of extruding moves.
  private zStarts: number[] = [0];
  private zLayerZ = NaN;
  private lastFlatHeightMm = 0.2;
  private lastExtrusionSegment = -1;

  private lineNumber = 0;
  private bytesSeen = 0;
  private carry: Uint8Array | null = null;
  private slicer: string | null = null;
  private warnings: ScanWarning[] = [];

  constructor(options: ScanOptions = {}) {
    this.arcSegmentMm = options.arcSegmentMm ?? 1;
    // ~30 bytes per move line in sliced G-code; arrays grow by half when that is wrong.
    this.capacity = Math.max(1024, Math.ceil((options.expectedBytes ?? 0) / 28));
    this.points = new Float32Array((this.capacity + 1) * 3);
    this.extrusion = new Float32Array(this.capacity);
    this.feed = new Float32Array(this.capacity);
    this.feature = new Uint8Array(this.capacity);
    this.tool = new Uint8Array(this.capacity);
    this.offset = new Uint32Array(this.capacity);
    if (options.startOffset !== undefined) {
      this.bytesSeen = options.startOffset;
      // Mid-file: positions unknown until the file sets them.
      this.x = this.y = this.z = this.e = NaN;
      this.eUnknown = true;
    }
    const g = options.guess;
    if (g) {
      this.relativeXyz = g.relativeXyz;
      this.relativeE = g.relativeE;
      this.currentTool = g.tool;
      this.feedMmMin = g.feedMmMin;
    }
  }

  /** File offset just past the last byte pushed. */
  get bytesPushed(): number {
    return this.bytesSeen;
  }

  /** The state now (meaningful at a line start: after a push that ended with a newline). */
  state(): ScanState {
    const n = this.count;
    const p = this.points;
    return {
      x: this.x,
      y: this.y,
      z: this.z,
      e: this.eUnknown ? NaN : this.e,
      eUnknown: this.eUnknown,
      feedMmMin: this.feedMmMin,
      relativeXyz: this.relativeXyz,
      relativeE: this.relativeE,
      tool: this.currentTool,
      feature: this.currentFeature,
      retracted: this.firmwareRetracted,
      commentKind: this.commentKind,
      hasCommentLayers: this.commentStarts.length > 0,
      commentZ: this.commentZ.length ? this.commentZ[this.commentZ.length - 1] : NaN,
      commentHeight: this.commentHeight.length ? this.commentHeight[this.commentHeight.length - 1] : NaN,
      zLayerZ: this.zLayerZ,
      lastFlatHeightMm: this.lastFlatHeightMm,
      sinceExtrusion: this.lastExtrusionSegment < 0 ? NaN : n - this.lastExtrusionSegment,
      lastX: n ? p[n * 3] : NaN,
      lastY: n ? p[n * 3 + 1] : NaN,
      lastZ: n ? p[n * 3 + 2] : NaN,
    };
  }

  /** A checkpoint at the current line start; null when a partial line is held back. */
  checkpoint(): ScanCheckpoint | null {
    if (this.carry) return null;
    return {
      offset: this.bytesSeen,
      segments: this.count,
      lines: this.lineNumber,
      commentLayers: this.commentStarts.length,
      zLayers: this.zStarts.length,
      warnings: this.warnings.length,
      state: this.state(),
    };
  }

  /** Feed the next bytes of the file. Lines may be split across chunks. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    let start = 0;
    const base = this.bytesSeen;
    this.bytesSeen += chunk.length;
    if (this.bytesSeen > 0xffffffff) {
      throw new Error('G-code file is larger than 4 GiB: the preview cannot address it; split the file.');
    }
    if (this.carry) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        const joined = new Uint8Array(this.carry.length + chunk.length);
        joined.set(this.carry);
        joined.set(chunk, this.carry.length);
        this.carry = joined;
        return;
      }
      const line = new Uint8Array(this.carry.length + nl);
      line.set(this.carry);
      line.set(chunk.subarray(0, nl), this.carry.length);
      this.scanLine(line, 0, line.length, base - this.carry.length);
      this.carry = null;
      start = nl + 1;
    }
    const lastNl = chunk.lastIndexOf(NL);
    if (lastNl < start) {
      this.carry = chunk.slice(start);
      return;
    }
    let i = start;
    while (i <= lastNl) {
      const nl = chunk.indexOf(NL, i);
      this.scanLine(chunk, i, nl, base + i);
      i = nl + 1;
    }
    if (lastNl + 1 < chunk.length) this.carry = chunk.slice(lastNl + 1);
  }

  /** Scan what is left and return the toolpath. The scanner cannot be used afterwards. */
  finish(): Toolpath {
    return buildToolpath(this.finishRaw());
  }

  /** Scan what is left and return the arrays as filled (capacity may exceed `count`). */
  finishRaw(): RawScan {
    if (this.carry) {
      const c = this.carry;
      this.carry = null;
      this.scanLine(c, 0, c.length, this.bytesSeen - c.length);
    }
    return {
      count: this.count,
      points: this.points,
      extrusion: this.extrusion,
      feed: this.feed,
      feature: this.feature,
      tool: this.tool,
      offset: this.offset,
      commentStarts: this.commentStarts,
      commentZ: this.commentZ,
      commentHeight: this.commentHeight,
      zStarts: this.zStarts,
      maxTool: this.maxTool,
      bytesSeen: this.bytesSeen,
      lineCount: this.lineNumber,
      slicer: this.slicer,
      warnings: this.warnings,
      unknownEUsedAt: this.unknownEUsedAt,
    };
  }

  private warn(kind: ScanWarning['kind'], command: string, message: string): void {
    if (this.warnings.length >= MAX_WARNINGS) return;
    this.warnings.push({ line: this.lineNumber, kind, command, message: `line ${this.lineNumber}: ${message}` });
  }

  private scanLine(buf: Uint8Array, k: number, end: number, fileOffset: number): void {
    this.lineNumber++;
    if (end > k && buf[end - 1] === 13) end--; // CRLF
    while (k < end && (buf[k] === 32 || buf[k] === 9)) k++;
    if (k >= end) return;
    let c = buf[k];
    if (c === SEMI) {
      this.scanComment(buf, k + 1, end);
      return;
    }
    let letter = c | 0x20;
    if (letter === 110) {
      // N<line number> before the command.
      parseNumber(buf, k + 1, end);
      k = numberEnd;
      while (k < end && buf[k] === 32) k++;
      if (k >= end) return;
      c = buf[k];
      letter = c | 0x20;
    }
    if (letter !== 103 && letter !== 109 && letter !== 116) return; // not G, M or T
    const code = parseNumber(buf, k + 1, end);
    if (!numberValid) return;
    k = numberEnd;
    if (letter === 116) {
      this.currentTool = code;
      if (code > this.maxTool) this.maxTool = Math.min(code, 255);
      return;
    }
    if (letter === 109) {
      if (code === 82) this.relativeE = false;
      else if (code === 83) this.relativeE = true;
      return;
    }
    switch (code) {
      case 0:
      case 1:
        this.readWords(buf, k, end);
        this.move(fileOffset);
        return;
      case 2:
      case 3:
        this.readWords(buf, k, end);
        this.arc(code === 2, fileOffset);
        return;
      case 90:
        this.relativeXyz = false;
        return;
      case 91:
        this.relativeXyz = true;
        return;
      case 92:
        this.readWords(buf, k, end);
        this.setPosition();
        return;
      case 28:
        this.readWords(buf, k, end);
        this.home();
        return;
      case 10:
        this.readWords(buf, k, end);
        // G10 with P/L sets tool offsets (RepRapFirmware); bare G10 is a firmware retract.
        if ((this.words & (HAS_P | HAS_L)) === 0) this.firmwareRetracted = true;
        return;
      case 11:
        this.firmwareRetracted = false;
        return;
      case 18:
      case 19:
        this.warn('arcPlaneUnsupported', `G${code}`, `G${code} (arc plane other than XY) is not supported: arcs are drawn in XY`);
        return;
      default:
        return;
    }
  }

  private readWords(buf: Uint8Array, k: number, end: number): void {
    let words = 0;
    while (k < end) {
      const c = buf[k];
      if (c === 32 || c === 9) {
        k++;
        continue;
      }
      if (c === SEMI || c === 42) break; // comment or checksum
      const letter = c | 0x20;
      const v = parseNumber(buf, k + 1, end);
      k = numberEnd;
      if (!numberValid) {
        k = Math.max(k, numberEnd + 1);
        continue;
      }
      switch (letter) {
        case 120:
          this.wX = v;
          words |= HAS_X;
          break;
        case 121:
          this.wY = v;
          words |= HAS_Y;
          break;
        case 122:
          this.wZ = v;
          words |= HAS_Z;
          break;
        case 101:
          this.wE = v;
          words |= HAS_E;
          break;
        case 102:
          this.wF = v;
          words |= HAS_F;
          break;
        case 105:
          this.wI = v;
          words |= HAS_I;
          break;
        case 106:
          this.wJ = v;
          words |= HAS_J;
          break;
        case 114:
          this.wR = v;
          words |= HAS_R;
          break;
        case 112:
          words |= HAS_P;
          break;
        case 108:
          words |= HAS_L;
          break;
      }
    }
    this.words = words;
  }

  private scanComment(buf: Uint8Array, k: number, end: number): void {
    while (k < end && buf[k] === 32) k++;
    const c = buf[k];
    if (c === 76 /* L */) {
      if (startsWith(buf, k, end, 'LAYER_CHANGE')) {
        if (this.commentKind === 0) this.commentKind = 1;
        if (this.commentKind === 1) this.commentLayer();
      } else if (startsWith(buf, k, end, 'LAYER:')) {
        if (this.commentKind === 0) this.commentKind = 2;
        if (this.commentKind === 2) this.commentLayer();
      }
    } else if (c === 90 /* Z */ && buf[k + 1] === 58) {
      const z = parseNumber(buf, k + 2, end);
      if (numberValid && this.commentZ.length > 0) this.commentZ[this.commentZ.length - 1] = z;
    } else if (c === 72 /* H */ && startsWith(buf, k, end, 'HEIGHT:')) {
      const h = parseNumber(buf, k + 7, end);
      if (numberValid && this.commentHeight.length > 0) this.commentHeight[this.commentHeight.length - 1] = h;
    } else if (c === 84 /* T */ && startsWith(buf, k, end, 'TYPE:')) {
      this.currentFeature = featureFromTypeComment(asciiText(buf, k + 5, end));
    } else if (this.slicer === null && this.lineNumber < 50 && (c === 103 || c === 71)) {
      // "; generated by PrusaSlicer 2.6.1 ..." / ";Generated with Cura_SteamEngine 2.3.1"
      const text = asciiText(buf, k, end);
      const m = /^generated (?:by|with) (.+?)(?: on .*)?$/i.exec(text);
      if (m) this.slicer = m[1];
    }
  }

  private commentLayer(): void {
    // (buildToolpath makes the first layer start at 0: the start G-code joins it.)
    this.commentStarts.push(this.count);
    this.commentZ.push(NaN);
    this.commentHeight.push(NaN);
  }

  private move(fileOffset: number): void {
    const w = this.words;
    if (w & HAS_F) this.feedMmMin = this.wF;
    const rel = this.relativeXyz;
    const tx = w & HAS_X ? (rel ? this.x + this.wX : this.wX) : this.x;
    const ty = w & HAS_Y ? (rel ? this.y + this.wY : this.wY) : this.y;
    const tz = w & HAS_Z ? (rel ? this.z + this.wZ : this.wZ) : this.z;
    const de = w & HAS_E ? this.takeE(rel, fileOffset) : 0;
    if (tx === this.x && ty === this.y && tz === this.z) return; // E or F only: nothing to draw
    this.segment(tx, ty, tz, de, fileOffset);
  }

  /** Filament pushed by this line's E word; updates the E position. */
  private takeE(relXyz: boolean, fileOffset: number): number {
    if (relXyz || this.relativeE) {
      this.e += this.wE;
      return this.wE;
    }
    if (this.eUnknown) {
      // Mid-file start: this move's extrusion cannot be known here (parallelScan.ts re-scans it).
      if (this.unknownEUsedAt < 0) this.unknownEUsedAt = fileOffset;
      this.eUnknown = false;
      this.e = this.wE;
      return 0;
    }
    const de = this.wE - this.e;
    this.e = this.wE;
    return de;
  }

  private arc(clockwise: boolean, fileOffset: number): void {
    const w = this.words;
    if (w & HAS_F) this.feedMmMin = this.wF;
    const rel = this.relativeXyz;
    const sx = this.x;
    const sy = this.y;
    const sz = this.z;
    const tx = w & HAS_X ? (rel ? sx + this.wX : this.wX) : sx;
    const ty = w & HAS_Y ? (rel ? sy + this.wY : this.wY) : sy;
    const tz = w & HAS_Z ? (rel ? sz + this.wZ : this.wZ) : sz;
    const de = w & HAS_E ? this.takeE(rel, fileOffset) : 0;
    let cx: number;
    let cy: number;
    if (w & (HAS_I | HAS_J)) {
      cx = sx + (w & HAS_I ? this.wI : 0);
      cy = sy + (w & HAS_J ? this.wJ : 0);
    } else if (w & HAS_R) {
      const dx = tx - sx;
      const dy = ty - sy;
      const d = Math.hypot(dx, dy);
      const r = this.wR;
      if (d === 0 || Math.abs(r) * 2 < d - 1e-6) {
        const cmd = `G${clockwise ? 2 : 3}`;
        this.warn('arcRadiusTooSmall', cmd, `${cmd} R${r} cannot reach its end point: drawn as a straight move`);
        if (tx !== sx || ty !== sy || tz !== sz) this.segment(tx, ty, tz, de, fileOffset);
        return;
      }
      const h = Math.sqrt(Math.max(0, r * r - (d * d) / 4));
      // Centre left of start->end for a short counter-clockwise arc; R<0 asks for the long arc.
      const side = (clockwise ? -1 : 1) * (r < 0 ? -1 : 1);
      cx = (sx + tx) / 2 - (dy / d) * h * side;
      cy = (sy + ty) / 2 + (dx / d) * h * side;
    } else {
      const cmd = `G${clockwise ? 2 : 3}`;
      this.warn('arcWithoutCentre', cmd, `${cmd} without I/J or R: drawn as a straight move`);
      if (tx !== sx || ty !== sy || tz !== sz) this.segment(tx, ty, tz, de, fileOffset);
      return;
    }
    const radius = Math.hypot(sx - cx, sy - cy);
    const a0 = Math.atan2(sy - cy, sx - cx);
    const a1 = Math.atan2(ty - cy, tx - cx);
    let sweep = clockwise ? a0 - a1 : a1 - a0; // always positive, in the arc's direction
    while (sweep <= 1e-9) sweep += 2 * Math.PI; // start == end: a full circle
    while (sweep > 2 * Math.PI + 1e-9) sweep -= 2 * Math.PI;
    const n = Math.max(1, Math.ceil((sweep * radius) / this.arcSegmentMm));
    const dir = clockwise ? -1 : 1;
    for (let i = 1; i <= n; i++) {
      const f = i / n;
      if (i === n) {
        this.segment(tx, ty, tz, de / n, fileOffset);
      } else {
        const a = a0 + dir * sweep * f;
        this.segment(cx + radius * Math.cos(a), cy + radius * Math.sin(a), sz + (tz - sz) * f, de / n, fileOffset);
      }
    }
  }

  private setPosition(): void {
    const w = this.words;
    if ((w & (HAS_X | HAS_Y | HAS_Z | HAS_E)) === 0) {
      this.x = this.y = this.z = this.e = 0;
      this.eUnknown = false;
      return;
    }
    if (w & HAS_X) this.x = this.wX;
    if (w & HAS_Y) this.y = this.wY;
    if (w & HAS_Z) this.z = this.wZ;
    if (w & HAS_E) {
      this.e = this.wE;
      this.eUnknown = false;
    }
  }

  private home(): void {
    // The toolhead goes to the endstops; draw nothing, the next move starts from there.
    const w = this.words;
    const all = (w & (HAS_X | HAS_Y | HAS_Z)) === 0;
    if (all || w & HAS_X) this.x = 0;
    if (all || w & HAS_Y) this.y = 0;
    if (all || w & HAS_Z) this.z = 0;
  }

  private grow(): void {
    const cap = Math.ceil(this.capacity * 1.5) + 1024;
    const points = new Float32Array((cap + 1) * 3);
    points.set(this.points);
    this.points = points;
    const extrusion = new Float32Array(cap);
    extrusion.set(this.extrusion);
    this.extrusion = extrusion;
    const feed = new Float32Array(cap);
    feed.set(this.feed);
    this.feed = feed;
    const feature = new Uint8Array(cap);
    feature.set(this.feature);
    this.feature = feature;
    const tool = new Uint8Array(cap);
    tool.set(this.tool);
    this.tool = tool;
    const offset = new Uint32Array(cap);
    offset.set(this.offset);
    this.offset = offset;
    this.capacity = cap;
  }

  /** Append a move from the current position to (tx, ty, tz). */
  private segment(tx: number, ty: number, tz: number, de: number, fileOffset: number): void {
    let n = this.count;
    const p = this.points;
    // The previous segment ended elsewhere (G92, G28): add a hidden jump so that segment n
    // still starts at point n.
    if (n === 0) {
      p[0] = this.x;
      p[1] = this.y;
      p[2] = this.z;
    } else if (p[n * 3] !== Math.fround(this.x) || p[n * 3 + 1] !== Math.fround(this.y) || p[n * 3 + 2] !== Math.fround(this.z)) {
      this.push1(n, this.x, this.y, this.z, 0, Feature.jump, fileOffset);
      n = this.count;
    }
    const extruding = de > 0 && !this.firmwareRetracted;
    this.push1(n, tx, ty, tz, de, extruding ? this.currentFeature : Feature.travel, fileOffset);
    if (extruding) this.trackZLayer(n, this.z, tz);
    this.x = tx;
    this.y = ty;
    this.z = tz;
  }

  private push1(n: number, x: number, y: number, z: number, de: number, feature: number, fileOffset: number): void {
    if (n >= this.capacity) this.grow();
    const p = this.points;
    const q = (n + 1) * 3;
    p[q] = x;
    p[q + 1] = y;
    p[q + 2] = z;
    this.extrusion[n] = de;
    this.feed[n] = this.feedMmMin;
    this.feature[n] = feature;
    this.tool[n] = this.currentTool;
    this.offset[n] = fileOffset;
    this.count = n + 1;
  }

  private trackZLayer(segment: number, startZ: number, endZ: number): void {
    if (Number.isNaN(this.zLayerZ)) {
      this.zLayerZ = endZ;
    } else {
      const spiral = Math.abs(endZ - startZ) > 1e-4; // vase mode: Z rises while extruding
      const dz = endZ - this.zLayerZ;
      if ((!spiral && Math.abs(dz) > LAYER_Z_EPSILON_MM) || (spiral && dz >= this.lastFlatHeightMm - 1e-6)) {
        // The new layer starts right after the last extrusion of the old one, so the travel
        // and Z hop that lead to it belong to it.
        this.zStarts.push(this.lastExtrusionSegment + 1);
        // Rounded to 1 um: a height, not float noise (so two scanners that reached
        // this Z along different paths agree; see parallelScan.ts).
        if (!spiral && dz > LAYER_Z_EPSILON_MM) this.lastFlatHeightMm = Math.round(dz * 1e6) / 1e6;
        this.zLayerZ = endZ;
      }
    }
    this.lastExtrusionSegment = segment;
  }
}

/** Per-layer tables, bounds and totals from the raw arrays (trimmed to `count`). */
export function buildToolpath(raw: RawScan): Toolpath {
  const n = raw.count;
  // Trim the arrays when more than a tenth is unused (a copy, but only once).
  const trim = raw.feature.length > n * 1.1 + 1024;
  const cut = <T extends Float32Array | Uint8Array | Uint32Array>(a: T, len: number): T =>
    (trim ? a.slice(0, len) : a.subarray(0, len)) as T;
  const points = cut(raw.points, (n + 1) * 3);
  const extrusionMm = cut(raw.extrusion, n);
  const feedMmMin = cut(raw.feed, n);
  const feature = cut(raw.feature, n);
  const tool = cut(raw.tool, n);
  const fileOffset = cut(raw.offset, n);
  if (n === 0) points.fill(0, 0, 3);

  const fromComments = raw.commentStarts.length > 0;
  const starts = fromComments ? raw.commentStarts : raw.zStarts;
  const layerCount = Math.max(1, starts.length);
  const startSegment = new Uint32Array(layerCount + 1);
  for (let i = 0; i < starts.length; i++) startSegment[i] = starts[i];
  // Moves before the first layer comment (start G-code, purge line) join the first layer.
  startSegment[0] = 0;
  startSegment[layerCount] = n;
  const zMm = new Float32Array(layerCount);
  const heightMm = new Float32Array(layerCount);
  const timeS = new Float32Array(layerCount);
  const layer = new Uint32Array(n);

  const min: [number, number, number] = [Infinity, Infinity, Infinity];
  const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  let feedMin = Infinity;
  let feedMax = -Infinity;
  let filamentMm = 0;
  let totalTimeS = 0;
  for (let l = 0; l < layerCount; l++) {
    const s0 = startSegment[l];
    const s1 = startSegment[l + 1];
    layer.fill(l, s0, s1);
    let topZ = -Infinity;
    let t = 0;
    for (let s = s0; s < s1; s++) {
      const f = feature[s];
      if (f === Feature.jump) continue;
      const q = s * 3;
      const dx = points[q + 3] - points[q];
      const dy = points[q + 4] - points[q + 1];
      const dz = points[q + 5] - points[q + 2];
      const len = Math.sqrt(dx * dx + dy * dy + dz * dz);
      const fr = feedMmMin[s];
      if (fr > 0) t += (len * 60) / fr;
      if (f !== Feature.travel) {
        const ez = points[q + 5];
        if (ez > topZ) topZ = ez;
        filamentMm += extrusionMm[s];
        if (fr < feedMin) feedMin = fr;
        if (fr > feedMax) feedMax = fr;
        for (let a = 0; a < 3; a++) {
          const v0 = points[q + a];
          const v1 = points[q + 3 + a];
          if (v0 < min[a]) min[a] = v0;
          if (v1 < min[a]) min[a] = v1;
          if (v0 > max[a]) max[a] = v0;
          if (v1 > max[a]) max[a] = v1;
        }
      }
    }
    timeS[l] = t;
    totalTimeS += t;
    const commentZ = fromComments ? raw.commentZ[l] : NaN;
    zMm[l] = !Number.isNaN(commentZ) ? commentZ : topZ > -Infinity ? topZ : points[s0 * 3 + 2];
    const commentH = fromComments ? raw.commentHeight[l] : NaN;
    heightMm[l] = !Number.isNaN(commentH) ? commentH : l === 0 ? zMm[0] : zMm[l] - zMm[l - 1];
  }
  if (min[0] === Infinity) {
    // Nothing extrudes: frame all points instead.
    for (let i = 0; i < points.length; i += 3) {
      for (let a = 0; a < 3; a++) {
        const v = points[i + a];
        if (v < min[a]) min[a] = v;
        if (v > max[a]) max[a] = v;
      }
    }
  }
  if (feedMin === Infinity) {
    feedMin = 0;
    feedMax = 0;
  }
  return {
    segmentCount: n,
    points,
    extrusionMm,
    feedMmMin,
    feature,
    tool,
    layer,
    fileOffset,
    layers: { count: layerCount, startSegment, zMm, heightMm, timeS },
    boundsMm: { min, max },
    feedRangeMmMin: [feedMin, feedMax],
    toolCount: raw.maxTool + 1,
    fileSizeBytes: raw.bytesSeen,
    lineCount: raw.lineCount,
    estimatedTimeS: totalTimeS,
    filamentMm,
    layerSource: fromComments ? 'comments' : 'z',
    slicer: raw.slicer,
    warnings: raw.warnings,
  };
}

/** Scan a whole file held in memory (tests, small files, the host's metadata reader). */
export function scanGcode(bytes: Uint8Array, options: ScanOptions = {}): Toolpath {
  const scanner = new GcodeScanner({ expectedBytes: bytes.length, ...options });
  scanner.push(bytes);
  return scanner.finish();
}
