// IPC wiring: the renderer's `window.tether.call` arrives here as one channel. Each message is
// checked (sender is our own page, method and params match the contract) before it can reach
// the host; anything else gets an error reply and a log line, never an exception.
// Status subscriptions are per window (as per WebSocket client in serve mode): a closed window's
// subscription ends with it, and one window narrowing its set never stops another's deltas.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { ApiReply, EventName } from '../api/contract';
import type { ApiBackend } from '../api/dispatch';
import { dispatchCall, type ApiHandlers } from '../api/dispatch';
import { handlersForClient, statusClientsFor } from '../api/status-clients';

/** Channel names; preload.ts uses the same strings (it cannot import at run time in the sandbox). */
export const IPC_CALL = 'tether:call';
export const IPC_EVENT = 'tether:event';

export interface IpcWiring {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  backend: ApiBackend;
  /** True when the sender is our app page (not a stray frame or navigated-away content). */
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean;
  /** Windows to push events to. */
  targets: () => WebContents[];
  log: (message: string) => void;
}

/**
 * Whether a frame shows our app page: same file, whatever the hash (the renderer routes with
 * #/panel) or query. Anything else (another file, a remote page, about:blank) is untrusted.
 */
export function isAppPage(frameUrl: string | undefined, appUrl: string): boolean {
  if (!frameUrl) return false;
  try {
    const frame = new URL(frameUrl);
    const app = new URL(appUrl);
    return frame.protocol === app.protocol && frame.host === app.host && frame.pathname === app.pathname;
  } catch {
    return false;
  }
}

export function wireIpc(w: IpcWiring): () => void {
  const { clients: statusClients, detach: detachStatus } = statusClientsFor(w.backend);
  const windows = new Map<WebContents, { handlers: ApiHandlers; remove: () => Promise<void> }>();
  let nextWindowId = 1;
  const windowOf = (sender: WebContents) => {
    let entry = windows.get(sender);
    if (!entry) {
      const clientId = `window-${nextWindowId++}`;
      const remove = statusClients.addClient(clientId, (printerId, eventtime, status) => {
        if (!sender.isDestroyed()) sender.send(IPC_EVENT, 'status.delta', { printerId, eventtime, status });
      });
      entry = { handlers: handlersForClient(w.backend.handlers, statusClients, clientId), remove };
      windows.set(sender, entry);
      sender.once('destroyed', () => {
        windows.delete(sender);
        void remove();
      });
    }
    return entry;
  };
  w.ipcMain.handle(IPC_CALL, async (event, method: unknown, params: unknown): Promise<ApiReply> => {
    if (!w.isTrustedSender(event)) {
      w.log(`ipc: refused call from untrusted frame ${event.senderFrame?.url ?? '(gone)'}`);
      return { ok: false, error: { code: 'bad_request', message: 'Calls are accepted from the Tether window only.' } };
    }
    return dispatchCall(windowOf(event.sender).handlers, method, params, w.log, 'ipc');
  });
  // Status deltas go per window (above); every other event to every window.
  const unsubscribe = w.backend.subscribe((event: EventName, payload) => {
    if (event === 'status.delta') return;
    for (const wc of w.targets()) if (!wc.isDestroyed()) wc.send(IPC_EVENT, event, payload);
  });
  return () => {
    unsubscribe();
    detachStatus();
    for (const { remove } of windows.values()) void remove();
    windows.clear();
    w.ipcMain.removeHandler(IPC_CALL);
  };
}
