// Serve mode for real: the HTTP server, the WebSocket API and a host in a worker thread, on a
// free port. A WebSocket client calls methods and receives events; the bind and Origin rules
// refuse what they should.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServeSession, type ServeSession } from '../../../src-main/server/serve-command';
import { repoRoot } from '../../support/paths';
import { snapshotUi } from './ui-snapshot';
import { TestClient } from './ws-client';

let uiDir = '';
let ui: { dir: string; remove(): void } | null = null;
beforeAll(async () => {
  ui = await snapshotUi();
  uiDir = ui.dir;
});
afterAll(() => ui?.remove());
const entryUrl = pathToFileURL(path.join(repoRoot, 'src-main/cli.ts')).href;

/** Status code of a refused WebSocket handshake. */
function refusedStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      reject(new Error('handshake was accepted'));
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', (e) => reject(e));
  });
}

describe('serve mode on loopback', () => {
  let session: ServeSession;
  let dataDir: string;
  let wsUrl: string;
  const serverLog: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'tether-serve-'));
    session = await startServeSession({ port: 0, dataDir, uiDir, entryUrl, log: (m) => serverLog.push(m) });
    wsUrl = `ws://127.0.0.1:${session.server.port}/api`;
  });
  afterAll(async () => {
    await session?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the built UI with its security headers, and nothing outside it', async () => {
    const res = await fetch(`http://127.0.0.1:${session.server.port}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="root">');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const escape = await fetch(`http://127.0.0.1:${session.server.port}/..%2f..%2fpackage.json`);
    expect([403, 404]).toContain(escape.status);
    const post = await fetch(`http://127.0.0.1:${session.server.port}/`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('answers API calls and pushes console events over the WebSocket', async () => {
    const client = await TestClient.open(wsUrl, { Origin: `http://127.0.0.1:${session.server.port}` });
    const info = await client.call('app.info');
    expect(info).toMatchObject({ ok: true, result: { mode: 'serve', dataDir } });

    const list = await client.call('printers.list');
    expect(list).toMatchObject({ ok: true, result: [{ id: 'printer-1', state: 'ready', stateMessage: 'Printer is ready' }] });

    expect(await client.call('gcode.run', { printerId: 'printer-1', script: 'M118 hello from the test' })).toEqual({
      ok: true,
      result: { done: true },
    });
    const lines = await client.waitForEvent(
      (e) => e.event === 'console.lines' && JSON.stringify(e.payload).includes('echo: hello from the test'),
    );
    expect(lines).toMatchObject({
      printerId: 'printer-1',
      lines: [{ kind: 'command', text: 'M118 hello from the test' }, { kind: 'raw' }],
    });

    const unknown = await client.call('gcode.run', { printerId: 'printer-1', script: 'NO_SUCH_CMD' });
    expect(unknown).toEqual({ ok: false, error: { code: 'gcode_error', message: 'Unknown command: "NO_SUCH_CMD"' } });
    await client.waitForEvent((e) => JSON.stringify(e.payload).includes('!! Unknown command: \\"NO_SUCH_CMD\\"'));

    const commands = await client.call('gcode.commands', { printerId: 'printer-1' });
    expect(commands.ok && (commands.result as { name: string }[]).map((c) => c.name)).toEqual(
      expect.arrayContaining(['HELP', 'M118', 'RESPOND']),
    );

    const ports = await client.call('ports.list');
    expect(ports.ok).toBe(true);
    expect(ports.ok && Array.isArray((ports.result as { ports: unknown[] }).ports)).toBe(true);

    const missing = await client.call('printer.status', { printerId: 'nope' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
    client.close();

    const log = readFileSync(path.join(dataDir, 'printers/printer-1/host.log'), 'utf8');
    expect(log).toContain('state ready: Printer is ready');
    expect(log).toContain('raw: echo: hello from the test');
  });

  it('refuses malformed messages with an error reply and keeps the connection', async () => {
    const client = await TestClient.open(wsUrl);
    expect(await client.sendRaw('{not json')).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: 'Message is not valid JSON.' },
    });
    expect(
      await client.sendRaw(JSON.stringify({ type: 'call', id: 7, method: 'gcode.run', params: { printerId: 'printer-1', script: 5 } }), 7),
    ).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    expect(await client.sendRaw(JSON.stringify({ type: 'call', id: 'x', method: 'app.info' }))).toMatchObject({ ok: false });
    expect(await client.call('no.such.method')).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await client.call('app.info')).toMatchObject({ ok: true });
    client.close();
    expect(serverLog.some((l) => l.includes('refused'))).toBe(true);
  });

  it('adds, restarts and removes printers, each with its own host, and says so in events', async () => {
    const client = await TestClient.open(wsUrl);
    const added = await client.call('printers.add', { name: 'Second Printer' });
    expect(added).toMatchObject({ ok: true, result: { id: 'second-printer', state: 'ready' } });
    await client.waitForEvent((e) => e.event === 'printers.changed' && JSON.stringify(e.payload).includes('second-printer'));
    expect(JSON.parse(readFileSync(path.join(dataDir, 'printers.json'), 'utf8')).printers).toHaveLength(2);

    // Hosts are independent: M112 shuts down one printer, not the other.
    await client.call('gcode.run', { printerId: 'second-printer', script: 'M112' }).catch(() => undefined);
    await client.waitForEvent(
      (e) => e.event === 'printer.state' && JSON.stringify(e.payload).includes('"second-printer","state":"shutdown"'),
    );
    expect(await client.call('printer.status', { printerId: 'printer-1' })).toMatchObject({ ok: true, result: { state: 'ready' } });

    const restarted = await client.call('printers.restart', { printerId: 'second-printer' });
    expect(restarted).toMatchObject({ ok: true, result: { state: 'ready', message: 'Printer is ready' } });

    expect(await client.call('printers.add', { name: 'x', configPath: '/no/such/printer.cfg' })).toMatchObject({
      ok: false,
      error: { code: 'refused' },
    });
    expect(await client.call('printers.remove', { printerId: 'second-printer' })).toEqual({
      ok: true,
      result: { removed: 'second-printer' },
    });
    expect(await client.call('gcode.run', { printerId: 'second-printer', script: 'M118 x' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    client.close();
  });

  it('refuses a WebSocket from another web page (bad Origin)', async () => {
    expect(await refusedStatus(wsUrl, { Origin: 'http://evil.example' })).toBe(403);
    expect(await refusedStatus(wsUrl, { Origin: `http://localhost:${session.server.port + 1}` })).toBe(403);
  });

  it('refuses a Host header that is not this machine (DNS rebinding)', async () => {
    expect(
      await refusedStatus(wsUrl, { Host: `rebind.example:${session.server.port}`, Origin: `http://rebind.example:${session.server.port}` }),
    ).toBe(403);
  });
});

describe('serve mode bound beyond loopback', () => {
  it('refuses to start without a token, before starting any host', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tether-serve-'));
    await expect(startServeSession({ host: '0.0.0.0', port: 0, dataDir, uiDir, entryUrl })).rejects.toThrow(
      /Refusing to bind 0\.0\.0\.0 without a token/,
    );
    await expect(startServeSession({ host: '0.0.0.0', port: 0, dataDir, uiDir, entryUrl, token: 'short' })).rejects.toThrow(/token/);
    expect(existsSync(path.join(dataDir, 'printers.json'))).toBe(false);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('with a token, accepts only WebSockets that present it', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tether-serve-'));
    const token = 'correct-horse-battery-staple';
    const session = await startServeSession({ host: '0.0.0.0', port: 0, dataDir, uiDir, entryUrl, token, log: () => undefined });
    try {
      expect(session.server.url).toContain(`?token=${token}`);
      const base = `ws://127.0.0.1:${session.server.port}/api`;
      expect(await refusedStatus(base, {})).toBe(401);
      expect(await refusedStatus(`${base}?token=wrong-horse-battery-staple`, {})).toBe(401);
      const client = await TestClient.open(`${base}?token=${token}`);
      expect(await client.call('app.info')).toMatchObject({ ok: true });
      client.close();
    } finally {
      await session.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
