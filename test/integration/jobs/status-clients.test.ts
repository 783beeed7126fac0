// Status subscriptions are per client in serve mode: two WebSocket clients subscribe to
// different fields of the sim printer; each gets only its own fields, and one client's
// unsubscribe does not stop the other's deltas.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiReply, StatusSnapshot } from '../../../src-main/api/contract';
import { startSimPrinter, type SimPrinter } from '../../../src-main/host/sim/launch';
import { startServeSession, type ServeSession } from '../../../src-main/server/serve-command';
import { repoRoot } from '../../support/paths';
import { snapshotUi } from '../serve/ui-snapshot';
import { TestClient } from '../serve/ws-client';

const entryUrl = pathToFileURL(path.join(repoRoot, 'src-main/cli.ts')).href;
const PRINTER = 'printer-1';

function result<T>(reply: ApiReply): T {
  if (!reply.ok) throw new Error(`call failed: ${reply.error.code}: ${reply.error.message}`);
  return reply.result as T;
}

type Delta = { printerId: string; status: StatusSnapshot };
const xOf = (e: { event: string; payload: unknown }) =>
  e.event === 'status.delta' ? ((e.payload as Delta).status.toolhead?.position as number[] | undefined)?.[0] : undefined;

describe('per-client status subscriptions (serve mode, sim printer)', () => {
  let sim: SimPrinter | null = null;
  let session: ServeSession | null = null;
  let ui: { dir: string; remove(): void } | null = null;
  let a: TestClient;
  let b: TestClient;

  beforeAll(async () => {
    ui = await snapshotUi();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tether-status-clients-'));
    const simDir = path.join(dir, 'sim');
    mkdirSync(simDir, { recursive: true });
    const configPath = path.join(dir, 'printer.cfg');
    const template = readFileSync(path.join(repoRoot, 'resources/printers/tether-sim.cfg'), 'utf8');
    writeFileSync(configPath, template.replace(/^serial: .*$/m, `serial: ${path.join(simDir, 'tty')}`));
    sim = await startSimPrinter({ configPath, dataDir: simDir });
    session = await startServeSession({
      port: 0,
      dataDir: path.join(dir, 'data'),
      uiDir: ui.dir,
      entryUrl,
      configPath,
      log: () => undefined,
    });
    a = await TestClient.open(`ws://127.0.0.1:${session.server.port}/api`);
    b = await TestClient.open(`ws://127.0.0.1:${session.server.port}/api`);
    for (let i = 0; i < 300; i++) {
      if (result<{ state: string }>(await a.call('printer.status', { printerId: PRINTER })).state === 'ready') return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 60_000);

  afterAll(async () => {
    a?.close();
    b?.close();
    await session?.stop();
    await sim?.stop();
    ui?.remove();
  });

  it("one client's unsubscribe leaves the other's deltas running, each with its own fields", async () => {
    const subA = result<{ status: StatusSnapshot }>(
      await a.call('status.subscribe', { printerId: PRINTER, objects: { toolhead: ['position'] } }),
    );
    expect(Object.keys(subA.status)).toEqual(['toolhead']);
    expect(Object.keys(subA.status.toolhead)).toEqual(['position']);
    const subB = result<{ status: StatusSnapshot }>(
      await b.call('status.subscribe', { printerId: PRINTER, objects: { toolhead: ['position', 'max_velocity'], print_stats: ['state'] } }),
    );
    expect(subB.status).toMatchObject({ toolhead: { max_velocity: 300 }, print_stats: { state: 'standby' } });

    const fromA = a.events.length;
    const fromB = b.events.length;
    result(await a.call('gcode.run', { printerId: PRINTER, script: 'SET_KINEMATIC_POSITION X=10 Y=10 Z=5\nG1 X20 F3000\nM400' }));
    await a.waitForEvent((e) => a.events.indexOf(e) >= fromA && xOf(e) === 20);
    const deltaB = (await b.waitForEvent((e) => b.events.indexOf(e) >= fromB && xOf(e) === 20)) as Delta;
    // Only B's fields, and only the changed ones.
    expect(Object.keys(deltaB.status.toolhead)).toEqual(['position']);
    expect(a.events.slice(fromA).some((e) => e.event === 'status.delta' && 'print_stats' in (e.payload as Delta).status)).toBe(false);

    expect(result(await a.call('status.unsubscribe', { printerId: PRINTER }))).toEqual({ unsubscribed: true });
    const afterA = a.events.length;
    const afterB = b.events.length;
    result(await b.call('gcode.run', { printerId: PRINTER, script: 'G1 X30 F3000\nM400' }));
    await b.waitForEvent((e) => b.events.indexOf(e) >= afterB && xOf(e) === 30);
    await new Promise((r) => setTimeout(r, 600));
    expect(a.events.slice(afterA).filter((e) => e.event === 'status.delta')).toEqual([]);

    // B leaving (socket closed) and A subscribing again: A's deltas come back.
    b.close();
    await new Promise((r) => setTimeout(r, 200));
    result(await a.call('status.subscribe', { printerId: PRINTER, objects: { toolhead: ['position'] } }));
    const again = a.events.length;
    result(await a.call('gcode.run', { printerId: PRINTER, script: 'G1 X40 F3000\nM400' }));
    await a.waitForEvent((e) => a.events.indexOf(e) >= again && xOf(e) === 40);
  }, 60_000);
});
