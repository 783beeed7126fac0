// The API implemented over the printer fleet: one handler per method of the contract, and the
// fleet's happenings turned into API events. Both carriers (Electron IPC, WebSocket) use this.
import type { AppInfo, ConsoleLine, EventName, EventPayload, PowerInfo } from './contract';
import { buildDiagnostics, healthOf } from './diagnostics';
import { readHostLog } from '../host/diagnostics/host-log';
import type { ApiBackend, ApiEventListener, ApiHandlers } from './dispatch';
import type { HardwareServices } from './hardware';
import type { PrinterFleet } from '../host/worker/fleet';
import { createConfigFiles } from './config-files';
import { randomUUID } from 'node:crypto';
import { ApiError } from './errors';

/** Console lines per event at most. */
export const MAX_LINES_PER_EVENT = 500;

export interface BackendOptions {
  fleet: PrinterFleet;
  appInfo: AppInfo;
  /** Ports, board catalog and flashing (src-main/api/hardware.ts). */
  hardware: HardwareServices;
  /** Console lines produced within this window go out as one event (default 16 ms, a frame). */
  consoleBatchMs?: number;
  /** What only the desktop app can do (src-main/app): power, file dialogs. Absent in serve mode. */
  desktop?: DesktopServices;
}

/** The Electron shell's services the API exposes (laptop care, dialogs). */
export interface DesktopServices {
  power(): PowerInfo;
  onPower(listener: (info: PowerInfo) => void): () => void;
  /** An open dialog for a printer.cfg; null when cancelled. */
  pickConfigFile(): Promise<string | null>;
  /** A save dialog, then writes the bytes; the path written or null when cancelled. */
  saveFile(suggestedName: string, data: Buffer): Promise<string | null>;
  /** Versions only the shell knows (electron, chrome). */
  versions(): Record<string, string>;
}

/** Serve mode has no power APIs: nothing is kept awake and the battery is unknown. */
const NO_POWER: PowerInfo = { supported: false, onBattery: false, keepingAwake: false, printing: [] };

