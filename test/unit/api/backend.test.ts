// The backend's event side: console lines batched per printer in bounded pieces, delivered
// before a state change that follows them, and printer-list changes passed on.
import { describe, expect, it, vi } from 'vitest';
import { createApiBackend, MAX_LINES_PER_EVENT } from '../../../src-main/api/backend';
import { apiEvents } from '../../../src-main/api/contract';
import { parse } from '../../../src-main/api/schema';
import { HardwareServices } from '../../../src-main/api/hardware';
import { PortWatcher } from '../../../src-main/ports';
import type { FleetListener, PrinterFleet } from '../../../src-main/host/worker/fleet';

function setup() {
  let listener: Partial<FleetListener> = {};
  const fleet = { listen: (l: Partial<FleetListener>) => ((listener = l), () => undefined) } as unknown as PrinterFleet;
  const backend = createApiBackend({
    fleet,
    appInfo: { appVersion: '0', mode: 'serve', platform: 'linux', dataDir: '/d' },
    hardware: new HardwareServices({ watcher: new PortWatcher({ list: async () => [], devDir: null }) }),
    consoleBatchMs: 10,
  });
  const events: [string, unknown][] = [];
  backend.subscribe((event, payload) => events.push([event, payload]));
  const line = (text: string) => ({ kind: 'raw' as const, text, timeMs: 0 });
  return { fleet: () => listener, events, line, backend };
}

describe('API backend events', () => {
  it('batches console lines per printer within the batch window', async () => {
    vi.useFakeTimers();
    const s = setup();
    s.fleet().console?.('a', s.line('1'));
    s.fleet().console?.('b', s.line('x'));
    s.fleet().console?.('a', s.line('2'));
    expect(s.events).toEqual([]);
    vi.advanceTimersByTime(10);
    expect(s.events).toEqual([
      ['console.lines', { printerId: 'a', lines: [s.line('1'), s.line('2')] }],
      ['console.lines', { printerId: 'b', lines: [s.line('x')] }],
    ]);
    vi.useRealTimers();
    s.backend.close();
  });

  it('sends a flood in bounded pieces and delivers lines before the state change that follows', () => {
    vi.useFakeTimers();
    const s = setup();
    for (let i = 0; i < MAX_LINES_PER_EVENT + 3; i++) s.fleet().console?.('a', s.line(String(i)));
    expect(s.events).toHaveLength(1);
    expect((s.events[0][1] as { lines: unknown[] }).lines).toHaveLength(MAX_LINES_PER_EVENT);
    s.fleet().state?.('a', 'shutdown', 'Shutdown due to M112 command');
    expect(s.events.map(([e]) => e)).toEqual(['console.lines', 'console.lines', 'printer.state']);
    expect((s.events[1][1] as { lines: unknown[] }).lines).toHaveLength(3);
    s.fleet().changed?.([]);
    expect(s.events.at(-1)).toEqual(['printers.changed', { printers: [] }]);
    vi.useRealTimers();
    s.backend.close();
  });

  it('passes a host status delta on as a status.delta event that matches its schema', () => {
    const s = setup();
    s.fleet().status?.('a', 12.5, { toolhead: { position: [20, 10, 5, 0] } });
    expect(s.events).toEqual([['status.delta', { printerId: 'a', eventtime: 12.5, status: { toolhead: { position: [20, 10, 5, 0] } } }]]);
    expect(parse(apiEvents['status.delta'], s.events[0][1]).ok).toBe(true);
    s.backend.close();
  });
});
