// Starts the scanner in a Web Worker. Kept apart from the store so tests (and hosts without
// workers) can hand the store a toolpath directly.
import type { Toolpath } from './parser/toolpath';

export type ParserRequest = { id: number; file: Blob };
export type ParserReply =
  | { type: 'progress'; id: number; loadedBytes: number; totalBytes: number }
  | { type: 'done'; id: number; toolpath: Toolpath }
  | { type: 'error'; id: number; message: string };

export function createParserWorker(): Worker {
  return new Worker(new URL('./parser.worker.ts', import.meta.url), { type: 'module', name: 'gcode-parser' });
}
