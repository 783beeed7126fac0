// The one contract between the UI and the host: request/reply methods and pushed events, with
// a runtime schema for every method's params and every event's payload. Electron IPC and the
// serve-mode WebSocket carry exactly these; the renderer imports this file's types only.
//
// To grow the API: add an entry to `apiMethods` (params schema + result type) or `apiEvents`,
// implement it in src-main/api/handlers.ts, and the TypeScript compiler points at every carrier
// or client that needs to know.
import * as s from './schema';
import type { Infer, Schema } from './schema';
import type { Board } from '../flash/catalog';
import type { DriveInfo } from '../flash/drives';
import type { FlashJobEvent } from '../flash/jobs';
import type { FirmwareBuildJobEvent } from '../flash/firmware-build';
import type { PortsChangedEvent, PortsListReply, PortProblemPayload } from '../ports/types';
import type { GCodeFileInfo } from '../host/files/store';
import type { GCodeMetadata, Thumbnail } from '../host/files/metadata';
import type { TemperatureHistoryReply, TemperatureSeries } from '../host/status/temperature-history';
export type { TemperatureHistoryReply, TemperatureSeries };

export type { FirmwareBuildJobEvent };
export type { Board, DriveInfo, FlashJobEvent, PortsChangedEvent, PortsListReply, PortProblemPayload, GCodeFileInfo, GCodeMetadata, Thumbnail };

// ---- Shared shapes -------------------------------------------------------------------------

/** A printer's id: lower-case letters, digits and dashes (it names its data folder too). */
export const printerIdSchema = s.string({ minLength: 1, maxLength: 64, pattern: /^[a-z0-9][a-z0-9-]*$/ });

/** The host's lifecycle as the UI sees it (Klipper's states; 'error' also covers a crashed host). */
export const printerStates = ['starting', 'ready', 'error', 'shutdown'] as const;
export const printerStateSchema = s.oneOf(printerStates);
export type PrinterState = Infer<typeof printerStateSchema>;

/** How a console line came to be: the command echoed, a host reply, raw output, or an error. */
export const consoleKinds = ['command', 'info', 'raw', 'error'] as const;
export type ConsoleKind = (typeof consoleKinds)[number];

export interface PrinterSummary {
  id: string;
  name: string;
  configPath: string | null;
  state: PrinterState;
  stateMessage: string;
}

export interface PrinterStatus {
  printerId: string;
  state: PrinterState;
  /** The host's own words (Klipper's English text), e.g. "Printer is ready". */
  message: string;
}

export interface HostInfo {
  printerId: string;
  /** Null until the host's worker has started. */
  hostVersion: string | null;
  configPath: string | null;
  state: PrinterState;
  stateMessage: string;
  /** Where this printer's host log is written. */
  logPath: string;
}

export interface AppInfo {
  appVersion: string;
  /** 'electron' inside the desktop app, 'serve' for `tether serve`. */
  mode: 'electron' | 'serve';
  platform: string;
  dataDir: string;
}

export interface CommandHelp {
  name: string;
  help: string;
  params?: Record<string, string>;
}

export interface SerialPortInfo {
  path: string;
  manufacturer: string | null;
  serialNumber: string | null;
  vendorId: string | null;
  productId: string | null;
  pnpId: string | null;
}

export interface ConsoleLine {
  kind: ConsoleKind;
  text: string;
  /** Wall-clock time the host produced the line (ms since the epoch). */
  timeMs: number;
}

/** A firmware image the app offers for a board without a file dialog: packaged or built here. */
export interface ImageChoice {
  id: string;
  label: string;
  source: 'packaged' | 'built';
  path: string;
}

/** Whether firmware can be built here for a board (flash.buildStatus), and what to install if not. */
export interface FirmwareBuildStatus {
  buildable: boolean;
  target?: 'avr' | 'stm32';
  /** Each with a fix: a missing compiler and its package, no firmware for this MCU, no sources. */
  problems: { code: string; message: string; fix: string }[];
  warnings: string[];
}

/** Largest image sent inline with flash.start (base64 must fit the WebSocket's 1 MiB message). */
export const MAX_FLASH_IMAGE_BYTES = 700 * 1024;

// ---- Config editor (issue 8) ----------------------------------------------------------------

