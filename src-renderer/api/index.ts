// Picks the carrier once: Electron's preload bridge when present, else serve mode's WebSocket.
import { ApiClient, ipcCarrier, type CarrierBridge } from './client';
import { apiSocketUrl, webSocketCarrier } from './ws-carrier';

export { ApiCallError, ApiClient } from './client';
export type { Carrier, ConnectionStatus } from './client';

let client: ApiClient | null = null;

export function connectApi(bridge?: CarrierBridge): ApiClient {
  client = new ApiClient(bridge ?? (window.tether ? ipcCarrier(window.tether) : webSocketCarrier(apiSocketUrl(window.location))));
  return client;
}

/** The app's API client (connectApi runs first, in main.tsx; tests pass their own bridge). */
export function api(): ApiClient {
  if (!client) throw new Error('connectApi() has not run yet');
  return client;
}
