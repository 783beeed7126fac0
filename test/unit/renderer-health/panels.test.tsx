// @vitest-environment happy-dom
// The Printers, Health and Logs pages and the laptop-care banner in a DOM, over a scripted
// bridge: they call the API methods a user's clicks should call, show what comes back, and
// every string comes from the locales (English here; zh-CN completeness has its own test).
import { act, cleanup, configure, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiReply, HealthStats, McuHealth, TetherBridge } from '../../../src-main/api/contract';

// The machine may be busy (parallel test files): wait generously, never fail on timing alone.
configure({ asyncUtilTimeout: 10_000 });

const calls: [string, unknown][] = [];
const listeners = new Map<string, Set<(p: unknown) => void>>();
let cpuS = 1;
let timeMs = 1_000_000;
const mainMcu: McuHealth = {
  name: 'mcu', state: 'ready', shutdownReason: null, version: 'v0.1-tether-sim', buildVersions: 'gcc', awake: 0.012, taskAvgS: 1e-5, taskStddevS: 1e-6,
  bytesWrite: 4096, bytesRead: 8192, bytesRetransmit: 0, bytesInvalid: 0, retransmits: 0, sendSeq: 120, receiveSeq: 119, srttS: 0.0012, rttvarS: 0.0004,
  rtoS: 0.025, readyBytes: 0, upcomingBytes: 0, freqHz: 16000080, configuredFreqHz: 16e6, clockDriftPpm: 5, invalidMessages: 0,
};
/** Set by the two-MCU test: a toolboard after the main MCU (its retransmits grow every sample). */
let toolboard: (() => McuHealth) | null = null;
const healthSample = (): HealthStats => ({
  printerId: 'printer-1',
  timeMs: (timeMs += 1000),
  note: null,
  mcus: [mainMcu, ...(toolboard ? [toolboard()] : [])],
  mcu: mainMcu,
  host: { pid: 4242, rssBytes: 90e6, heapUsedBytes: 30e6, cpuUserS: (cpuS += 0.25), cpuSystemS: 0, uptimeS: 30, sysload: 0.4, memAvailBytes: 4e9 },
});
const printers = [
  { id: 'printer-1', name: 'Bench Printer', configPath: '/data/printer.cfg', state: 'ready', stateMessage: 'Printer is ready' },
  { id: 'voron', name: 'Voron', configPath: null, state: 'error', stateMessage: 'Config file missing' },
];
const results: Record<string, (params: unknown) => unknown> = {
  'app.info': () => ({ appVersion: '9.9.9', mode: 'serve', platform: 'linux', dataDir: '/data' }),
  'printers.list': () => printers,
  'config.samples': () => [{ id: 'printers/tether-sim.cfg', name: 'tether-sim', description: 'Simulated printer' }],
  'ports.list': () => ({ ports: [{ path: '/dev/ttyACM0', byId: '/dev/serial/by-id/usb-Tether_0' }], printerPorts: {} }),
  'config.newPrinter': (p) => ({ id: 'new-one', name: (p as { name: string }).name, configPath: '/data/configs/new.cfg', state: 'starting', stateMessage: '' }),
  'printers.remove': (p) => ({ removed: (p as { printerId: string }).printerId }),
  'health.stats': () => healthSample(),
  'logs.read': () => ({
    path: '/data/printers/printer-1/host.log',
    truncated: false,
    lines: [
      { time: '2026-11-26T10:00:00.000Z', level: 'info', text: 'state ready: Printer is ready' },
      { time: '2026-11-26T10:00:01.000Z', level: 'debug', text: 'raw: ok 123' },
      { time: '2026-11-26T10:00:02.000Z', level: 'error', text: 'error: Lost communication with MCU' },
    ],
  }),
  'diagnostics.export': () => ({ fileName: 'tether-diagnostics-x.tar.gz', entries: ['README.txt', 'versions.json'], bytes: 4, savedPath: null, archiveBase64: 'H4sIAAAAAAAAAwMAAAAAAAAAAAA=' }),
  'app.power': () => ({ supported: true, onBattery: true, keepingAwake: true, printing: ['printer-1'] }),
};
const bridge: TetherBridge = {
  async call(method, params): Promise<ApiReply> {
    calls.push([method, params]);
    return method in results ? { ok: true, result: results[method](params) } : { ok: false, error: { code: 'bad_request', message: method } };
  },
  on(event, listener) {
    const set = listeners.get(event) ?? new Set();
    set.add(listener);
    listeners.set(event, set);
    return () => void set.delete(listener);
  },
};
const callsOf = (method: string) => calls.filter(([m]) => m === method).map(([, p]) => p);