/** printer.cfg as the editor gets it: the editable text and the SAVE_CONFIG block (read-only). */
export interface ConfigFileText {
  path: string;
  /** Everything above the SAVE_CONFIG marker. */
  text: string;
  /** The SAVE_CONFIG block from its marker line on, or ''. Kept as is by config.write. */
  saveConfig: string;
}

/** One problem the host's reader/option tables find, on its line (0 = no line / another file). */
export interface ConfigDiagnostic {
  line: number;
  severity: 'error' | 'warning';
  /** The host's own message (Klipper's English wording). */
  message: string;
  file?: string;
}

export interface ConfigWriteResult {
  path: string;
  changed: boolean;
  /** The previous file, kept beside it. */
  backupPath: string | null;
}

/** A printer.cfg we ship (resources/) to start a new printer from. */
export interface ConfigSample {
  /** Path under resources/, e.g. 'printers/tether-sim.cfg'. */
  id: string;
  name: string;
  description: string;
}

/** A file pulled in by [include]: which line of which file asked for it. */
export interface ConfigInclude {
  path: string;
  /** The [include ...] pattern as written and where. */
  pattern: string;
  fromFile: string;
  fromLine: number;
}

// ---- Status, files and print jobs (issue 7 wired for issue 8) ------------------------------

/** Object name -> fields wanted (null = all): Klipper's objects/query shape. */
export type StatusRequest = Record<string, string[] | null>;
/** Object name -> field -> value. */
export type StatusSnapshot = Record<string, Record<string, unknown>>;

const MAX_STATUS_OBJECTS = 64;
const statusNameSchema = s.string({ minLength: 1, maxLength: 100, pattern: /^[A-Za-z0-9_][A-Za-z0-9_ .-]*$/ });
const statusFieldsSchema = s.nullable(s.array(s.string({ minLength: 1, maxLength: 100 }), { maxItems: 64 }));

