// Parsing one file in two halves at once (two workers), with the result identical to one scan.
// The tail half starts mid-file from a guessed state; the lead half scans on past the split and
// compares its state with the tail's checkpoints. At the first checkpoint where both agree,
// everything the tail produced after it is exactly what the lead would have produced, so the
// lead takes the tail's arrays from there (file offsets are absolute; segment and layer indices
// shift). A file that never agrees (e.g. G91 throughout) is simply scanned whole by the lead.
import { GcodeScanner, type RawScan, type ScanCheckpoint, type ScanGuess, type ScanState } from './gcodeScanner';

const NL = 10;

/** Modes the file's head sets (start G-code): the tail's starting guess. */
export function guessFromHead(head: Uint8Array): ScanGuess {
  const scanner = new GcodeScanner({ expectedBytes: head.length });
  scanner.push(head);
  const s = scanner.state();
  return { relativeXyz: s.relativeXyz, relativeE: s.relativeE, tool: s.tool, feedMmMin: s.feedMmMin };
}

/** First line start at or after `offset`, given the bytes from `offset - 1` on. */
export function firstLineStart(bytesFromBefore: Uint8Array, offset: number): number {
  if (offset === 0) return 0;
  const nl = bytesFromBefore.indexOf(NL);
  return nl < 0 ? offset - 1 + bytesFromBefore.length : offset + nl;
}

const same = (a: number, b: number) => a === b || (a !== a && b !== b);

/** Lead state vs. tail checkpoint state: equal in everything that decides future output. */
export function statesMatch(lead: ScanState, tail: ScanState): boolean {
  for (const k of Object.keys(lead) as (keyof ScanState)[]) {
    if (k === 'eUnknown' || (k === 'e' && tail.eUnknown)) continue;
    const a = lead[k];
    const b = tail[k];
    if (typeof a === 'number' ? !same(a, b as number) : a !== b) return false;
  }
  return true;
}

/**
 * Can the lead hand over at `cp`? States must match; and if the tail's E was still unknown
 * there, the tail must never have used it (an absolute E move with no E to subtract from).
 */
export function canJoin(lead: ScanState, cp: ScanCheckpoint, tailUnknownEUsedAt: number | undefined): 'yes' | 'no' | 'needTailEnd' {
  if (!statesMatch(lead, cp.state)) return 'no';
  if (!cp.state.eUnknown) return 'yes';
  if (tailUnknownEUsedAt === undefined) return 'needTailEnd';
  return tailUnknownEUsedAt < 0 ? 'yes' : 'no';
}

function grown<T extends Float32Array | Uint8Array | Uint32Array>(a: T, length: number): T {
  if (a.length >= length) return a;
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}

/** The lead's scan up to `cp` followed by the tail's scan after it. Reuses the lead's arrays when they are big enough. */
export function mergeScans(lead: RawScan, tail: RawScan, cp: ScanCheckpoint): RawScan {
  const nA = lead.count;
  const from = cp.segments;
  const count = nA + tail.count - from;
  const shift = nA - from;
  const points = grown(lead.points, (count + 1) * 3);
  points.set(tail.points.subarray((from + 1) * 3, (tail.count + 1) * 3), (nA + 1) * 3);
  const per = <T extends Float32Array | Uint8Array | Uint32Array>(a: T, b: T): T => {
    const out = grown(a, count);
    out.set(b.subarray(from, tail.count), nA);
    return out;
  };
  const commentStarts = lead.commentStarts.slice();
  const commentZ = lead.commentZ.slice();
  const commentHeight = lead.commentHeight.slice();
  if (cp.commentLayers > 0) {
    // The layer open at the checkpoint: the lead's start, the tail's ;Z: / ;HEIGHT: (set after it).
    commentZ[commentZ.length - 1] = tail.commentZ[cp.commentLayers - 1];
    commentHeight[commentHeight.length - 1] = tail.commentHeight[cp.commentLayers - 1];
  }
  for (let i = cp.commentLayers; i < tail.commentStarts.length; i++) {
    commentStarts.push(tail.commentStarts[i] + shift);
    commentZ.push(tail.commentZ[i]);
    commentHeight.push(tail.commentHeight[i]);
  }
  const zStarts = lead.zStarts.concat(tail.zStarts.slice(cp.zLayers).map((s) => s + shift));
  const lineShift = lead.lineCount - cp.lines;
  const warnings = lead.warnings.slice();
  for (const w of tail.warnings.slice(cp.warnings)) {
    if (warnings.length >= 50) break;
    const line = w.line + lineShift;
    warnings.push({ ...w, line, message: w.message.replace(/^line \d+:/, `line ${line}:`) });
  }
  return {
    count,
    points,
    extrusion: per(lead.extrusion, tail.extrusion),
    feed: per(lead.feed, tail.feed),
    feature: per(lead.feature, tail.feature),
    tool: per(lead.tool, tail.tool),
    offset: per(lead.offset, tail.offset),
    commentStarts,
    commentZ,
    commentHeight,
    zStarts,
    maxTool: Math.max(lead.maxTool, tail.maxTool),
    bytesSeen: tail.bytesSeen,
    lineCount: lineShift + tail.lineCount,
    slicer: lead.slicer,
    warnings,
    unknownEUsedAt: -1,
  };
}

/**
 * Feed `bytes` to the tail scanner in pieces ending at line ends, calling `onCheckpoint` after
 * each piece of about `checkpointBytes`.
 */
export function pushWithCheckpoints(
  scanner: GcodeScanner,
  bytes: Uint8Array,
  checkpointBytes: number,
  onCheckpoint: (cp: ScanCheckpoint) => void,
): void {
  let pos = 0;
  while (pos < bytes.length) {
    let end = Math.min(bytes.length, pos + checkpointBytes);
    if (end < bytes.length) {
      const nl = bytes.lastIndexOf(NL, end - 1);
      if (nl >= pos) end = nl + 1;
    }
    scanner.push(bytes.subarray(pos, end));
    pos = end;
    const cp = scanner.checkpoint();
    if (cp && cp.segments > 0) onCheckpoint(cp);
  }
}

/**
 * Both halves in one thread, one after the other: what the two workers do, for tests and as
 * the reference of the merge. Returns the merged raw scan and where the lead handed over
 * (null: it scanned everything itself).
 */
export function scanInTwo(
  bytes: Uint8Array,
  split: number,
  checkpointBytes = 256 * 1024,
): { raw: RawScan; joinedAt: ScanCheckpoint | null } {
  const tailStart = firstLineStart(bytes.subarray(Math.max(0, split - 1)), split);
  const tail = new GcodeScanner({
    expectedBytes: bytes.length - tailStart,
    startOffset: tailStart,
    guess: guessFromHead(bytes.subarray(0, Math.min(tailStart, 512 * 1024))),
  });
  const checkpoints: ScanCheckpoint[] = [];
  pushWithCheckpoints(tail, bytes.subarray(tailStart), checkpointBytes, (cp) => checkpoints.push(cp));
  const tailRaw = tail.finishRaw();

  const lead = new GcodeScanner({ expectedBytes: bytes.length });
  lead.push(bytes.subarray(0, split));
  for (const cp of checkpoints) {
    if (cp.offset < split) continue;
    lead.push(bytes.subarray(lead.bytesPushed, cp.offset));
    if (canJoin(lead.state(), cp, tailRaw.unknownEUsedAt) === 'yes') {
      return { raw: mergeScans(lead.finishRaw(), tailRaw, cp), joinedAt: cp };
    }
  }
  lead.push(bytes.subarray(lead.bytesPushed));
  return { raw: lead.finishRaw(), joinedAt: null };
}
