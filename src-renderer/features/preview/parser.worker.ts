/// <reference lib="webworker" />
// Reads the file in chunks and scans it off the UI thread; the toolpath's buffers are moved
// (transferred) to the page, not copied.
import { GcodeScanner } from './parser/gcodeScanner';
import { toolpathBuffers } from './parser/toolpath';
import type { ParserReply, ParserRequest } from './parserWorker';

const CHUNK_BYTES = 8 << 20;
const post = (msg: ParserReply, transfer: Transferable[] = []) => self.postMessage(msg, { transfer });

self.onmessage = async (ev: MessageEvent<ParserRequest>) => {
  const { id, file } = ev.data;
  try {
    const scanner = new GcodeScanner({ expectedBytes: file.size });
    // Read the next chunk while this one is scanned.
    let next = file.slice(0, CHUNK_BYTES).arrayBuffer();
    let readWaitMs = 0;
    let scanMs = 0;
    for (let offset = 0; offset < file.size; offset += CHUNK_BYTES) {
      const t0 = performance.now();
      const bytes = new Uint8Array(await next);
      const t1 = performance.now();
      const following = offset + CHUNK_BYTES;
      if (following < file.size) next = file.slice(following, following + CHUNK_BYTES).arrayBuffer();
      scanner.push(bytes);
      readWaitMs += t1 - t0;
      scanMs += performance.now() - t1;
      post({ type: 'progress', id, loadedBytes: Math.min(file.size, following), totalBytes: file.size });
    }
    const t2 = performance.now();
    const toolpath = scanner.finish();
    const stats = { readWaitMs, scanMs, finishMs: performance.now() - t2 };
    post({ type: 'done', id, toolpath, stats }, toolpathBuffers(toolpath));
  } catch (err) {
    post({ type: 'error', id, message: err instanceof Error ? err.message : String(err) });
  }
};