/** A bounded map of object name -> fields|null (an unbounded record would let one call ask for anything). */
export const statusRequestSchema: Schema<StatusRequest> = {
  expected: 'object of status object name -> field names or null',
  check(value, path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${path}: expected object of object name -> fields`;
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return `${path}: expected a plain object`;
    const entries = Object.entries(value);
    if (entries.length === 0) return `${path}: name at least one status object`;
    if (entries.length > MAX_STATUS_OBJECTS) return `${path}: at most ${MAX_STATUS_OBJECTS} objects allowed`;
    for (const [name, fields] of entries) {
      const err = statusNameSchema.check(name, `${path} key '${name.slice(0, 100)}'`) ?? statusFieldsSchema.check(fields, `${path}.${name}`);
      if (err) return err;
    }
    return null;
  },
};

/**
 * A G-code file's name in the printer's folder: no path separators, no '..', a G-code extension,
 * and nothing that could break out of SDCARD_PRINT_FILE FILENAME="..." (quotes, ';', control characters).
 * The host's file store checks again; this refuses the call before it gets that far.
 */
export const gcodeFileNameSchema = s.string({ minLength: 3, maxLength: 255, pattern: /^(?!.*\.\.)(?!\.)[^/\\\x00-\x1f\x7f";]+\.(gcode|gco|g)$/i });

/** Largest file an upload may announce (1 GiB: far above any real print file). */
export const MAX_UPLOAD_BYTES = 1024 ** 3;
/** Largest upload chunk: 512 KiB, ~700 KB of base64, inside the WebSocket's 1 MiB message. */
export const MAX_UPLOAD_CHUNK_BYTES = 512 * 1024;
const uploadIdSchema = s.string({ minLength: 1, maxLength: 64, pattern: /^[a-z0-9-]+$/ });

/** Largest files.read chunk: like uploads, its base64 must fit the WebSocket's 1 MiB message. */
export const MAX_READ_CHUNK_BYTES = 512 * 1024;

/** Part of a file read by files.read; empty at or past the end. */
export interface FileChunk {
  offset: number;
  dataBase64: string;
  /** The file's size now. */
  totalBytes: number;
}

export interface UploadProgress {
  uploadId: string;
  printerId: string;
  name: string;
  doneBytes: number;
  totalBytes: number;
}

// ---- Machine health, logs, diagnostics, laptop care (issue 8) ----------------------------

/** The MCU link's figures (Klipper's last_stats), for diagnosing "Lost communication with MCU". */
export interface McuHealth {
  /** The MCU's printer object / config section name: 'mcu', 'mcu toolboard'. */
  name: string;
  state: string;
  shutdownReason: string | null;
  /** Firmware (data dictionary) version and build tools. */
  version: string;
  buildVersions: string;
  /** Fraction of time the MCU was busy (0..1) and its task time average / deviation, seconds. */
  awake: number;
  taskAvgS: number;
  taskStddevS: number;
  bytesWrite: number;
  bytesRead: number;
  bytesRetransmit: number;
  bytesInvalid: number;
  retransmits: number;
  sendSeq: number;
  receiveSeq: number;
  /** Smoothed round trip time, its variance and the retransmit timeout, seconds. */
  srttS: number;
  rttvarS: number;
  rtoS: number;
  readyBytes: number;
  upcomingBytes: number;
  /** The clock as measured by clock sync vs the dictionary's CLOCK_FREQ. */
  freqHz: number;
  configuredFreqHz: number;
  clockDriftPpm: number;
  invalidMessages: number;
}

/** The printer's host process (its own child process) and the computer it runs on. */
export interface HostProcessHealth {
  pid: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** CPU seconds used since the host started (user + system); the UI derives a percentage. */
  cpuUserS: number;
  cpuSystemS: number;
  uptimeS: number;
  /** 1-minute load average of the computer and its free memory. */
  sysload: number;
  memAvailBytes: number;
}

export interface HealthStats {
  printerId: string;
  /** Wall clock of the sample (ms since the epoch). */
  timeMs: number;
  /** Every MCU ([mcu], then each [mcu NAME]); empty when the host is not running or has no MCU link. */
  mcus: McuHealth[];
  /** The main [mcu] (the same figures as its entry in `mcus`); null when there is none. */
  mcu: McuHealth | null;
  host: HostProcessHealth | null;
  /** Why mcu/host are missing, in the host's words. */
  note: string | null;
}

export const logLevels = ['error', 'warning', 'info', 'debug'] as const;
export type LogLevel = (typeof logLevels)[number];

export interface LogLine {
  /** ISO time written by the host's log, or '' for lines without one. */
  time: string;
  level: LogLevel;
  text: string;
}

export interface LogView {
  path: string;
  lines: LogLine[];
  /** True when only the end of a longer log is shown. */
  truncated: boolean;
}

export interface DiagnosticsExport {
  fileName: string;
  /** Entry names inside the .tar.gz. */
  entries: string[];
  bytes: number;
  /** Desktop app: where the user saved it (null: the dialog was cancelled). */
  savedPath: string | null;
  /** Serve mode: the archive itself, for the browser to download. */
  archiveBase64: string | null;
}

/** Laptop care: whether the app keeps the system awake and whether it runs on battery. */
export interface PowerInfo {
  /** False in serve mode (no Electron power APIs): the other fields are then defaults. */
  supported: boolean;
  onBattery: boolean;
  /** True while the power-save blocker is held (some printer is printing). */
  keepingAwake: boolean;
  /** Ids of printers with a print in progress (printing or paused). */
  printing: string[];
}

// ---- Methods -------------------------------------------------------------------------------

export interface MethodSpec<P, R> {
  params: Schema<P>;
  /** Phantom: carries the result type only. */
  readonly _result?: R;
}

function method<R>() {
  return <P>(params: Schema<P>): MethodSpec<P, R> => ({ params });
}

const byPrinter = s.object({ printerId: printerIdSchema });

const flashMethodIds = ['stk500v1', 'stk500v2', 'stm32-serial', 'avrdude', 'dfu-util', 'bossac', 'uf2-copy', 'sd-card'] as const;
const bootloaderEntries = ['dtr-reset', '1200-baud-touch', 'klipper-request', 'boot-button', 'sd-card'] as const;
const boardIdSchema = boardIdSchemaOf();

/** 64 KiB of G-code per call: a console line or a macro, not a print file (files have their own upload). */
export const MAX_SCRIPT_CHARS = 65_536;

export const apiMethods = {
  'app.info': method<AppInfo>()(s.object({})),
  'printers.list': method<PrinterSummary[]>()(s.object({})),
  'printers.add': method<PrinterSummary>()(
    s.object({
      name: s.string({ minLength: 1, maxLength: 80 }),
      configPath: s.optional(s.nullable(s.string({ minLength: 1, maxLength: 4096 }))),
    }),
  ),
  'printers.remove': method<{ removed: string }>()(byPrinter),
  /** Stops the printer's host (if running) and starts a fresh one; resolves once it is up or failed. */
  'printers.restart': method<PrinterStatus>()(byPrinter),
  'printer.status': method<PrinterStatus>()(byPrinter),
  'host.info': method<HostInfo>()(byPrinter),
  /** Runs G-code; resolves when it has run. A failing line rejects with code 'gcode_error'. */
  'gcode.run': method<{ done: true }>()(
    s.object({ printerId: printerIdSchema, script: s.string({ minLength: 1, maxLength: MAX_SCRIPT_CHARS }) }),
  ),
  /** Every registered G-code command with its help: the console's completion and help source. */
  'gcode.commands': method<CommandHelp[]>()(byPrinter),
  /** Serial ports with what identifies them, and which configured printer sits on which. */
  'ports.list': method<PortsListReply>()(s.object({})),
  /** Adds a pty or simulator port (never in the system list); the path must exist. */
  'ports.addVirtual': method<null>()(
    s.object({ path: s.string({ minLength: 1, maxLength: 4096, pattern: /^[^\0]+$/ }), label: s.string({ minLength: 1, maxLength: 80 }) }),
  ),
  /** The board catalog (MCU, bootloader, flash methods, offsets, notes). */
  'boards.list': method<Board[]>()(s.object({})),
  /** Mounted removable drives (SD cards, RP2040 UF2 drives) for the drive flash methods. */
  'flash.drives': method<DriveInfo[]>()(s.object({})),
  /** Images the app can offer for a board: firmware builds and packaged images. */
  'flash.images': method<ImageChoice[]>()(s.object({ boardId: boardIdSchema })),
  /** Starts a flash; progress, log and the outcome arrive as flash.event with the job id. */
  'flash.start': method<{ jobId: string }>()(
    s.object({
      boardId: boardIdSchema,
      method: s.optional(s.oneOf(flashMethodIds)),
      port: s.optional(s.string({ minLength: 1, maxLength: 4096 })),
      drivePath: s.optional(s.string({ minLength: 1, maxLength: 4096 })),
      baudRate: s.optional(s.number({ integer: true, min: 300, max: 4_000_000 })),
      entry: s.optional(s.oneOf(bootloaderEntries)),
      previousSdFileName: s.optional(s.string({ minLength: 1, maxLength: 255 })),
      image: flashImageSchema(),
    }),
  ),
  /** Cancels a running flash (it stops between pages). */
  'flash.cancel': method<{ cancelled: boolean }>()(s.object({ jobId: s.string({ minLength: 1, maxLength: 64 }) })),
  /** Whether Tether's firmware can be built here for the board (toolchain, sources, MCU support). */
  'flash.buildStatus': method<FirmwareBuildStatus>()(s.object({ boardId: boardIdSchema, fresh: s.optional(s.boolean()) })),
  /** Builds our firmware for the board into a new folder; progress, log and the outcome arrive as flash.buildEvent. */
  'flash.build': method<{ buildId: string }>()(s.object({ boardId: boardIdSchema })),
  'flash.buildCancel': method<{ cancelled: boolean }>()(s.object({ buildId: s.string({ minLength: 1, maxLength: 64 }) })),
  /** After a flash: connects to the board's new firmware and names it (identify, no config). */
  'flash.reconnect': method<{ firmware: string }>()(
    s.object({ boardId: boardIdSchema, port: s.string({ minLength: 1, maxLength: 4096 }) }),
  ),
  /** The printer's printer.cfg: editable text plus its SAVE_CONFIG block. */
  'config.read': method<ConfigFileText>()(s.object({ printerId: printerIdSchema, file: s.optional(s.string({ minLength: 1, maxLength: 4096 })) })),
  /** Validates unsaved printer.cfg text with the host's reader and option catalog. */
  'config.validate': method<ConfigDiagnostic[]>()(
    s.object({ printerId: s.optional(printerIdSchema), text: s.string({ maxLength: 1_000_000 }), file: s.optional(s.string({ minLength: 1, maxLength: 4096 })) }),
  ),
  /** Writes the text above SAVE_CONFIG (the block on disk is kept); the old file goes to .bak. */
  /** `file`: one of config.includes' paths instead of printer.cfg (read and validate take it too). */
  'config.write': method<ConfigWriteResult>()(
    s.object({ printerId: printerIdSchema, text: s.string({ maxLength: 1_000_000 }), file: s.optional(s.string({ minLength: 1, maxLength: 4096 })) }),
  ),
  /** Sample printer.cfg files to start a new printer from. */
  'config.samples': method<ConfigSample[]>()(s.object({})),
  /** Copies a sample into the data folder and adds a printer using it. */
  'config.newPrinter': method<PrinterSummary>()(
    s.object({
      name: s.string({ minLength: 1, maxLength: 80 }),
      sampleId: s.string({ minLength: 1, maxLength: 200 }),
      /** A serial port for the copy's [mcu] serial (a printer "for a port"). */
      serial: s.optional(s.string({ minLength: 1, maxLength: 4096, pattern: /^[^\0\r\n]+$/ })),
    }),
  ),
  /** The asked fields of the asked status objects now (unknown objects are left out, as Klipper does). */
  'status.query': method<{ eventtime: number; status: StatusSnapshot }>()(s.object({ printerId: printerIdSchema, objects: statusRequestSchema })),
  /**
   * Subscribes this printer to these objects: the reply is the full status now, then
   * status.delta events carry only what changed, at most every 250 ms. A new subscribe replaces
   * the previous one (one subscription per printer, shared by every window).
   */
  'status.subscribe': method<{ eventtime: number; status: StatusSnapshot }>()(s.object({ printerId: printerIdSchema, objects: statusRequestSchema })),
  'status.unsubscribe': method<{ unsubscribed: boolean }>()(byPrinter),
  /** Names of the status objects this printer has (toolhead, print_stats, 'heater_generic x'...). */
  'status.objects': method<string[]>()(byPrinter),
  /** G-code files in the printer's [virtual_sdcard] folder. */
  'files.list': method<GCodeFileInfo[]>()(byPrinter),
  /** Slicer metadata of one file (slicer, estimated time, filament, layers, temps, thumbnails). */
  'files.metadata': method<GCodeMetadata>()(s.object({ printerId: printerIdSchema, name: gcodeFileNameSchema })),
  'files.delete': method<{ deleted: string }>()(s.object({ printerId: printerIdSchema, name: gcodeFileNameSchema })),
  /** Bytes of a file in the folder (the preview opens the printing file with it), at most MAX_READ_CHUNK_BYTES per call. */
  'files.read': method<FileChunk>()(
    s.object({
      printerId: printerIdSchema,
      name: gcodeFileNameSchema,
      offset: s.number({ integer: true, min: 0, max: MAX_UPLOAD_BYTES }),
      length: s.number({ integer: true, min: 1, max: MAX_READ_CHUNK_BYTES }),
    }),
  ),
  /** Starts an upload; the file appears under its name only after files.uploadEnd with every byte. */
  'files.uploadBegin': method<{ uploadId: string }>()(
    s.object({ printerId: printerIdSchema, name: gcodeFileNameSchema, size: s.number({ integer: true, min: 0, max: MAX_UPLOAD_BYTES }) }),
  ),
  /** Appends one chunk at `offset` (must be the bytes received so far); a files.progress event follows. */
  'files.uploadChunk': method<{ doneBytes: number; totalBytes: number }>()(
    s.object({
      uploadId: uploadIdSchema,
      offset: s.number({ integer: true, min: 0, max: MAX_UPLOAD_BYTES }),
      dataBase64: s.string({ minLength: 4, maxLength: Math.ceil(MAX_UPLOAD_CHUNK_BYTES / 3) * 4, pattern: /^[A-Za-z0-9+/]+={0,2}$/ }),
    }),
  ),
  /** Completes the upload (refused if bytes are missing); returns the file as listed. */
  'files.uploadEnd': method<GCodeFileInfo>()(s.object({ uploadId: uploadIdSchema })),
  /** Drops an unfinished upload and its partial data. */
  'files.uploadAbort': method<{ aborted: boolean }>()(s.object({ uploadId: uploadIdSchema })),
  /** Prints a file from the folder (SDCARD_PRINT_FILE); refused without [virtual_sdcard]. */
  'print.start': method<{ done: true }>()(s.object({ printerId: printerIdSchema, name: gcodeFileNameSchema })),
  /** PAUSE / RESUME / CANCEL_PRINT ([pause_resume] and the user's macros around them). */
  'print.pause': method<{ done: true }>()(byPrinter),
  'print.resume': method<{ done: true }>()(byPrinter),
  'print.cancel': method<{ done: true }>()(byPrinter),
  /** The host's last 20 minutes of every heater/sensor (1 s samples); `sinceMs`: only newer samples. */
  'temperatures.history': method<TemperatureHistoryReply>()(
    s.object({ printerId: printerIdSchema, sinceMs: s.optional(s.number({ min: 0, max: 8.64e15 })) }),
  ),
  /** Every MCU link's statistics (main first) and the host process's CPU/memory (poll it; about 1 s is plenty). */
  'health.stats': method<HealthStats>()(byPrinter),
  /** The end of the printer's host log, each line with a level. */
  'logs.read': method<LogView>()(s.object({ printerId: printerIdSchema, maxLines: s.optional(s.number({ integer: true, min: 1, max: 20_000 })) })),
  /** One .tar.gz with host logs, printer.cfg files, versions and MCU stats: saved via a dialog (app) or returned (serve). */
  'diagnostics.export': method<DiagnosticsExport>()(s.object({ printerId: s.optional(printerIdSchema) })),
  /** Laptop care state (power-save blocker, battery); app.power events follow changes. */
  'app.power': method<PowerInfo>()(s.object({})),
  /** Desktop app only: a file dialog to choose an existing printer.cfg (null if cancelled). */
  'app.pickConfigFile': method<{ path: string | null }>()(s.object({})),
  /** Files the printer's printer.cfg pulls in with [include] (globs resolved, relative to the including file). */
  'config.includes': method<ConfigInclude[]>()(byPrinter),
  /** The MCU's pin names from its data dictionary (null while no MCU is connected). */
  'config.mcuPins': method<{ mcu: string; pins: string[] } | null>()(byPrinter),
} satisfies Record<string, MethodSpec<unknown, unknown>>;

export type ApiMethods = typeof apiMethods;
export type MethodName = keyof ApiMethods;
export type MethodParams<M extends MethodName> = Infer<ApiMethods[M]['params']>;
export type MethodResult<M extends MethodName> = ApiMethods[M] extends MethodSpec<unknown, infer R> ? R : never;

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(apiMethods, name);
}

// ---- Ports and flashing: shared shapes ----------------------------------------------------

function boardIdSchemaOf(): Schema<string> {
  return s.string({ minLength: 1, maxLength: 64, pattern: /^[a-z0-9][a-z0-9._-]*$/ });
}

/** The image to flash, as the API carries it: bytes in base64 (JSON-safe), or an offered image's path. */
export type FlashImageParam = { kind: 'bytes'; fileName: string; contentBase64: string } | { kind: 'path'; path: string };

function flashImageSchema(): Schema<FlashImageParam> {
  const bytes = s.object({
    kind: s.oneOf(['bytes'] as const),
    fileName: s.string({ minLength: 1, maxLength: 255 }),
    contentBase64: s.string({ minLength: 4, maxLength: Math.ceil(MAX_FLASH_IMAGE_BYTES / 3) * 4, pattern: /^[A-Za-z0-9+/]+={0,2}$/ }),
  });
  const byPath = s.object({ kind: s.oneOf(['path'] as const), path: s.string({ minLength: 1, maxLength: 4096 }) });
  return {
    expected: "image {kind:'bytes', fileName, contentBase64} or {kind:'path', path}",
    check(value, path) {
      const kind = (value as { kind?: unknown } | null)?.kind;
      if (kind === 'bytes') return bytes.check(value, path);
      if (kind === 'path') return byPath.check(value, path);
      return `${path}.kind: expected one of bytes, path, got ${JSON.stringify(kind) ?? 'nothing'}`;
    },
  };
}

// ---- Events --------------------------------------------------------------------------------

const consoleLineSchema = s.object({
  kind: s.oneOf(consoleKinds),
  text: s.string(),
  timeMs: s.number(),
});

const printerSummarySchema = s.object({
  id: printerIdSchema,
  name: s.string(),
  configPath: s.nullable(s.string()),
  state: printerStateSchema,
  stateMessage: s.string(),
});

export const apiEvents = {
  /** A printer's host changed state (starting, ready, error, shutdown) with its message. */
  'printer.state': s.object({ printerId: printerIdSchema, state: printerStateSchema, message: s.string() }),
  /** Console output, batched: lines produced within a few milliseconds arrive together. */
  'console.lines': s.object({ printerId: printerIdSchema, lines: s.array(consoleLineSchema) }),
  /** The printer list changed (added, removed, renamed). */
  'printers.changed': s.object({ printers: s.array(printerSummarySchema) }),
  /** Ports appeared or disappeared (one app-wide watcher; virtual ports included). */
  'ports.changed': s.object({ ports: s.array(unknownValue()), added: s.array(unknownValue()), removed: s.array(unknownValue()) }) as Schema<PortsChangedEvent>,
  /** A flash job's progress, log line, or outcome ('done' / 'failed' with code, message and fix). */
  'flash.event': s.object({
    jobId: s.string(),
    type: s.oneOf(['event', 'done', 'failed'] as const),
    event: s.optional(unknownValue()),
    result: s.optional(unknownValue()),
    error: s.optional(unknownValue()),
  }) as Schema<FlashJobEvent>,
  /** A firmware build's progress (make steps), log line, or outcome ('done' with the image / 'failed' with code, message and fix). */
  'flash.buildEvent': s.object({
    buildId: s.string(),
    type: s.oneOf(['event', 'done', 'failed'] as const),
    event: s.optional(unknownValue()),
    result: s.optional(unknownValue()),
    error: s.optional(unknownValue()),
  }) as Schema<FirmwareBuildJobEvent>,
  /** Change-only status of the printer's subscription, at most every 250 ms. */
  'status.delta': s.object({ printerId: printerIdSchema, eventtime: s.number(), status: s.record(s.record(unknownValue())) }),
  /** Bytes of an upload received so far (after each chunk). */
  'files.progress': s.object({
    uploadId: s.string(),
    printerId: printerIdSchema,
    name: s.string(),
    doneBytes: s.number({ integer: true, min: 0 }),
    totalBytes: s.number({ integer: true, min: 0 }),
  }),
  /** Laptop care changed (battery, keep-awake, which printers print). */
  'app.power': s.object({ supported: s.boolean(), onBattery: s.boolean(), keepingAwake: s.boolean(), printing: s.array(s.string()) }),
} satisfies Record<string, Schema<unknown>>;

export type ApiEvents = typeof apiEvents;
export type EventName = keyof ApiEvents;
export type EventPayload<E extends EventName> = Infer<ApiEvents[E]>;

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(apiEvents, name);
}

// ---- Replies and errors --------------------------------------------------------------------

export const apiErrorCodes = [
  /** The request failed validation: unknown method, bad params. */
  'bad_request',
  /** No printer with that id. */
  'not_found',
  /** The printer's host is not running (crashed or stopped): restart it. */
  'host_not_running',
  /** A G-code line failed; the console already shows the host's '!!' message. */
  'gcode_error',
  /** The request was fine but the action was refused (e.g. invalid config path). */
  'refused',
  /** A bug on our side; the log has the stack. */
  'internal',
  /** The carrier lost its connection before the reply came (serve mode's WebSocket). */
  'disconnected',
] as const;
export type ApiErrorCode = (typeof apiErrorCodes)[number];

export interface ApiErrorInfo {
  code: ApiErrorCode;
  message: string;
  /** Port errors: what went wrong with which port and the fix (dialout group, ModemManager...). */
  problem?: PortProblemPayload;
}

/** Every reply, on every carrier: never a thrown exception across the boundary. */
export type ApiReply<R = unknown> = { ok: true; result: R } | { ok: false; error: ApiErrorInfo };

/**
 * What the renderer sees as `window.tether` (Electron preload) and what the WebSocket carrier
 * provides in serve mode: two functions, nothing else.
 */
export interface TetherBridge {
  call(method: string, params: unknown): Promise<ApiReply>;
  /** Subscribes to one event; returns the unsubscribe function. */
  on(event: string, listener: (payload: unknown) => void): () => void;
}

// ---- WebSocket framing (serve mode) --------------------------------------------------------

/** Client -> server. `id` pairs the reply with its call. */
export interface WsCall {
  type: 'call';
  id: number;
  method: string;
  params: unknown;
}
export const wsCallSchema = s.object({
  type: s.oneOf(['call'] as const),
  id: s.number({ integer: true, min: 0, max: Number.MAX_SAFE_INTEGER }),
  method: s.string({ maxLength: 100 }),
  params: s.optional(unknownValue()),
});

/** Server -> client. `id` is null when the call was too malformed to carry one. */
export type WsServerMessage = { type: 'reply'; id: number | null; reply: ApiReply } | { type: 'event'; event: EventName; payload: unknown };

function unknownValue(): Schema<unknown> {
  return { expected: 'any value', check: () => null };
}
