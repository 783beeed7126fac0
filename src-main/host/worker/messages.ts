// The private protocol between a HostThread (parent side) and its worker. Not the public API:
// only src-main/host/worker uses it; the public contract is src-main/api/contract.ts.
import type { TemperatureHistoryReply } from '../status/temperature-history';
import type { HostProcessHealth } from '../../api/contract';
import type { CommandHelp, ConsoleKind, GCodeFileInfo, GCodeMetadata, PrinterState, StatusRequest, StatusSnapshot } from '../../api/contract';

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
  'status.query': { args: { objects: StatusRequest }; result: { eventtime: number; status: StatusSnapshot } };
  /** Replaces the host's one subscription; deltas arrive as 'status' messages. */
  'status.subscribe': { args: { objects: StatusRequest }; result: { eventtime: number; status: StatusSnapshot } };
  'status.unsubscribe': { args: Record<string, never>; result: { unsubscribed: boolean } };
  'status.objects': { args: Record<string, never>; result: string[] };
  'files.list': { args: Record<string, never>; result: GCodeFileInfo[] };
  'files.metadata': { args: { name: string }; result: GCodeMetadata };
  'files.delete': { args: { name: string }; result: { deleted: string } };
  'files.read': { args: { name: string; offset: number; length: number }; result: { offset: number; dataBase64: string; totalBytes: number } };
  'files.uploadBegin': { args: { uploadId: string; name: string; size: number }; result: { uploadId: string } };
  'files.uploadChunk': { args: { uploadId: string; offset: number; dataBase64: string }; result: { name: string; doneBytes: number; totalBytes: number } };
  'files.uploadEnd': { args: { uploadId: string }; result: GCodeFileInfo };
  'files.uploadAbort': { args: { uploadId: string }; result: { aborted: boolean } };
  /** SDCARD_PRINT_FILE after checking the printer has [virtual_sdcard] and the file exists. */
  'print.start': { args: { name: string }; result: { done: true } };
  /** The host's temperature history (status/temperature-history.ts), newer than sinceMs. */
  'temperatures.history': { args: { sinceMs?: number }; result: TemperatureHistoryReply };
}
export interface WorkerOps {
  /** This host process's CPU and memory (machine health; host/diagnostics/health.ts). */
  'host.process': { args: Record<string, never>; result: HostProcessHealth };
  /** The connected MCU's pin names from its dictionary, or null (config editor's pin check). */
  'mcu.pins': { args: Record<string, never>; result: { mcu: string; pins: string[] } | null };
}
export type WorkerOp = keyof WorkerOps;

export type ToWorker = { type: 'call'; id: number; op: WorkerOp; args: unknown } | { type: 'stop' };

export type FromWorker =
  /** First message: who is running (the parent must not import the host to learn this). */
  | { type: 'hello'; hostVersion: string }
  | { type: 'state'; state: PrinterState; message: string }
  | { type: 'console'; kind: ConsoleKind; text: string; timeMs: number }
  /** A status subscription's change-only delta. */
  | { type: 'status'; eventtime: number; status: StatusSnapshot }
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: { kind: WorkerErrorKind; message: string } }
  /** The Host object exists (its MCU may still be connecting: see the state). */
  | { type: 'started' }
  | { type: 'stopped' };

/**
 * 'gcode': a command failed (the console shows it); 'starting': no host yet; 'refused': the
 * request was understood but cannot be done (no [virtual_sdcard], no such file); 'internal': a bug.
 */
export type WorkerErrorKind = 'gcode' | 'starting' | 'refused' | 'internal';
