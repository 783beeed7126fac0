// Serve mode's WebSocket carrier against a scripted socket: calls wait for the connection,
// replies find their call by id, events reach their listeners, a drop fails pending calls.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiSocketUrl, webSocketCarrier } from '../../../src-renderer/api/ws-carrier';

class ScriptedSocket {
  static OPEN = 1;
  static last: ScriptedSocket | null = null;
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(readonly url: string) {
    ScriptedSocket.last = this;
  }
  send(text: string) {
    this.sent.push(text);
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(msg: unknown) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.();
  }
}

afterEach(() => vi.useRealTimers());

describe('webSocketCarrier', () => {
  it('builds the socket URL from the page, carrying the token', () => {
    expect(apiSocketUrl({ protocol: 'http:', host: '127.0.0.1:7130', search: '' })).toBe('ws://127.0.0.1:7130/api');
    expect(apiSocketUrl({ protocol: 'https:', host: 'pi:7130', search: '?token=a b' })).toBe('wss://pi:7130/api?token=a%20b');
  });

  it('queues calls until open, pairs replies by id, and dispatches events', async () => {
    vi.useFakeTimers();
    const carrier = webSocketCarrier('ws://x/api', ScriptedSocket as unknown as typeof WebSocket);
    const socket = ScriptedSocket.last!;
    const statuses: string[] = [];
    carrier.onStatus((s) => statuses.push(s));
    const first = carrier.call('app.info', {});
    const second = carrier.call('printers.list', {});
    expect(socket.sent).toEqual([]);
    socket.open();
    expect(socket.sent.map((s) => JSON.parse(s).method)).toEqual(['app.info', 'printers.list']);
    const ids = socket.sent.map((s) => JSON.parse(s).id as number);
    socket.receive({ type: 'reply', id: ids[1], reply: { ok: true, result: ['list'] } });
    socket.receive({ type: 'reply', id: ids[0], reply: { ok: true, result: 'info' } });
    expect(await first).toEqual({ ok: true, result: 'info' });
    expect(await second).toEqual({ ok: true, result: ['list'] });

    const got: unknown[] = [];
    carrier.on('console.lines', (p) => got.push(p));
    socket.receive({ type: 'event', event: 'console.lines', payload: { n: 1 } });
    socket.receive({ type: 'event', event: 'printer.state', payload: { n: 2 } });
    expect(got).toEqual([{ n: 1 }]);
    expect(statuses).toEqual(['connected']);
  });

  it('fails calls in flight when the connection drops, then reconnects', async () => {
    vi.useFakeTimers();
    const carrier = webSocketCarrier('ws://x/api', ScriptedSocket as unknown as typeof WebSocket);
    const socket = ScriptedSocket.last!;
    socket.open();
    const pending = carrier.call('gcode.run', { printerId: 'p', script: 'G28' });
    socket.drop();
    expect(await pending).toMatchObject({ ok: false, error: { code: 'disconnected' } });
    expect(carrier.status()).toBe('disconnected');
    vi.advanceTimersByTime(300);
    expect(ScriptedSocket.last).not.toBe(socket);
    expect(carrier.status()).toBe('connecting');
  });
});
