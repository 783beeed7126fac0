// The private protocol between a HostThread (parent side) and its worker. Not the public API:
// only src-main/host/worker uses it; the public contract is src-main/api/contract.ts.
import type { CommandHelp, ConsoleKind, PrinterState } from '../../api/contract';

/** Environment variable carrying the HostWorkerData (JSON) to the host process. */
export const HOST_DATA_ENV = 'TETHER_HOST_DATA';

export interface HostWorkerData {
  printerId: string;
  configPath: string | null;
}

/** The operations a worker answers, with their argument and result types. */
export interface WorkerOps {
  'gcode.run': { args: { script: string }; result: { done: true } };
  'gcode.commands': { args: Record<string, never>; result: CommandHelp[] };
}
export type WorkerOp = keyof WorkerOps;

export type ToWorker = { type: 'call'; id: number; op: WorkerOp; args: unknown } | { type: 'stop' };

export type FromWorker =
  /** First message: who is running (the parent must not import the host to learn this). */
  | { type: 'hello'; hostVersion: string }
  | { type: 'state'; state: PrinterState; message: string }
  | { type: 'console'; kind: ConsoleKind; text: string; timeMs: number }
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: { kind: WorkerErrorKind; message: string } }
  /** The Host object exists (its MCU may still be connecting: see the state). */
  | { type: 'started' }
  | { type: 'stopped' };

/** 'gcode': a command failed (the console shows it); 'starting': no host yet; 'internal': a bug. */
export type WorkerErrorKind = 'gcode' | 'starting' | 'internal';
