// Per-client status subscriptions. A printer's host keeps one subscription (the worker's); each
// API client (a WebSocket in serve mode, a window in the app) has its own set of objects/fields. The host is
// subscribed to the union of every client's set, and each delta goes to a client only with the
// objects and fields that client asked for, so one client unsubscribing (or narrowing its set)
// never stops another's deltas.
import type { StatusRequest, StatusSnapshot } from '../host/status/status';
import type { ApiBackend, ApiHandlers } from './dispatch';

type SubscribeCall = (printerId: string, objects: StatusRequest) => Promise<{ eventtime: number; status: StatusSnapshot }>;
type UnsubscribeCall = (printerId: string) => Promise<{ unsubscribed: boolean }>;
type DeltaListener = (printerId: string, eventtime: number, status: StatusSnapshot) => void;

/** The fields of `status` that `request` asks for (null = every field of that object). */
export function filterStatus(status: StatusSnapshot, request: StatusRequest): StatusSnapshot {
  const out: StatusSnapshot = {};
  for (const [name, fields] of Object.entries(request)) {
    const st = status[name];
    if (!st) continue;
    const picked = fields ? Object.fromEntries(fields.filter((f) => f in st).map((f) => [f, st[f]])) : { ...st };
    if (Object.keys(picked).length) out[name] = picked;
  }
  return out;
}

/** One request covering all of `requests` (an object asked for whole by anyone is asked for whole). */
export function unionRequest(requests: StatusRequest[]): StatusRequest {
  const out: StatusRequest = {};
  for (const r of requests) {
    for (const [name, fields] of Object.entries(r)) {
      if (!(name in out)) out[name] = fields ? [...fields] : null;
      else if (out[name] !== null) out[name] = fields ? [...new Set([...out[name]!, ...fields])] : null;
    }
  }
  return out;
}

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

export class StatusClients {
  /** clientId -> printerId -> what that client asked for. */
  private readonly requests = new Map<string, Map<string, StatusRequest>>();
  private readonly listeners = new Map<string, DeltaListener>();
  /** Last known status per printer (the union's fields), to fill gaps when the union changes. */
  private readonly cache = new Map<string, StatusSnapshot>();

  constructor(
    private readonly subscribeHost: SubscribeCall,
    private readonly unsubscribeHost: UnsubscribeCall,
  ) {}

  /** A client connects: its deltas go to `listener`. Returns the function that removes it. */
  addClient(clientId: string, listener: DeltaListener): () => Promise<void> {
    this.listeners.set(clientId, listener);
    return async () => {
      const printers = [...(this.requests.get(clientId)?.keys() ?? [])];
      this.requests.delete(clientId);
      this.listeners.delete(clientId);
      for (const printerId of printers) await this.resubscribe(printerId).catch(() => undefined);
    };
  }

  async subscribe(clientId: string, printerId: string, objects: StatusRequest): Promise<{ eventtime: number; status: StatusSnapshot }> {
    let mine = this.requests.get(clientId);
    if (!mine) this.requests.set(clientId, (mine = new Map()));
    const previous = mine.get(printerId);
    mine.set(printerId, objects);
    let reply;
    try {
      reply = await this.resubscribe(printerId);
    } catch (e) {
      // An unknown printer or a host still starting: keep what this client had before.
      if (previous) mine.set(printerId, previous);
      else mine.delete(printerId);
      throw e;
    }
    return { eventtime: reply?.eventtime ?? 0, status: filterStatus(reply?.status ?? {}, objects) };
  }

  async unsubscribe(clientId: string, printerId: string): Promise<{ unsubscribed: boolean }> {
    const had = this.requests.get(clientId)?.delete(printerId) ?? false;
    await this.resubscribe(printerId);
    return { unsubscribed: had };
  }

  /** A delta from the host (the union's fields): each client gets its own part of it. */
  onHostDelta(printerId: string, eventtime: number, delta: StatusSnapshot): void {
    const cached = this.cache.get(printerId) ?? {};
    for (const [name, fields] of Object.entries(delta)) cached[name] = { ...(cached[name] ?? {}), ...fields };
    this.cache.set(printerId, cached);
    for (const [clientId, mine] of this.requests) {
      const request = mine.get(printerId);
      if (!request) continue;
      const part = filterStatus(delta, request);
      if (Object.keys(part).length) this.listeners.get(clientId)?.(printerId, eventtime, part);
    }
  }

  /**
   * Subscribes the host to the union of the clients' requests (or unsubscribes it when nobody
   * is left). The host's new subscription starts from a full snapshot: whatever changed since
   * the cached status is passed on as a delta, so no client misses a change in the switch.
   */
  private async resubscribe(printerId: string): Promise<{ eventtime: number; status: StatusSnapshot } | null> {
    const requests = [...this.requests.values()].map((m) => m.get(printerId)).filter((r): r is StatusRequest => !!r);
    if (!requests.length) {
      this.cache.delete(printerId);
      await this.unsubscribeHost(printerId);
      return null;
    }
    const reply = await this.subscribeHost(printerId, unionRequest(requests));
    const before = this.cache.get(printerId) ?? {};
    const changed: StatusSnapshot = {};
    for (const [name, fields] of Object.entries(reply.status)) {
      for (const [k, v] of Object.entries(fields))
        if (before[name] && k in before[name] && !same(before[name][k], v)) (changed[name] ??= {})[k] = v;
    }
    this.cache.set(printerId, structuredClone(reply.status));
    if (Object.keys(changed).length) this.onHostDelta(printerId, reply.eventtime, changed);
    return reply;
  }
}

/**
 * Status subscriptions per client over `backend`'s one subscription per printer, fed by the
 * backend's status deltas until `detach()`.
 */
export function statusClientsFor(backend: ApiBackend): { clients: StatusClients; detach: () => void } {
  const clients = new StatusClients(
    (printerId, objects) => backend.handlers['status.subscribe']({ printerId, objects }),
    (printerId) => backend.handlers['status.unsubscribe']({ printerId }),
  );
  const detach = backend.subscribe((event, payload) => {
    if (event !== 'status.delta') return;
    const d = payload as { printerId: string; eventtime: number; status: StatusSnapshot };
    clients.onHostDelta(d.printerId, d.eventtime, d.status);
  });
  return { clients, detach };
}

/** `handlers` with status.subscribe/unsubscribe going through `clients` as `clientId`. */
export function handlersForClient(handlers: ApiHandlers, clients: StatusClients, clientId: string): ApiHandlers {
  // The other methods are looked up on `handlers` through the prototype, not copied.
  return Object.assign(Object.create(handlers) as ApiHandlers, {
    'status.subscribe': ({ printerId, objects }: { printerId: string; objects: StatusRequest }) =>
      clients.subscribe(clientId, printerId, objects),
    'status.unsubscribe': ({ printerId }: { printerId: string }) => clients.unsubscribe(clientId, printerId),
  });
}
