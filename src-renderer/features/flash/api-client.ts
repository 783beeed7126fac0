// The flashing wizard's client over the app API (boards.list, flash.*, ports.list). Image
// bytes travel as base64 so the same call works over IPC and the WebSocket.
import type { ApiClient } from '../../api';
import type { FlashClient } from './client';
import { rememberedBoard, useFlashWizard } from './store';

const made = new WeakMap<ApiClient, FlashClient>();

/** The wizard's client for this API client (one per API client, so subscriptions stay put). */
export function flashClientFor(api: ApiClient): FlashClient {
  let client = made.get(api);
  if (!client) made.set(api, (client = makeFlashClient(api)));
  return client;
}

/** Klipper's words when host and firmware speak different protocol versions: time to re-flash. */
export function needsReflash(stateMessage: string): boolean {
  return /MCU Protocol error/i.test(stateMessage);
}

/**
 * The re-flash offer (e.g. a Dashboard button beside an "MCU Protocol error" message): opens
 * the wizard with the board and port already chosen. A board running Klipper-protocol firmware
 * can be sent to its bootloader with the 'klipper-request' entry.
 */
export async function openReflash(api: ApiClient, boardId: string | null, port?: string): Promise<void> {
  await useFlashWizard.getState().preselect(flashClientFor(api), boardId, port, { reflash: true });
  window.location.hash = '#/flash';
}

/**
 * The re-flash offer for a printer by name: its port from ports.list's printer marks, its board
 * the one last flashed on that port (none remembered: the wizard starts at the board step).
 */
export async function openReflashForPrinter(api: ApiClient, printerName: string): Promise<void> {
  let port: string | undefined;
  try {
    const { printerPorts } = await api.call('ports.list');
    port = Object.entries(printerPorts).find(([, name]) => name === printerName)?.[0];
  } catch {
    // ports cannot be listed (e.g. no udevadm): the user picks the port in the wizard
  }
  await openReflash(api, port ? rememberedBoard(port) : null, port);
}

function makeFlashClient(api: ApiClient): FlashClient {
  return {
    listBoards: () => api.call('boards.list'),
    listPorts: async () => (await api.call('ports.list')).ports,
    listDrives: () => api.call('flash.drives'),
    listImages: (boardId) => api.call('flash.images', { boardId }),
    start: ({ image, ...rest }) =>
      api.call('flash.start', {
        ...rest,
        image: image.kind === 'path' ? image : { kind: 'bytes', fileName: image.fileName, contentBase64: toBase64(image.content) },
      }),
    cancel: async (jobId) => {
      await api.call('flash.cancel', { jobId });
    },
    onEvent: (listener) => api.on('flash.event', listener),
    reconnect: (boardId, port) => api.call('flash.reconnect', { boardId, port }),
    buildStatus: (boardId, fresh) => api.call('flash.buildStatus', { boardId, ...(fresh ? { fresh } : {}) }),
    startBuild: (boardId) => api.call('flash.build', { boardId }),
    cancelBuild: async (buildId) => {
      await api.call('flash.buildCancel', { buildId });
    },
    onBuildEvent: (listener) => api.on('flash.buildEvent', listener),
  };
}

export function toBase64(bytes: Uint8Array): string {
  let text = '';
  // In slices: String.fromCharCode(...all) overflows the call stack on a 500 KB image.
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}
