// The flashing wizard's client over the app API (boards.list, flash.*, ports.list). Image
// bytes travel as base64 so the same call works over IPC and the WebSocket.
import type { ApiClient } from '../../api';
import type { FlashClient } from './client';

export function flashClientFor(api: ApiClient): FlashClient {
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
  };
}

export function toBase64(bytes: Uint8Array): string {
  let text = '';
  // In slices: String.fromCharCode(...all) overflows the call stack on a 500 KB image.
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}
