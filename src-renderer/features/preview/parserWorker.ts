// Starts the scanner in Web Workers: one for small files, two for big ones (each scans about
// half; see parser/parallelScan.ts). Kept apart from the store so tests (and hosts without
// workers) can hand the store a toolpath directly.
import type { Toolpath } from './parser/toolpath';
import type { ScanCheckpoint, RawScan } from './parser/gcodeScanner';
import type { Overview } from './overview';

/** Where the workers spent their time, ms. */
export interface ParserStats {
  /** 'single' or 'two workers'. */
  mode: string;
  readWaitMs: number;
  scanMs: number;
  /** Merging the halves and building the layer tables. */
  finishMs: number;
  overviewMs: number;
  /** Bytes the lead scanned past the split before the halves agreed (two workers). */
  joinBytes: number;
}

export type ParserRequest =
  | { role: 'single'; id: number; file: Blob; overviewSegments: number }
  | { role: 'lead'; id: number; file: Blob; split: number; overviewSegments: number; port: MessagePort }
  | { role: 'tail'; id: number; file: Blob; split: number; port: MessagePort };

export type ParserReply =
  | { type: 'progress'; id: number; part: 'lead' | 'tail'; loadedBytes: number }
  | { type: 'done'; id: number; toolpath: Toolpath; overview: Overview | null; stats: ParserStats }
  | { type: 'error'; id: number; message: string };

/** Between the two workers. */
export type TailMessage =
  { type: 'checkpoint'; cp: ScanCheckpoint } | { type: 'tailEnd'; raw: RawScan | null; readWaitMs: number; scanMs: number };

/** Files at least this big are parsed by two workers (below, starting a second one costs more than it saves). */
export const PARALLEL_MIN_BYTES = 8 << 20;
/** The lead takes a bit less than half: it also merges, builds the tables and the overview. */
export const LEAD_FRACTION = 0.45;

export function createParserWorker(): Worker {
  return new Worker(new URL('./parser.worker.ts', import.meta.url), { type: 'module', name: 'gcode-parser' });
}