beforeAll(async () => {
  window.tether = bridge;
  Object.defineProperty(navigator, 'languages', { value: ['en-US'], configurable: true });
  const { initI18n } = await import('../../../src-renderer/i18n');
  const { connectApi } = await import('../../../src-renderer/api');
  const { useConnection } = await import('../../../src-renderer/shell/connection-store');
  await initI18n();
  const client = connectApi();
  useConnection.getState().attach(client);
  useConnection.getState().selectPrinter('printer-1');
  await waitFor(() => expect(useConnection.getState().printers).toHaveLength(2));
});
afterEach(cleanup);
// Adding a printer shows it; the other pages look at printer-1.
beforeEach(async () => {
  const { useConnection } = await import('../../../src-renderer/shell/connection-store');
  useConnection.getState().selectPrinter('printer-1');
});

describe('Printers page', () => {
  it('lists printers with state and config, adds one for a port, and removes only after confirming', async () => {
    const { PrintersPanel } = await import('../../../src-renderer/features/printers/PrintersPanel');
    render(<PrintersPanel />);
    const table = screen.getByTestId('printers-table');
    expect(within(table).getByText('Bench Printer')).toBeTruthy();
    expect(within(table).getByText('/data/printer.cfg')).toBeTruthy();
    expect(within(table).getByText('(no printer.cfg yet)')).toBeTruthy();
    expect(within(table).getByText('Config file missing')).toBeTruthy();

    fireEvent.click(screen.getByLabelText('For a serial port'));
    await waitFor(() => expect(screen.getByRole('option', { name: '/dev/serial/by-id/usb-Tether_0' })).toBeTruthy());
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Ender on USB' } });
    await waitFor(() => expect((screen.getByTestId('add-printer') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId('add-printer'));
    await waitFor(() => expect(callsOf('config.newPrinter')).toEqual([{ name: 'Ender on USB', sampleId: 'printers/tether-sim.cfg', serial: '/dev/serial/by-id/usb-Tether_0' }]));

    // Buttons stay disabled while the add is still busy: wait for it to finish before removing.
    await waitFor(() => expect((screen.getByRole('button', { name: 'Remove Voron' }) as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByRole('button', { name: 'Remove Voron' }));
    expect(callsOf('printers.remove')).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Yes, remove' }));
    await waitFor(() => expect(callsOf('printers.remove')).toEqual([{ printerId: 'voron' }]));
  });

  it('adds an existing printer.cfg by path (no Browse button outside the desktop app)', async () => {
    const { PrintersPanel } = await import('../../../src-renderer/features/printers/PrintersPanel');
    results['printers.add'] = (p) => ({ id: 'k', name: (p as { name: string }).name, configPath: (p as { configPath: string }).configPath, state: 'starting', stateMessage: '' });
    render(<PrintersPanel />);
    fireEvent.click(screen.getByLabelText('From an existing printer.cfg'));
    expect(screen.queryByRole('button', { name: 'Browse…' })).toBeNull();
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Klipper box' } });
    fireEvent.change(screen.getByLabelText('printer.cfg path'), { target: { value: '/home/pi/printer.cfg' } });
    fireEvent.click(screen.getByTestId('add-printer'));
    await waitFor(() => expect(callsOf('printers.add')).toEqual([{ name: 'Klipper box', configPath: '/home/pi/printer.cfg' }]));
  });
});

describe('Health page', () => {
  it('polls health.stats and shows MCU link figures, clock drift and host CPU with explanations', async () => {
    const { HealthPanel } = await import('../../../src-renderer/features/health/HealthPanel');
    render(<HealthPanel />);
    await waitFor(() => expect(screen.getByTestId('health-seq').textContent).toContain('120 / 119'));
    expect(screen.getByTestId('health-firmware').textContent).toContain('v0.1-tether-sim');
    expect(screen.getByTestId('health-drift').textContent).toContain('+5.0 ppm');
    expect(screen.getByTestId('health-retransmits').textContent).toContain('cable');
    // The second sample (a second later, 0.25 CPU-seconds more) gives the host's CPU share.
    await waitFor(() => expect(screen.getByTestId('health-hostCpu').textContent).toContain('25.0 %'), { timeout: 10_000 });
    expect(callsOf('health.stats').every((p) => (p as { printerId: string }).printerId === 'printer-1')).toBe(true);
  });

  it('shows one section per MCU under its config name, and names the MCU a finding is about', async () => {
    let retransmits = 0;
    toolboard = () => ({ ...mainMcu, name: 'mcu toolboard', version: 'v0.1-toolboard', sendSeq: 7, receiveSeq: 6, clockDriftPpm: -12, retransmits: (retransmits += 2) });
    try {
      const { HealthPanel } = await import('../../../src-renderer/features/health/HealthPanel');
      render(<HealthPanel />);
      const tb = await screen.findByTestId('health-mcu-mcu toolboard');
      const main = screen.getByTestId('health-mcu-mcu');
      expect(screen.getByRole('heading', { name: 'Micro-controller [mcu]' })).toBeTruthy();
      expect(within(tb).getByRole('heading', { name: 'Micro-controller [mcu toolboard]' })).toBeTruthy();
      // Main first, each with its own figures.
      expect(main.compareDocumentPosition(tb) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
      expect(within(main).getByTestId('health-seq').textContent).toContain('120 / 119');
      expect(within(tb).getByTestId('health-seq').textContent).toContain('7 / 6');
      expect(within(tb).getByTestId('health-firmware').textContent).toContain('v0.1-toolboard');
      expect(within(tb).getByTestId('health-drift').textContent).toContain('-12.0 ppm');
      // Heading ids stay unique with two sets of cards.
      const ids = [...document.querySelectorAll('[id^="health-"]')].map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      // The toolboard's growing retransmits are a finding under its name (second sample on).
      await waitFor(() => expect(screen.getByTestId('health-findings').textContent).toContain('[mcu toolboard] Blocks were retransmitted'), { timeout: 10_000 });
    } finally {
      toolboard = null;
    }
  });
});

describe('Logs page', () => {
  it('shows the host log by level, filters, and exports diagnostics as a download in serve mode', async () => {
    const created: Blob[] = [];
    URL.createObjectURL = vi.fn((b: Blob) => (created.push(b), 'blob:x'));
    URL.revokeObjectURL = vi.fn();
    const { LogsPanel } = await import('../../../src-renderer/features/logs/LogsPanel');
    render(<LogsPanel />);
    const out = screen.getByTestId('log-output');
    await waitFor(() => expect(out.textContent).toContain('Lost communication with MCU'));
    expect(out.textContent).not.toContain('raw: ok 123'); // debug hidden by default
    fireEvent.click(screen.getByTestId('log-level-debug'));
    expect(out.textContent).toContain('raw: ok 123');
    fireEvent.click(screen.getByTestId('log-level-error'));
    expect(out.textContent).not.toContain('Lost communication');
    fireEvent.change(screen.getByLabelText('Filter lines'), { target: { value: 'ready' } });
    expect(out.querySelectorAll('.log-line')).toHaveLength(1);

    fireEvent.click(screen.getByTestId('export-diagnostics'));
    await waitFor(() => expect(screen.getByTestId('export-result').textContent).toBe('Downloaded tether-diagnostics-x.tar.gz (2 files)'));
    expect(callsOf('diagnostics.export')).toEqual([{}]);
    expect(created).toHaveLength(1);
    expect(created[0].size).toBe(20);
  });
});

describe('laptop care banner', () => {
  it('warns on battery and says the computer is kept awake; hides when on AC and idle', async () => {
    const { PowerBanner } = await import('../../../src-renderer/shell/PowerBanner');
    render(<PowerBanner />);
    await waitFor(() => expect(screen.getByTestId('power-banner').textContent).toContain('Running on battery'));
    expect(screen.getByTestId('power-banner').textContent).toContain('Keeping the computer awake while 1 printer prints.');
    act(() => listeners.get('app.power')?.forEach((l) => l({ supported: true, onBattery: false, keepingAwake: false, printing: [] })));
    expect(screen.queryByTestId('power-banner')).toBeNull();
  });
});
