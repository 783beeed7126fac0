// @vitest-environment happy-dom
// The renderer shell in a DOM with a scripted `window.tether` (the Electron carrier): the API
// client picks the preload bridge, the shell shows printers and state from it, the console
// sends through it and shows pushed lines, placeholders say what is coming, language switches.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiReply, TetherBridge } from '../../../src-main/api/contract';
import type { Shell as ShellComponent } from '../../../src-renderer/shell/Shell';

const calls: [string, unknown][] = [];
const listeners = new Map<string, Set<(p: unknown) => void>>();
const results: Record<string, unknown> = {
  'app.info': { appVersion: '9.9.9', mode: 'electron', platform: 'linux', dataDir: '/data' },
  'printers.list': [{ id: 'printer-1', name: 'Bench Printer', configPath: null, state: 'ready', stateMessage: 'Printer is ready' }],
  'gcode.run': { done: true },
  'gcode.commands': [{ name: 'HELP', help: '' }],
  'host.info': {
    printerId: 'printer-1',
    hostVersion: '0.1.0',
    configPath: null,
    state: 'ready',
    stateMessage: 'Printer is ready',
    logPath: '/data/host.log',
  },
};
const bridge: TetherBridge = {
  async call(method, params): Promise<ApiReply> {
    calls.push([method, params]);
    return method in results ? { ok: true, result: results[method] } : { ok: false, error: { code: 'bad_request', message: method } };
  },
  on(event, listener) {
    const set = listeners.get(event) ?? new Set();
    set.add(listener);
    listeners.set(event, set);
    return () => void set.delete(listener);
  },
};
const push = (event: string, payload: unknown) => act(() => listeners.get(event)?.forEach((l) => l(payload)));

let Shell: typeof ShellComponent;

beforeAll(async () => {
  window.tether = bridge;
  Object.defineProperty(navigator, 'languages', { value: ['en-US'], configurable: true });
  const { initI18n } = await import('../../../src-renderer/i18n');
  const { connectApi } = await import('../../../src-renderer/api');
  const { useConnection } = await import('../../../src-renderer/shell/connection-store');
  const { attachConsole } = await import('../../../src-renderer/features/console/store');
  await initI18n();
  const client = connectApi();
  useConnection.getState().attach(client);
  attachConsole(client);
  ({ Shell } = await import('../../../src-renderer/shell/Shell'));
});
afterAll(cleanup);

describe('renderer shell over the preload bridge', () => {
  it('shows the navigation, the printer and its state from the API', async () => {
    render(<Shell />);
    expect(within(screen.getByRole('navigation')).getAllByRole('link').map((a) => a.textContent)).toEqual(['Dashboard', 'Console', 'Config', 'Preview', 'Ports', 'Flash', 'Printers', 'Health', 'Logs', 'Bed mesh']);
    await waitFor(() => expect(screen.getByTestId('connection').textContent).toBe('Connected (app)'));
    await waitFor(() => expect(screen.getByTestId('state-message').textContent).toBe('Printer is ready'));
    expect(screen.getByRole('option', { name: 'Bench Printer' })).toBeTruthy();
    push('printer.state', { printerId: 'printer-1', state: 'shutdown', message: 'Shutdown due to M112 command' });
    await waitFor(() => expect(screen.getByTestId('state-message').textContent).toBe('Shutdown due to M112 command'));
    push('printer.state', { printerId: 'printer-1', state: 'ready', message: 'Printer is ready' });
  });

  it('sends console commands through window.tether and shows pushed lines', async () => {
    await act(async () => {
      window.location.hash = '#/console';
      window.dispatchEvent(new Event('hashchange'));
    });
    const input = (await screen.findByTestId('console-input')) as HTMLInputElement;
    await waitFor(() => expect(input.disabled).toBe(false));
    fireEvent.change(input, { target: { value: 'M118 hi' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(calls).toContainEqual(['gcode.run', { printerId: 'printer-1', script: 'M118 hi' }]));
    push('console.lines', { printerId: 'printer-1', lines: [{ kind: 'raw', text: 'echo: hi', timeMs: Date.now() }] });
    await waitFor(() => expect(screen.getByTestId('console-output').textContent).toContain('echo: hi'));
    fireEvent.keyDown(input, { key: 'ArrowUp' });
    expect(input.value).toBe('M118 hi');
  });

  it('mounts the Flash wizard on its route, and switches language', async () => {
    await act(async () => {
      window.location.hash = '#/flash';
      window.dispatchEvent(new Event('hashchange'));
    });
    await waitFor(() => expect(screen.getAllByText('Flash firmware').length).toBeGreaterThan(0));
    fireEvent.change(screen.getByLabelText('Language'), { target: { value: 'zh-CN' } });
    await waitFor(() => expect(screen.getAllByRole('link').map((a) => a.textContent)).toContain('控制台'));
    expect(document.documentElement.lang).toBe('zh-CN');
  });
});
