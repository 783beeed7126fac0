// The Electron shell with `electron` mocked (no Electron binary can run here): the window's
// security settings, the navigation lockdown, the CSP, the preload's single object, and the IPC
// gate that lets only validated calls from our own page reach the host.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiHandlers } from '../../../src-main/api/dispatch';
import { repoRoot } from '../../support/paths';

type Listener = (...args: unknown[]) => unknown;

const electron = vi.hoisted(() => {
  class FakeWebContents {
    listeners = new Map<string, Listener[]>();
    windowOpenHandler: ((d: { url: string }) => { action: string }) | null = null;
    sent: unknown[][] = [];
    on(event: string, fn: Listener) {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]);
      return this;
    }
    once(event: string, fn: Listener) {
      return this.on(event, fn);
    }
    emit(event: string, ...args: unknown[]) {
      for (const fn of this.listeners.get(event) ?? []) fn(...args);
    }
    setWindowOpenHandler(fn: (d: { url: string }) => { action: string }) {
      this.windowOpenHandler = fn;
    }
    send(...args: unknown[]) {
      this.sent.push(args);
    }
    isDestroyed() {
      return false;
    }
  }
  const windows: { options: Record<string, unknown>; loaded: string | null }[] = [];
  class BrowserWindow {
    webContents = new FakeWebContents();
    record: { options: Record<string, unknown>; loaded: string | null };
    constructor(options: Record<string, unknown>) {
      this.record = { options, loaded: null };
      windows.push(this.record);
    }
    once() {}
    on() {}
    show() {}
    loadFile(file: string) {
      this.record.loaded = file;
      return Promise.resolve();
    }
  }
  const headerHooks: Listener[] = [];
  const permissionHooks: Listener[] = [];
  const handlers = new Map<string, Listener>();
  const exposed: Record<string, unknown> = {};
  const rendererListeners = new Map<string, Listener[]>();
  return {
    windows,
    headerHooks,
    permissionHooks,
    handlers,
    exposed,
    rendererListeners,
    FakeWebContents,
    module: {
      BrowserWindow,
      shell: { openExternal: vi.fn(() => Promise.resolve()) },
      session: {
        defaultSession: {
          webRequest: { onHeadersReceived: (fn: Listener) => headerHooks.push(fn) },
          setPermissionRequestHandler: (fn: Listener) => permissionHooks.push(fn),
        },
      },
      ipcMain: {
        handle: (channel: string, fn: Listener) => handlers.set(channel, fn),
        removeHandler: (channel: string) => handlers.delete(channel),
      },
      contextBridge: { exposeInMainWorld: vi.fn((key: string, api: unknown) => (exposed[key] = api)) },
      ipcRenderer: {
        invoke: vi.fn((...args: unknown[]) => Promise.resolve({ ok: true, result: args })),
        on: (channel: string, fn: Listener) => rendererListeners.set(channel, [...(rendererListeners.get(channel) ?? []), fn]),
        removeListener: (channel: string, fn: Listener) =>
          rendererListeners.set(
            channel,
            (rendererListeners.get(channel) ?? []).filter((f) => f !== fn),
          ),
      },
    },
  };
});

vi.mock('electron', () => ({ ...electron.module, default: electron.module }));

const { applySessionPolicy, createMainWindow, WINDOW_WEB_PREFERENCES } = await import('../../../src-main/app/window');
const { wireIpc, isAppPage, IPC_CALL, IPC_EVENT } = await import('../../../src-main/app/ipc');
const { CONTENT_SECURITY_POLICY } = await import('../../../src-main/app/security');

