// The API implemented over the printer fleet: one handler per method of the contract, and the
// fleet's happenings turned into API events. Both carriers (Electron IPC, WebSocket) use this.
import type { AppInfo, ConsoleLine, EventName, EventPayload } from './contract';
import type { ApiBackend, ApiEventListener, ApiHandlers } from './dispatch';
import type { HardwareServices } from './hardware';
import type { PrinterFleet } from '../host/worker/fleet';
import { createConfigFiles } from './config-files';

/** Console lines per event at most. */
export const MAX_LINES_PER_EVENT = 500;

export interface BackendOptions {
  fleet: PrinterFleet;
  appInfo: AppInfo;
  /** Ports, board catalog and flashing (src-main/api/hardware.ts). */
  hardware: HardwareServices;
  /** Console lines produced within this window go out as one event (default 16 ms, a frame). */
  consoleBatchMs?: number;
}

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
  });

  const unlistenPorts = hardware.onPortsChanged((e) => emit('ports.changed', e));
  const unlistenFlash = hardware.onFlashEvent((e) => emit('flash.event', e));

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
    'config.read': async ({ printerId }) => configFiles.read(printerId),
    'config.validate': async ({ printerId, text }) => configFiles.validate(printerId, text),
    'config.write': async ({ printerId, text }) => configFiles.write(printerId, text),
    'config.samples': async () => configFiles.samples(),
    'config.newPrinter': async ({ name, sampleId }) => configFiles.newPrinter(name, sampleId),
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
      if (flushTimer) clearTimeout(flushTimer);
      listeners.clear();
    },
  };
}
