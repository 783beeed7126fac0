// Serve mode on the sim printer for API tests: a temp folder with a copy of the default sim
// printer.cfg (its serial pointed at a fresh sim pty, plus `extraConfig`), the sim process, a
// serve session on a free port, and `printer-1` waited ready. stop() undoes all of it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ApiReply } from '../../../src-main/api/contract';
import { startSimPrinter } from '../../../src-main/host/sim/launch';
import { startServeSession, type ServeSession } from '../../../src-main/server/serve-command';
import { repoRoot } from '../../support/paths';
import { snapshotUi } from './ui-snapshot';
import { TestClient } from './ws-client';

const entryUrl = pathToFileURL(path.join(repoRoot, 'src-main/cli.ts')).href;

export const SIM_PRINTER_ID = 'printer-1';

export function result<T>(reply: ApiReply): T {
  if (!reply.ok) throw new Error(`call failed: ${reply.error.code}: ${reply.error.message}`);
  return reply.result as T;
}

export interface SimServeSession {
  dir: string;
  session: ServeSession;
  /** Opens one more WebSocket client on the session's /api. */
  openClient(): Promise<TestClient>;
  stop(): Promise<void>;
}

export async function startSimServeSession(o: { prefix: string; extraConfig?: string }): Promise<SimServeSession> {
  const ui = await snapshotUi();
  const dir = mkdtempSync(path.join(os.tmpdir(), o.prefix));
  const simDir = path.join(dir, 'sim');
  mkdirSync(simDir, { recursive: true });
  const configPath = path.join(dir, 'printer.cfg');
  const template = readFileSync(path.join(repoRoot, 'resources/printers/tether-sim.cfg'), 'utf8');
  writeFileSync(configPath, `${template.replace(/^serial: .*$/m, `serial: ${path.join(simDir, 'tty')}`)}\n${o.extraConfig ?? ''}`);
  const sim = await startSimPrinter({ configPath, dataDir: simDir });
  const session = await startServeSession({
    port: 0,
    dataDir: path.join(dir, 'data'),
    uiDir: ui.dir,
    entryUrl,
    configPath,
    log: () => undefined,
  });
  const clients: TestClient[] = [];
  const openClient = async () => {
    const client = await TestClient.open(`ws://127.0.0.1:${session.server.port}/api`);
    clients.push(client);
    return client;
  };
  const stop = async () => {
    for (const c of clients) c.close();
    await session.stop();
    await sim.stop();
    ui.remove();
    rmSync(dir, { recursive: true, force: true });
  };
  // The MCU connects in the background: wait for ready.
  const probe = await openClient();
  for (let i = 0; i < 300; i++) {
    if (result<{ state: string }>(await probe.call('printer.status', { printerId: SIM_PRINTER_ID })).state === 'ready') {
      return { dir, session, openClient, stop };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`${SIM_PRINTER_ID} did not become ready within 30 s`);
}
