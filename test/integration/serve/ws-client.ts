// A small API client over `ws` for serve-mode tests, recording every event it receives.
import WebSocket from 'ws';
import type { ApiReply, WsServerMessage } from '../../../src-main/api/contract';

export class TestClient {
  readonly events: { event: string; payload: unknown }[] = [];
  private nextId = 1;
  private readonly waiting = new Map<number | null, (r: ApiReply) => void>();
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as WsServerMessage;
      if (msg.type === 'event') this.events.push({ event: msg.event, payload: msg.payload });
      else {
        this.waiting.get(msg.id)?.(msg.reply);
        this.waiting.delete(msg.id);
      }
    });
  }
  static open(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => resolve(new TestClient(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }
  call(method: string, params: unknown = {}): Promise<ApiReply> {
    const id = this.nextId++;
    return this.sendRaw(JSON.stringify({ type: 'call', id, method, params }), id);
  }
  sendRaw(text: string, id: number | null = null): Promise<ApiReply> {
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.ws.send(text);
    });
  }
  async waitForEvent(pred: (e: { event: string; payload: unknown }) => boolean, timeoutMs = 20_000): Promise<unknown> {
    const start = Date.now();
    while (Date.now() - start < timeoutMs) {
      const found = this.events.find(pred);
      if (found) return found.payload;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(this.events).slice(0, 500)}`);
  }
  close(): void {
    this.ws.close();
  }
}
