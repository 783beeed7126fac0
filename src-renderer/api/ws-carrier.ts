// Serve mode's carrier: the API over one WebSocket to the page's own server at /api, with the
// token (if any) taken from the page's URL. Reconnects with backoff; calls made while the socket
// is down wait for it (up to a limit) rather than fail at once.
import type { ApiReply, WsCall, WsServerMessage } from '../../src-main/api/contract';
import type { CarrierBridge, ConnectionStatus } from './client';

interface Pending {
  resolve: (reply: ApiReply) => void;
}

const CALL_WAIT_MS = 15_000;

export function apiSocketUrl(location: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const token = new URLSearchParams(location.search).get('token');
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/api${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

export function webSocketCarrier(url: string, WebSocketImpl: typeof WebSocket = WebSocket): CarrierBridge {
  let socket: WebSocket | null = null;
  let status: ConnectionStatus = 'connecting';
  let nextId = 1;
  let retryMs = 250;
  const pending = new Map<number, Pending>();
  const queued: string[] = [];
  const eventListeners = new Map<string, Set<(payload: unknown) => void>>();
  const statusListeners = new Set<(s: ConnectionStatus) => void>();

  const setStatus = (s: ConnectionStatus): void => {
    if (s === status) return;
    status = s;
    for (const l of statusListeners) l(s);
  };

  const fail = (id: number, message: string): void => {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    p.resolve({ ok: false, error: { code: 'disconnected', message } });
  };

  const connect = (): void => {
    setStatus('connecting');
    const ws = new WebSocketImpl(url);
    socket = ws;
    ws.onopen = () => {
      retryMs = 250;
      setStatus('connected');
      for (const msg of queued.splice(0)) ws.send(msg);
    };
    ws.onmessage = (e: MessageEvent) => {
      let msg: WsServerMessage;
      try {
        msg = JSON.parse(String(e.data)) as WsServerMessage;
      } catch {
        return;
      }
      if (msg.type === 'reply' && msg.id !== null) {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        p?.resolve(msg.reply);
      } else if (msg.type === 'event') {
        for (const l of eventListeners.get(msg.event) ?? []) l(msg.payload);
      }
    };
    ws.onclose = () => {
      socket = null;
      setStatus('disconnected');
      // Calls already sent will never be answered by this socket.
      for (const id of [...pending.keys()]) fail(id, 'Connection to Tether lost; the call may or may not have run.');
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  };
  connect();

  return {
    carrier: 'websocket',
    call(method, params) {
      const id = nextId++;
      const msg = JSON.stringify({ type: 'call', id, method, params } satisfies WsCall);
      return new Promise<ApiReply>((resolve) => {
        pending.set(id, { resolve });
        if (socket && socket.readyState === WebSocketImpl.OPEN) socket.send(msg);
        else {
          queued.push(msg);
          setTimeout(() => {
            const i = queued.indexOf(msg);
            if (i >= 0) queued.splice(i, 1);
            fail(id, 'Not connected to Tether; is `tether serve` still running?');
          }, CALL_WAIT_MS);
        }
      });
    },
    on(event, listener) {
      const set = eventListeners.get(event) ?? new Set();
      set.add(listener);
      eventListeners.set(event, set);
      return () => void set.delete(listener);
    },
    status: () => status,
    onStatus(listener) {
      statusListeners.add(listener);
      return () => void statusListeners.delete(listener);
    },
  };
}