describe('main window', () => {
  beforeEach(() => {
    electron.windows.length = 0;
  });

  it('is created sandboxed, context-isolated, without Node, loading our own file', () => {
    const log = vi.fn();
    createMainWindow({ preloadPath: '/app/out/preload/preload.cjs', indexHtmlPath: '/app/out/renderer/index.html', log });
    const [win] = electron.windows;
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.preload).toBe('/app/out/preload/preload.cjs');
    expect(prefs).toMatchObject(WINDOW_WEB_PREFERENCES);
    expect(win.loaded).toBe('/app/out/renderer/index.html');
  });

  it('denies navigation away, redirects, webviews and new windows', () => {
    const log = vi.fn();
    const w = createMainWindow({ preloadPath: '/p.cjs', indexHtmlPath: '/app/index.html', log });
    const wc = w.webContents as unknown as InstanceType<typeof electron.FakeWebContents>;
    const nav = { preventDefault: vi.fn() };
    wc.emit('will-navigate', nav, 'https://evil.example/');
    expect(nav.preventDefault).toHaveBeenCalled();
    const reload = { preventDefault: vi.fn() };
    wc.emit('will-navigate', reload, 'file:///app/index.html');
    expect(reload.preventDefault).not.toHaveBeenCalled();
    const redirect = { preventDefault: vi.fn() };
    wc.emit('will-redirect', redirect, 'https://evil.example/');
    expect(redirect.preventDefault).toHaveBeenCalled();
    const webview = { preventDefault: vi.fn() };
    wc.emit('will-attach-webview', webview);
    expect(webview.preventDefault).toHaveBeenCalled();
    expect(wc.windowOpenHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(wc.windowOpenHandler?.({ url: 'https://www.klipper3d.org/' })).toEqual({ action: 'deny' });
    expect(electron.module.shell.openExternal).toHaveBeenCalledWith('https://www.klipper3d.org/');
    expect(electron.module.shell.openExternal).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenCalledWith('blocked navigation to https://evil.example/');
  });

  it('sets the strict CSP on every response and denies permission requests', () => {
    applySessionPolicy();
    const callback = vi.fn();
    electron.headerHooks[0]({ responseHeaders: { 'X-Other': ['1'] } }, callback);
    expect(callback).toHaveBeenCalledWith({ responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(inline|eval)|https?:/);
    const permission = vi.fn();
    electron.permissionHooks[0](null, 'media', permission);
    expect(permission).toHaveBeenCalledWith(false);
  });

  it('uses the same CSP in index.html (file:// pages get no response headers)', () => {
    const html = readFileSync(path.join(repoRoot, 'src-renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    expect(meta?.[1]).toBe(CONTENT_SECURITY_POLICY);
  });
});

describe('preload', () => {
  it('exposes exactly one object, window.tether, with call and on', async () => {
    await import('../../../src-main/app/preload');
    expect(electron.module.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    expect(Object.keys(electron.exposed)).toEqual(['tether']);
    const bridge = electron.exposed.tether as { call: Listener; on: Listener };
    expect(Object.keys(bridge).sort()).toEqual(['call', 'on']);
    await bridge.call('app.info', {});
    expect(electron.module.ipcRenderer.invoke).toHaveBeenCalledWith(IPC_CALL, 'app.info', {});
    const got: unknown[] = [];
    const off = bridge.on('console.lines', (p: unknown) => got.push(p)) as () => void;
    for (const fn of electron.rendererListeners.get(IPC_EVENT) ?? []) {
      fn({}, 'printer.state', { a: 1 });
      fn({}, 'console.lines', { b: 2 });
    }
    expect(got).toEqual([{ b: 2 }]);
    off();
    expect(electron.rendererListeners.get(IPC_EVENT)).toEqual([]);
  });
});

describe('IPC wiring', () => {
  it('trusts only frames showing our own page, whatever the hash', () => {
    const app = 'file:///opt/Tether/resources/app.asar/out/renderer/index.html';
    expect(isAppPage(`${app}#/console`, app)).toBe(true);
    expect(isAppPage(app, app)).toBe(true);
    expect(isAppPage('file:///tmp/evil.html', app)).toBe(false);
    expect(isAppPage('https://evil.example/out/renderer/index.html', app)).toBe(false);
    expect(isAppPage('about:blank', app)).toBe(false);
    expect(isAppPage(undefined, app)).toBe(false);
  });

  function setup() {
    const calls: string[] = [];
    const handlers = new Proxy({} as ApiHandlers, {
      get: (_t, name: string) => async (params: unknown) => {
        calls.push(`${name} ${JSON.stringify(params)}`);
        return name === 'status.subscribe' ? { eventtime: 0, status: {} } : { echoed: params };
      },
    });
    const pushes = new Set<(event: string, payload: unknown) => void>();
    const target = new electron.FakeWebContents();
    const trusted = new electron.FakeWebContents();
    const otherWindow = new electron.FakeWebContents();
    const log = vi.fn();
    const unwire = wireIpc({
      ipcMain: electron.module.ipcMain as never,
      backend: {
        handlers,
        subscribe: (l) => {
          pushes.add(l as never);
          return () => pushes.delete(l as never);
        },
      },
      isTrustedSender: (e) => e.sender === (trusted as never) || e.sender === (otherWindow as never),
      targets: () => [target as never],
      log,
    });
    const handle = electron.handlers.get(IPC_CALL)!;
    const invoke = (method: unknown, params: unknown, sender: unknown = trusted) =>
      handle({ sender, senderFrame: { url: 'file:///x' } }, method, params) as Promise<unknown>;
    const push = (e: string, p: unknown) => {
      for (const l of pushes) l(e, p);
    };
    return { calls, log, invoke, target, trusted, otherWindow, unwire, push, hasPush: () => pushes.size > 0 };
  }

  it('passes a valid call from our window to the host', async () => {
    const s = setup();
    expect(await s.invoke('gcode.run', { printerId: 'printer-1', script: 'M118 hi' })).toEqual({
      ok: true,
      result: { echoed: { printerId: 'printer-1', script: 'M118 hi' } },
    });
    expect(s.calls).toEqual(['gcode.run {"printerId":"printer-1","script":"M118 hi"}']);
  });

  it('answers malformed calls with an error reply and a log line, never reaching the host or throwing', async () => {
    const s = setup();
    const bad: [unknown, unknown][] = [
      ['gcode.run', { printerId: 'printer-1' }],
      ['gcode.run', { printerId: 'printer-1', script: 'M105', shell: 'rm -rf /' }],
      ['gcode.run', 'M105'],
      ['app.quit', {}],
      [{ method: 'app.info' }, {}],
      [undefined, undefined],
    ];
    for (const [method, params] of bad) {
      const reply = (await s.invoke(method, params)) as { ok: boolean; error?: { code: string } };
      expect(reply.ok).toBe(false);
      expect(reply.error?.code).toBe('bad_request');
    }
    expect(s.calls).toEqual([]);
    expect(s.log).toHaveBeenCalledTimes(bad.length);
  });

  it('refuses calls from any other frame or window', async () => {
    const s = setup();
    const reply = (await s.invoke('app.info', {}, new electron.FakeWebContents())) as { ok: boolean };
    expect(reply.ok).toBe(false);
    expect(s.calls).toEqual([]);
    expect(s.log.mock.calls[0][0]).toMatch(/untrusted frame/);
  });

  it('pushes API events to the window, and unwires cleanly', () => {
    const s = setup();
    s.push('printer.state', { printerId: 'p', state: 'ready', message: 'Printer is ready' });
    expect(s.target.sent).toEqual([[IPC_EVENT, 'printer.state', { printerId: 'p', state: 'ready', message: 'Printer is ready' }]]);
    s.unwire();
    expect(s.hasPush()).toBe(false);
    expect(electron.handlers.has(IPC_CALL)).toBe(false);
  });

  it('keeps status subscriptions per window: each gets its own fields, a closed window stops only its own', async () => {
    const s = setup();
    const sub = (sender: unknown, objects: unknown) => s.invoke('status.subscribe', { printerId: 'p', objects }, sender);
    await sub(s.trusted, { toolhead: ['position'] });
    await sub(s.otherWindow, { print_stats: ['state'] });
    // The host is subscribed to the union of both windows' fields.
    expect(s.calls.at(-1)).toBe('status.subscribe {"printerId":"p","objects":{"toolhead":["position"],"print_stats":["state"]}}');
    s.push('status.delta', { printerId: 'p', eventtime: 1, status: { toolhead: { position: [1, 2, 3, 0] }, print_stats: { state: 'printing' } } });
    const deltas = (wc: { sent: unknown[][] }) => wc.sent.filter((m) => m[1] === 'status.delta').map((m) => (m[2] as { status: unknown }).status);
    expect(deltas(s.trusted)).toEqual([{ toolhead: { position: [1, 2, 3, 0] } }]);
    expect(deltas(s.otherWindow)).toEqual([{ print_stats: { state: 'printing' } }]);
    // Status deltas are not broadcast to every window as other events are.
    expect(deltas(s.target)).toEqual([]);
    s.trusted.emit('destroyed');
    await new Promise((r) => setTimeout(r, 0));
    expect(s.calls.at(-1)).toBe('status.subscribe {"printerId":"p","objects":{"print_stats":["state"]}}');
    s.push('status.delta', { printerId: 'p', eventtime: 2, status: { toolhead: { position: [5, 2, 3, 0] }, print_stats: { state: 'paused' } } });
    expect(deltas(s.trusted)).toHaveLength(1);
    expect(deltas(s.otherWindow)).toEqual([{ print_stats: { state: 'printing' } }, { print_stats: { state: 'paused' } }]);
    s.unwire();
    expect(s.hasPush()).toBe(false);
  });
});
