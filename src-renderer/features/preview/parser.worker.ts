/// <reference lib="webworker" />
// Reads the file in chunks and scans it off the UI thread, alone or as one of two halves (see
// parser/parallelScan.ts); the lead (or single) worker then builds the layer tables and the
// overview. The toolpath's buffers are moved (transferred) to the page, not copied.
import { GcodeScanner, buildToolpath, type RawScan, type ScanCheckpoint } from './parser/gcodeScanner';
import { canJoin, firstLineStart, guessFromHead, mergeScans, pushWithCheckpoints } from './parser/parallelScan';
import { toolpathBuffers } from './parser/toolpath';
import { buildOverview, overviewBuffers } from './overview';
import type { ParserReply, ParserRequest, ParserStats, TailMessage } from './parserWorker';

const CHUNK_BYTES = 8 << 20;
const CHECKPOINT_BYTES = 256 << 10;
const post = (msg: ParserReply, transfer: Transferable[] = []) => self.postMessage(msg, { transfer });

function rawBuffers(raw: RawScan): ArrayBuffer[] {
  return [raw.points, raw.extrusion, raw.feed, raw.feature, raw.tool, raw.offset].map((a) => a.buffer as ArrayBuffer);
}

/** Reads [from, to) in chunks, the next chunk read while this one is handled. */
async function readChunks(
  file: Blob,
  from: number,
  to: number,
  timing: { readWaitMs: number; scanMs: number },
  each: (bytes: Uint8Array, end: number) => void,
): Promise<void> {
  let next = file.slice(from, Math.min(to, from + CHUNK_BYTES)).arrayBuffer();
  for (let offset = from; offset < to; offset += CHUNK_BYTES) {
    const t0 = performance.now();
    const bytes = new Uint8Array(await next);
    const t1 = performance.now();
    const following = offset + CHUNK_BYTES;
    if (following < to) next = file.slice(following, Math.min(to, following + CHUNK_BYTES)).arrayBuffer();
    each(bytes, Math.min(to, following));
    timing.readWaitMs += t1 - t0;
    timing.scanMs += performance.now() - t1;
  }
}

function finish(id: number, raw: RawScan, overviewSegments: number, stats: Omit<ParserStats, 'finishMs' | 'overviewMs'>, t0: number): void {
  const toolpath = buildToolpath(raw);
  const t1 = performance.now();
  const overview = toolpath.segmentCount > overviewSegments ? buildOverview(toolpath, overviewSegments) : null;
  const t2 = performance.now();
  const transfer = [...toolpathBuffers(toolpath), ...(overview ? overviewBuffers(overview) : [])];
  post({ type: 'done', id, toolpath, overview, stats: { ...stats, finishMs: t1 - t0, overviewMs: t2 - t1 } }, transfer);
}

async function single(req: Extract<ParserRequest, { role: 'single' }>): Promise<void> {
  const { id, file } = req;
  const scanner = new GcodeScanner({ expectedBytes: file.size });
  const timing = { readWaitMs: 0, scanMs: 0 };
  await readChunks(file, 0, file.size, timing, (bytes, end) => {
    scanner.push(bytes);
    post({ type: 'progress', id, part: 'lead', loadedBytes: end });
  });
  const t0 = performance.now();
  finish(id, scanner.finishRaw(), req.overviewSegments, { mode: 'single', ...timing, joinBytes: 0 }, t0);
}

