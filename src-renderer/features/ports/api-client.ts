// The ports page's client over the app API (ports.list, ports.addVirtual, ports.changed).
// Calls go through the bridge directly so a port error's `problem` (its fix) reaches the page.
import type { ApiClient } from '../../api';
import type { PortsClient, PortProblemPayload } from './client';

export class PortCallError extends Error {
  constructor(
    message: string,
    readonly problem?: PortProblemPayload,
  ) {
    super(message);
  }
}

const made = new WeakMap<ApiClient, PortsClient>();

/** The ports page's client for this API client (one per API client). */
export function portsClientFor(api: ApiClient): PortsClient {
  let client = made.get(api);
  if (!client) made.set(api, (client = makePortsClient(api)));
  return client;
}

function makePortsClient(api: ApiClient): PortsClient {
  const call = async (method: 'ports.list' | 'ports.addVirtual', params: object): Promise<unknown> => {
    const reply = await api.bridge.call(method, params);
    if (!reply.ok) throw new PortCallError(reply.error.message, reply.error.problem);
    return reply.result;
  };
  return {
    list: async () => (await call('ports.list', {})) as Awaited<ReturnType<PortsClient['list']>>,
    onChanged: (listener) => api.on('ports.changed', listener),
    addVirtual: async (path, label) => {
      await call('ports.addVirtual', { path, label });
    },
  };
}