export function createApiBackend(options: BackendOptions): ApiBackend & { close(): void } {
  const { fleet, appInfo, hardware } = options;
  const listeners = new Set<ApiEventListener>();
  const emit = <E extends EventName>(event: E, payload: EventPayload<E>): void => {
    for (const l of listeners) l(event, payload);
  };

  // Batch console lines per printer: a busy host prints thousands of lines a second, and one
  // message per line would flood IPC and the WebSocket.
  const batchMs = options.consoleBatchMs ?? 16;
  const pendingLines = new Map<string, ConsoleLine[]>();
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  const flush = (): void => {
    flushTimer = null;
    for (const [printerId, lines] of pendingLines) emit('console.lines', { printerId, lines });
    pendingLines.clear();
  };

  const unlisten = fleet.listen({
    state(printerId, state, message) {
      // Lines printed before a state change are delivered before it, in order.
      if (flushTimer) {
        clearTimeout(flushTimer);
        flush();
      }
      emit('printer.state', { printerId, state, message });
    },
    console(printerId, line) {
      const list = pendingLines.get(printerId) ?? [];
      list.push(line);
      pendingLines.set(printerId, list);
      // A flood goes out in bounded pieces, so no single event stalls a renderer frame.
      if (list.length >= MAX_LINES_PER_EVENT) {
        if (flushTimer) clearTimeout(flushTimer);
        flush();
      } else flushTimer ??= setTimeout(flush, batchMs);
    },
    changed(printers) {
      emit('printers.changed', { printers });
    },
    status(printerId, eventtime, status) {
      emit('status.delta', { printerId, eventtime, status });
    },
  });

  // Which printer each upload goes to: chunks carry only the upload id.
  const uploads = new Map<string, { printerId: string; name: string }>();
  const uploadOf = (uploadId: string) => {
    const u = uploads.get(uploadId);
    if (!u) throw new ApiError('not_found', `No upload '${uploadId}' in progress; start it with files.uploadBegin.`);
    return { ...u, thread: fleet.get(u.printerId).thread };
  };
  const gcode = (printerId: string, script: string) => fleet.get(printerId).thread.call('gcode.run', { script });

  const unlistenPorts = hardware.onPortsChanged((e) => emit('ports.changed', e));
  const unlistenFlash = hardware.onFlashEvent((e) => emit('flash.event', e));
  const unlistenBuilds = hardware.onBuildEvent((e) => emit('flash.buildEvent', e));
  const { desktop } = options;
  const unlistenPower = desktop?.onPower((info) => emit('app.power', info)) ?? (() => undefined);

  // The config editor's files (issue 8): read, validate, write, samples.
  const configFiles = createConfigFiles({ fleet, dataDir: appInfo.dataDir });

  const handlers: ApiHandlers = {
    'app.info': async () => appInfo,
    'printers.list': async () => fleet.list(),
    'printers.add': async ({ name, configPath }) => fleet.add(name, configPath ?? null),
    'printers.remove': async ({ printerId }) => {
      await fleet.remove(printerId);
      return { removed: printerId };
    },
    'printers.restart': async ({ printerId }) => {
      const { thread } = fleet.get(printerId);
      await thread.restart();
      return { printerId, state: thread.state, message: thread.stateMessage };
    },
    'printer.status': async ({ printerId }) => {
      const { thread } = fleet.get(printerId);
      return { printerId, state: thread.state, message: thread.stateMessage };
    },
    'host.info': async ({ printerId }) => {
      const { record, thread } = fleet.get(printerId);
      return {
        printerId,
        hostVersion: thread.hostVersion,
        configPath: record.configPath,
        state: thread.state,
        stateMessage: thread.stateMessage,
        logPath: fleet.logPath(printerId),
      };
    },
    'gcode.run': async ({ printerId, script }) => fleet.get(printerId).thread.call('gcode.run', { script }),
    'gcode.commands': async ({ printerId }) => fleet.get(printerId).thread.call('gcode.commands', {}),
    'ports.list': async () => hardware.listPorts(),
    'ports.addVirtual': async ({ path, label }) => hardware.addVirtual(path, label),
    'boards.list': async () => hardware.boards(),
    'flash.drives': async () => hardware.drives(),
    'flash.images': async ({ boardId }) => hardware.images(boardId),
    'flash.start': async (params) => hardware.startFlash(params),
    'flash.cancel': async ({ jobId }) => hardware.cancelFlash(jobId),
    'flash.reconnect': async ({ boardId, port }) => hardware.reconnect(boardId, port),
    'flash.buildStatus': async ({ boardId, fresh }) => hardware.buildStatus(boardId, fresh),
    'flash.build': async ({ boardId }) => hardware.startBuild(boardId),
    'flash.buildCancel': async ({ buildId }) => hardware.cancelBuild(buildId),
    'config.read': async ({ printerId, file }) => configFiles.read(printerId, file),
    'config.validate': async ({ printerId, text, file }) => configFiles.validate(printerId, text, file),
    'config.write': async ({ printerId, text, file }) => configFiles.write(printerId, text, file),
    'config.samples': async () => configFiles.samples(),
    'config.newPrinter': async ({ name, sampleId, serial }) => configFiles.newPrinter(name, sampleId, serial),
    'config.includes': async ({ printerId }) => configFiles.includes(printerId),
    'config.mcuPins': async ({ printerId }) => {
      const { thread } = fleet.get(printerId);
      return thread.running ? thread.call('mcu.pins', {}).catch(() => null) : null;
    },
    'health.stats': async ({ printerId }) => healthOf(printerId, fleet.get(printerId).thread),
    'logs.read': async ({ printerId, maxLines }) => {
      fleet.get(printerId); // an unknown printer is not_found, not an empty log
      return readHostLog(fleet.logPath(printerId), maxLines);
    },
    'diagnostics.export': async ({ printerId }) => {
      const { fileName, entries, archive } = await buildDiagnostics({ fleet, appInfo, printerId, versions: desktop?.versions() });
      if (desktop) {
        const savedPath = await desktop.saveFile(fileName, archive);
        return { fileName, entries, bytes: archive.length, savedPath, archiveBase64: null };
      }
      return { fileName, entries, bytes: archive.length, savedPath: null, archiveBase64: archive.toString('base64') };
    },
    'app.power': async () => desktop?.power() ?? NO_POWER,
    'app.pickConfigFile': async () => {
      if (!desktop) throw new ApiError('refused', 'Choosing a file needs the desktop app; in serve mode type the printer.cfg path on the server.');
      return { path: await desktop.pickConfigFile() };
    },
    'status.query': async ({ printerId, objects }) => fleet.get(printerId).thread.call('status.query', { objects }),
    'status.subscribe': async ({ printerId, objects }) => fleet.get(printerId).thread.call('status.subscribe', { objects }),
    'status.unsubscribe': async ({ printerId }) => fleet.get(printerId).thread.call('status.unsubscribe', {}),
    'status.objects': async ({ printerId }) => fleet.get(printerId).thread.call('status.objects', {}),
    'files.list': async ({ printerId }) => fleet.get(printerId).thread.call('files.list', {}),
    'files.metadata': async ({ printerId, name }) => fleet.get(printerId).thread.call('files.metadata', { name }),
    'files.delete': async ({ printerId, name }) => fleet.get(printerId).thread.call('files.delete', { name }),
    'files.read': async ({ printerId, name, offset, length }) => fleet.get(printerId).thread.call('files.read', { name, offset, length }),
    'files.uploadBegin': async ({ printerId, name, size }) => {
      const { thread } = fleet.get(printerId);
      const uploadId = randomUUID();
      await thread.call('files.uploadBegin', { uploadId, name, size });
      uploads.set(uploadId, { printerId, name });
      return { uploadId };
    },
    'files.uploadChunk': async ({ uploadId, offset, dataBase64 }) => {
      const { printerId, name, thread } = uploadOf(uploadId);
      try {
        const { doneBytes, totalBytes } = await thread.call('files.uploadChunk', { uploadId, offset, dataBase64 });
        emit('files.progress', { uploadId, printerId, name, doneBytes, totalBytes });
        return { doneBytes, totalBytes };
      } catch (e) {
        // An out-of-order chunk leaves the upload open (the sender may retry); the host dropped any other failure.
        if (!(e instanceof ApiError && e.code === 'refused' && e.message.includes('send chunks in order'))) uploads.delete(uploadId);
        throw e;
      }
    },
    'files.uploadEnd': async ({ uploadId }) => {
      const { thread } = uploadOf(uploadId);
      uploads.delete(uploadId);
      return thread.call('files.uploadEnd', { uploadId });
    },
    'files.uploadAbort': async ({ uploadId }) => {
      const u = uploads.get(uploadId);
      if (!u) return { aborted: false };
      uploads.delete(uploadId);
      return fleet.get(u.printerId).thread.call('files.uploadAbort', { uploadId });
    },
    'print.start': async ({ printerId, name }) => fleet.get(printerId).thread.call('print.start', { name }),
    'print.pause': async ({ printerId }) => gcode(printerId, 'PAUSE'),
    'print.resume': async ({ printerId }) => gcode(printerId, 'RESUME'),
    'print.cancel': async ({ printerId }) => gcode(printerId, 'CANCEL_PRINT'),
    'temperatures.history': async ({ printerId, sinceMs }) => fleet.get(printerId).thread.call('temperatures.history', { sinceMs }),
  };

  return {
    handlers,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      unlisten();
      unlistenPorts();
      unlistenFlash();
      unlistenBuilds();
      unlistenPower();
      if (flushTimer) clearTimeout(flushTimer);
      listeners.clear();
    },
  };
}
