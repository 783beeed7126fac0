// The preload: exposes exactly one object, `window.tether`, with two functions. It holds no
// logic; main validates every call. Runs sandboxed, so it imports only 'electron' (types are
// erased) and repeats the channel names from ipc.ts.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiReply, TetherBridge } from '../api/contract';

const IPC_CALL = 'tether:call';
const IPC_EVENT = 'tether:event';

const bridge: TetherBridge = {
  call: (method: string, params: unknown): Promise<ApiReply> => ipcRenderer.invoke(IPC_CALL, method, params),
  on(event: string, listener: (payload: unknown) => void): () => void {
    const handler = (_e: IpcRendererEvent, name: unknown, payload: unknown): void => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(IPC_EVENT, handler);
    return () => void ipcRenderer.removeListener(IPC_EVENT, handler);
  },
};

contextBridge.exposeInMainWorld('tether', bridge);