async function tail(req: Extract<ParserRequest, { role: 'tail' }>): Promise<void> {
  const { id, file, split, port } = req;
  const timing = { readWaitMs: 0, scanMs: 0 };
  const window = new Uint8Array(await file.slice(split - 1, Math.min(file.size, split + (1 << 20))).arrayBuffer());
  const start = firstLineStart(window, split);
  if (start >= file.size || window.indexOf(10) < 0) {
    port.postMessage({ type: 'tailEnd', raw: null, ...timing } satisfies TailMessage);
    return;
  }
  const head = new Uint8Array(await file.slice(0, Math.min(start, 512 << 10)).arrayBuffer());
  const scanner = new GcodeScanner({ expectedBytes: file.size - start, startOffset: start, guess: guessFromHead(head) });
  await readChunks(file, start, file.size, timing, (bytes, end) => {
    pushWithCheckpoints(scanner, bytes, CHECKPOINT_BYTES, (cp) => port.postMessage({ type: 'checkpoint', cp } satisfies TailMessage));
    post({ type: 'progress', id, part: 'tail', loadedBytes: end - start });
  });
  const raw = scanner.finishRaw();
  port.postMessage({ type: 'tailEnd', raw, ...timing } satisfies TailMessage, rawBuffers(raw));
}

async function lead(req: Extract<ParserRequest, { role: 'lead' }>): Promise<void> {
  const { id, file, split, port } = req;
  // Checkpoints and the tail's result arrive on the port while this worker scans its half.
  const checkpoints: ScanCheckpoint[] = [];
  const got: { tailEnd: Extract<TailMessage, { type: 'tailEnd' }> | null } = { tailEnd: null };
  let wake: (() => void) | null = null;
  port.onmessage = (ev: MessageEvent<TailMessage>) => {
    if (ev.data.type === 'checkpoint') checkpoints.push(ev.data.cp);
    else got.tailEnd = ev.data;
    wake?.();
  };
  const waitForTail = () => new Promise<void>((r) => (wake = r));

  const scanner = new GcodeScanner({ expectedBytes: file.size });
  const timing = { readWaitMs: 0, scanMs: 0 };
  await readChunks(file, 0, split, timing, (bytes, end) => {
    scanner.push(bytes);
    post({ type: 'progress', id, part: 'lead', loadedBytes: end });
  });
  // Scan on past the split, one checkpoint at a time, until the states agree.
  let next = 0;
  for (;;) {
    while (next >= checkpoints.length && !got.tailEnd) await waitForTail();
    if (next >= checkpoints.length) break; // the tail ended and no checkpoint agreed
    const cp = checkpoints[next++];
    if (cp.offset <= scanner.bytesPushed) continue;
    const t0 = performance.now();
    const bytes = new Uint8Array(await file.slice(scanner.bytesPushed, cp.offset).arrayBuffer());
    const t1 = performance.now();
    scanner.push(bytes);
    timing.readWaitMs += t1 - t0;
    timing.scanMs += performance.now() - t1;
    let verdict = canJoin(scanner.state(), cp, got.tailEnd?.raw?.unknownEUsedAt);
    if (verdict !== 'no') {
      while (!got.tailEnd) await waitForTail();
      const end = got.tailEnd;
      if (!end.raw) break;
      verdict = canJoin(scanner.state(), cp, end.raw.unknownEUsedAt);
      if (verdict === 'yes') {
        const t2 = performance.now();
        const raw = mergeScans(scanner.finishRaw(), end.raw, cp);
        port.close();
        const stats = { mode: 'two workers', readWaitMs: timing.readWaitMs, scanMs: timing.scanMs, joinBytes: cp.offset - split };
        finish(id, raw, req.overviewSegments, stats, t2);
        return;
      }
    }
  }
  // No agreement: this worker scans the rest itself (the result is still exact).
  const from = scanner.bytesPushed;
  await readChunks(file, from, file.size, timing, (bytes, end) => {
    scanner.push(bytes);
    post({ type: 'progress', id, part: 'lead', loadedBytes: end });
  });
  port.close();
  finish(
    id,
    scanner.finishRaw(),
    req.overviewSegments,
    { mode: 'two workers (not joined)', ...timing, joinBytes: file.size - split },
    performance.now(),
  );
}

self.onmessage = async (ev: MessageEvent<ParserRequest>) => {
  const req = ev.data;
  try {
    if (req.role === 'single') await single(req);
    else if (req.role === 'lead') await lead(req);
    else await tail(req);
  } catch (err) {
    post({ type: 'error', id: req.id, message: err instanceof Error ? err.message : String(err) });
  }
};
