// What the health panel concludes from two samples (CPU %, rates, findings) and which log lines
// the log view keeps for a level/text filter.
import { describe, expect, it } from 'vitest';
import type { HealthStats, LogLine, McuHealth } from '../../../src-main/api/contract';
import { deriveHealth, formatBytes, LIMITS } from '../../../src-renderer/features/health/health-derive';
import { countLevels, filterLog } from '../../../src-renderer/features/logs/log-filter';

const mcu = (over: Partial<McuHealth> = {}): McuHealth => ({
  name: 'mcu', state: 'ready', shutdownReason: null, version: 'v1', buildVersions: '', awake: 0.01, taskAvgS: 1e-5, taskStddevS: 1e-6,
  bytesWrite: 1000, bytesRead: 2000, bytesRetransmit: 0, bytesInvalid: 0, retransmits: 0, sendSeq: 10, receiveSeq: 10, srttS: 0.001,
  rttvarS: 0.0005, rtoS: 0.025, readyBytes: 0, upcomingBytes: 0, freqHz: 16e6, configuredFreqHz: 16e6, clockDriftPpm: 3, invalidMessages: 0,
  ...over,
});
const sample = (timeMs: number, m: McuHealth | null, cpuS = 1, pid = 42, more: McuHealth[] = []): HealthStats => ({
  printerId: 'p', timeMs, mcus: [...(m ? [m] : []), ...more], mcu: m, note: null,
  host: { pid, rssBytes: 80e6, heapUsedBytes: 20e6, cpuUserS: cpuS, cpuSystemS: 0, uptimeS: 10, sysload: 0.5, memAvailBytes: 4e9 },
});

describe('deriveHealth', () => {
  it('needs two samples for rates, then gives CPU % of one core and bytes per second', () => {
    const first = deriveHealth(null, sample(0, mcu()));
    expect(first.hostCpuPercent).toBeNull();
    expect(first.bytesReadPerS).toBeNull();
    expect(first.findings).toEqual([]);
    const d = deriveHealth(sample(0, mcu()), sample(2000, mcu({ bytesRead: 4000, bytesWrite: 1500 }), 2.5));
    expect(d.hostCpuPercent).toBeCloseTo(75);
    expect(d.bytesReadPerS).toBe(1000);
    expect(d.bytesWritePerS).toBe(250);
  });

  it('points at the link when retransmits or invalid bytes grow, and at the load when busy', () => {
    const d = deriveHealth(
      sample(0, mcu({ retransmits: 3, bytesInvalid: 1 })),
      sample(1000, mcu({ retransmits: 5, bytesInvalid: 9, awake: 0.95, clockDriftPpm: -500, srttS: 0.2 }), 1.95),
    );
    expect(d.newRetransmits).toBe(2);
    expect(d.newInvalidBytes).toBe(8);
    expect(d.findings).toEqual(['retransmitting', 'invalidBytes', 'mcuBusy', 'clockDrift', 'slowLink', 'hostBusy']);
    // A steady count (old retransmits) is not a finding; a restarted host (new pid) gives no CPU figure.
    const calm = deriveHealth(sample(0, mcu({ retransmits: 5 })), sample(1000, mcu({ retransmits: 5 }), 50, 43));
    expect(calm.findings).toEqual([]);
    expect(calm.hostCpuPercent).toBeNull();
    expect(deriveHealth(null, sample(0, mcu({ state: 'shutdown', shutdownReason: 'Timer too close' }))).findings).toEqual(['mcuShutdown']);
    expect(LIMITS.mcuAwake).toBeLessThan(1);
  });

  it('gives each MCU its own rates and findings, matched by name, main first', () => {
    const tb = (over: Partial<McuHealth> = {}) => mcu({ name: 'mcu toolboard', bytesRead: 500, retransmits: 1, ...over });
    const d = deriveHealth(
      sample(0, mcu(), 1, 42, [tb()]),
      sample(2000, mcu({ bytesRead: 2400 }), 1, 42, [tb({ bytesRead: 1500, retransmits: 4, state: 'shutdown' })]),
    );
    expect(d.mcus.map((m) => m.name)).toEqual(['mcu', 'mcu toolboard']);
    expect(d.mcus[0]).toMatchObject({ bytesReadPerS: 200, newRetransmits: 0, findings: [] });
    expect(d.mcus[1]).toMatchObject({ bytesReadPerS: 500, newRetransmits: 3, findings: ['mcuShutdown', 'retransmitting'] });
    // The top-level figures stay the main MCU's: the toolboard's trouble is only under its name.
    expect(d.bytesReadPerS).toBe(200);
    expect(d.findings).toEqual([]);
    expect(d.hostFindings).toEqual([]);
    // A toolboard that appears only in the newer sample has no rates yet (nothing to compare).
    const added = deriveHealth(sample(0, mcu()), sample(1000, mcu(), 1, 42, [tb()]));
    expect(added.mcus[1]).toMatchObject({ name: 'mcu toolboard', bytesReadPerS: null, newRetransmits: 0 });
  });

  it('formats bytes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(80e6)).toBe('76.3 MiB');
  });
});

describe('log filter', () => {
  const lines: LogLine[] = [
    { time: 't1', level: 'info', text: 'state ready: Printer is ready' },
    { time: 't2', level: 'debug', text: 'raw: ok' },
    { time: 't3', level: 'error', text: 'error: Lost communication with MCU' },
    { time: 't4', level: 'warning', text: 'state shutdown: Lost communication with MCU' },
  ];
  it('keeps the chosen levels and matching text', () => {
    expect(filterLog(lines, new Set(['error', 'warning', 'info']), '').map((l) => l.time)).toEqual(['t1', 't3', 't4']);
    expect(filterLog(lines, new Set(['error', 'warning', 'info', 'debug']), 'LOST').map((l) => l.time)).toEqual(['t3', 't4']);
    expect(filterLog(lines, new Set(['error']), 'ready')).toEqual([]);
    expect(countLevels(lines)).toEqual({ error: 1, warning: 1, info: 1, debug: 1 });
  });
});
