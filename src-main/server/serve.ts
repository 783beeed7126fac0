// Serve mode: the built UI over HTTP and the one API over a WebSocket at /api, for a browser
// on this machine (default, 127.0.0.1) or, with a token, on the network.
//
// Who may connect:
// - Loopback bind: the Host header must name this machine (blocks DNS rebinding, where a
//   web page's own name resolves to 127.0.0.1) and the Origin, when sent, must be this server
//   (blocks other web pages opening a socket to it; browsers always send Origin, scripts and
//   tools need not).
// - Any other bind: a token is required to start at all, and every WebSocket must present it
//   (?token=..., which the UI takes from its own URL).
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WsServerMessage } from '../api/contract';
import { wsCallSchema } from '../api/contract';
import type { ApiBackend, ApiLog } from '../api/dispatch';
import { dispatchCall } from '../api/dispatch';
import { parse } from '../api/schema';
import { handlersForClient, statusClientsFor, type StatusClients } from '../api/status-clients';
import { serveStatic } from './static-files';

export interface ServeOptions {
  backend: ApiBackend;
  /** Folder with the built renderer (index.html). */
  uiDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Required when `host` is not a loopback address. */
  token?: string;
  /** Extra origins allowed to open the WebSocket (e.g. a dev server). */
  allowedOrigins?: string[];
  log?: ApiLog;
}

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  close(): Promise<void>;
}

/** Largest WebSocket message accepted: far above any call (scripts are capped at 64 KiB). */
const MAX_WS_MESSAGE_BYTES = 1 << 20;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

export class ServeConfigError extends Error {
  override name = 'ServeConfigError';
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ((m: string) => console.error(m));
  const token = options.token ?? '';
  if (!isLoopback(host) && token.length < 16) {
    throw new ServeConfigError(
      `Refusing to bind ${host} without a token: anyone who can reach this machine could control the printer. ` +
        'Pass --token <at least 16 characters> (or TETHER_TOKEN), or bind 127.0.0.1.',
    );
  }

  const http: Server = createServer((req, res) => serveStatic(options.uiDir, req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES });
  const { clients: statusClients, detach: detachStatus } = statusClientsFor(options.backend);
  let port = 0;

  const refuse = (socket: Duplex, status: number, reason: string, req: IncomingMessage): void => {
    log(`serve: refused WebSocket from ${req.socket.remoteAddress ?? '?'}: ${reason}`);
    socket.end(
      `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${reason}\n`,
    );
  };

  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/api') return refuse(socket, 403, 'WebSocket path must be /api', req);
    const problem = checkClient(req, url, { host, port, token, allowedOrigins: options.allowedOrigins ?? [] });
    if (problem) return refuse(socket, problem.status, problem.reason, req);
    wss.handleUpgrade(req, socket, head, (ws) => attachClient(ws, options.backend, log, req.socket.remoteAddress ?? '?', statusClients));
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  port = (http.address() as AddressInfo).port;
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : urlHost;

  return {
    url: `http://${shownHost}:${port}/${token ? `?token=${encodeURIComponent(token)}` : ''}`,
    port,
    host,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        detachStatus();
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

interface ClientRules {
  host: string;
  port: number;
  token: string;
  allowedOrigins: string[];
}

function checkClient(req: IncomingMessage, url: URL, rules: ClientRules): { status: number; reason: string } | null {
  if (rules.token) {
    const given = Buffer.from(url.searchParams.get('token') ?? '');
    const want = Buffer.from(rules.token);
    if (given.length !== want.length || !timingSafeEqual(given, want)) return { status: 401, reason: 'missing or wrong token' };
  }
  const hostHeader = req.headers.host ?? '';
  if (isLoopback(rules.host) && !isLoopback(hostName(hostHeader))) {
    return { status: 403, reason: `Host header '${hostHeader}' is not this machine` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    const sameOrigin = origin === `http://${hostHeader}` || origin === `https://${hostHeader}`;
    if (!sameOrigin && !rules.allowedOrigins.includes(origin)) return { status: 403, reason: `Origin '${origin}' is not allowed` };
  }
  return null;
}

function hostName(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.replace(/:\d+$/, '');
}

let nextClientId = 1;

function attachClient(ws: WebSocket, backend: ApiBackend, log: ApiLog, peer: string, statusClients: StatusClients): void {
  const source = `websocket ${peer}`;
  const clientId = `ws-${nextClientId++}`;
  const send = (msg: WsServerMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };
  // Status deltas come per client (only what this client subscribed to); other events to all.
  const unsubscribe = backend.subscribe((event, payload) => {
    if (event !== 'status.delta') send({ type: 'event', event, payload });
  });
  const removeStatus = statusClients.addClient(clientId, (printerId, eventtime, status) =>
    send({ type: 'event', event: 'status.delta', payload: { printerId, eventtime, status } }),
  );
  const handlers = handlersForClient(backend.handlers, statusClients, clientId);
  ws.on('close', () => {
    unsubscribe();
    void removeStatus();
  });
  ws.on('error', (e) => log(`${source}: ${e.message}`));
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      log(`${source}: refused a binary message`);
      return send({
        type: 'reply',
        id: null,
        reply: { ok: false, error: { code: 'bad_request', message: 'Binary messages are not part of the API; send JSON text.' } },
      });
    }
    let msg: unknown;
    try {
      msg = JSON.parse(String(data));
    } catch {
      log(`${source}: refused a message that is not JSON`);
      return send({ type: 'reply', id: null, reply: { ok: false, error: { code: 'bad_request', message: 'Message is not valid JSON.' } } });
    }
    const call = parse(wsCallSchema, msg, 'message');
    if (!call.ok) {
      log(`${source}: refused message: ${call.error}`);
      const id = typeof (msg as { id?: unknown })?.id === 'number' ? (msg as { id: number }).id : null;
      return send({ type: 'reply', id, reply: { ok: false, error: { code: 'bad_request', message: call.error } } });
    }
    const { id, method, params } = call.value;
    void dispatchCall(handlers, method, params, log, source).then((reply) => send({ type: 'reply', id, reply }));
  });
}
