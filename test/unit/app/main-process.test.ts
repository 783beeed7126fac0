// The whole Electron main process with `electron` mocked: startup creates the locked-down
// window and a real host in a worker thread, and the IPC channel carries a valid call all the
// way to that host while malformed or foreign calls stop at the gate. Quitting stops the host.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

type Listener = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  const state = {
    dataDir: '',
    appListeners: new Map<string, Listener[]>(),
    handlers: new Map<string, Listener>(),
    windows: [] as { webContents: { sent: unknown[][] }; options: Record<string, unknown> }[],
    quit: 0,
    blockers: [] as string[],
    quitDialogs: 0,
  };
  class BrowserWindow {
    webContents = {
      sent: [] as unknown[][],
      on() {},
      setWindowOpenHandler() {},
      send(...args: unknown[]) {
        this.sent.push(args);
      },
      isDestroyed: () => false,
    };
    constructor(readonly options: Record<string, unknown>) {
      state.windows.push(this);
    }
    once() {}
    on() {}
    focus() {}
    loadFile() {
      return Promise.resolve();
    }
  }
  const electron = {
    app: {
      requestSingleInstanceLock: () => true,
      getPath: (name: string) => (name === 'userData' ? state.dataDir : '/nonexistent'),
      whenReady: () => Promise.resolve(),
      on: (event: string, fn: Listener) => state.appListeners.set(event, [...(state.appListeners.get(event) ?? []), fn]),
      quit: () => void state.quit++,
      exit: () => undefined,
      getLocale: () => 'en-US',
    },
    powerSaveBlocker: { start: (type: string) => state.blockers.push(type), stop: () => undefined },
    powerMonitor: { isOnBatteryPower: () => false, on: () => undefined },
    dialog: {
      showMessageBoxSync: () => void state.quitDialogs++,
      showOpenDialog: () => Promise.resolve({ canceled: true, filePaths: [] }),
      showSaveDialog: () => Promise.resolve({ canceled: true }),
    },
    BrowserWindow,
    ipcMain: {
      handle: (channel: string, fn: Listener) => state.handlers.set(channel, fn),
      removeHandler: (channel: string) => state.handlers.delete(channel),
    },
    session: { defaultSession: { webRequest: { onHeadersReceived() {} }, setPermissionRequestHandler() {} } },
    shell: { openExternal: () => Promise.resolve() },
  };
  return { state, electron };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));

fake.state.dataDir = mkdtempSync(path.join(os.tmpdir(), 'tether-main-'));
// This test is about the shell's IPC gate, on a plain 'printer-1'; the simulated printer the
// app creates by default has its own test (test/integration/serve/default-printer.test.ts).
process.env.TETHER_SIM_PRINTER = '0';
afterAll(() => rmSync(fake.state.dataDir, { recursive: true, force: true }));

describe('Electron main process', () => {
  it('starts a host off the UI thread and lets only validated calls from our page reach it', async () => {
    await import('../../../src-main/app/main');
    await expect.poll(() => fake.state.windows.length).toBe(1);
    const win = fake.state.windows[0];
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    const preload = (win.options.webPreferences as { preload: string }).preload;
    expect(preload.endsWith(path.join('preload', 'preload.cjs'))).toBe(true);

    const handle = fake.state.handlers.get('tether:call')!;
    const appPage = `file://${path.resolve(path.dirname(preload), '../renderer/index.html')}#/console`;
    const call = (method: unknown, params: unknown, sender: unknown = win.webContents, url = appPage) =>
      handle({ sender, senderFrame: { url } }, method, params) as Promise<{ ok: boolean; result?: unknown; error?: { code: string } }>;

    await expect
      .poll(async () => ((await call('printer.status', { printerId: 'printer-1' })).result as { state?: string })?.state, {
        timeout: 30_000,
      })
      .toBe('ready');
    expect(await call('gcode.run', { printerId: 'printer-1', script: 'M118 through ipc' })).toEqual({ ok: true, result: { done: true } });
    await expect.poll(() => JSON.stringify(win.webContents.sent)).toContain('echo: through ipc');

    expect((await call('gcode.run', { printerId: 'printer-1', script: ['M112'] })).error?.code).toBe('bad_request');
    expect((await call('gcode.run', { printerId: 'printer-1', script: 'M112' }, {}, appPage)).error?.code).toBe('bad_request');
    expect(
      (await call('gcode.run', { printerId: 'printer-1', script: 'M112' }, win.webContents, 'https://evil.example/')).error?.code,
    ).toBe('bad_request');
    // None of the refused M112s reached the host: it is still ready.
    expect((await call('printer.status', { printerId: 'printer-1' })).result).toMatchObject({ state: 'ready' });
    const appLog = readFileSync(path.join(fake.state.dataDir, 'logs', 'app.log'), 'utf8');
    expect(appLog).toContain('ipc: refused gcode.run: params.script: expected string, got array');
    expect(appLog).toContain('untrusted frame https://evil.example/');

    // Laptop care is wired: the power state reaches the UI; nothing prints, so nothing is kept awake.
    expect(await call('app.power', {})).toEqual({ ok: true, result: { supported: true, onBattery: false, keepingAwake: false, printing: [] } });
    expect(fake.state.blockers).toEqual([]);

    // Quitting stops every host before the app really quits (no print: no warning dialog).
    const beforeQuit = fake.state.appListeners.get('before-quit')![0];
    const event = { preventDefault: vi.fn() };
    beforeQuit(event);
    expect(event.preventDefault).toHaveBeenCalled();
    await expect.poll(() => fake.state.quit, { timeout: 15_000 }).toBe(1);
    expect(fake.state.quitDialogs).toBe(0);
    expect(readFileSync(path.join(fake.state.dataDir, 'printers', 'printer-1', 'host.log'), 'utf8')).toContain('host stopped');
  });
});
