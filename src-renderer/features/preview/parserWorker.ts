// Starts the scanner in a Web Worker. Kept apart from the store so tests (and hosts without
// workers) can hand the store a toolpath directly.
import type { Toolpath } from './parser/toolpath';

/** Where the worker spent its time, ms. */
export interface ParserStats {
  readWaitMs: number;
  scanMs: number;
  finishMs: number;
}

export type ParserRequest = { id: number; file: Blob };
export type ParserReply =
  | { type: 'progress'; id: number; loadedBytes: number; totalBytes: number }
  | { type: 'done'; id: number; toolpath: Toolpath; stats: ParserStats }
  | { type: 'error'; id: number; message: string };

export function createParserWorker(): Worker {
  return new Worker(new URL('./parser.worker.ts', import.meta.url), { type: 'module', name: 'gcode-parser' });
}
