// health.stats and the diagnostics' mcu-stats.json list every MCU: [mcu] first, then each
// [mcu NAME], under Klipper's object names. First from status snapshots, then from a live host
// with two sim MCUs (test/integration/live/multi-mcu-printer.ts), sampled the way
// health.stats samples a host thread (its status.objects, status.query and host.process ops).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerOp, WorkerOps } from '../../../src-main/host/worker/messages';
import { healthOf, mcuHealthsOf, type HealthSource } from '../../../src-main/api/diagnostics';
import { hostProcessHealth } from '../../../src-main/host/diagnostics/health';
import { listStatusObjects, queryStatus } from '../../../src-main/host/status/status';
import { startMultiMcuPrinter, type MultiMcuPrinter } from '../../integration/live/multi-mcu-printer';

const mcuStatus = (name: string, sendSeq: number, version: string) => ({
  name,
  state: 'ready',
  mcuVersion: version,
  mcuConstants: { CLOCK_FREQ: 50_000_000 },
  lastStats: { sendSeq, receiveSeq: sendSeq - 1, bytesRead: 10 * sendSeq, freq: 50_000_100, clockDriftPpm: 2 },
});

describe('mcuHealthsOf', () => {
  it('keeps every MCU object, the main one first, each under its object name', () => {
    const mcus = mcuHealthsOf({
      'mcu toolboard': mcuStatus('toolboard', 7, 'v-tb'),
      heater_bed: { temperature: 60 },
      mcu: mcuStatus('mcu', 120, 'v-main'),
      'mcu rpi': mcuStatus('rpi', 3, 'v-rpi'),
      mcuish: mcuStatus('x', 1, 'x'),
    });
    expect(mcus.map((m) => m.name)).toEqual(['mcu', 'mcu toolboard', 'mcu rpi']);
    expect(mcus.map((m) => [m.sendSeq, m.receiveSeq, m.version])).toEqual([
      [120, 119, 'v-main'],
      [7, 6, 'v-tb'],
      [3, 2, 'v-rpi'],
    ]);
    expect(mcus[1]).toMatchObject({ freqHz: 50_000_100, configuredFreqHz: 50_000_000, bytesRead: 70 });
    expect(mcuHealthsOf({ toolhead: {} })).toEqual([]);
  });
});

describe('health.stats with a toolboard', () => {
  let p: MultiMcuPrinter;
  /** The host's worker ops answered in this process by the same functions the worker calls. */
  let source: HealthSource;
  beforeAll(async () => {
    p = await startMultiMcuPrinter('health-mcus');
    const ops: { [K in WorkerOp]?: (args: WorkerOps[K]['args']) => WorkerOps[K]['result'] } = {
      'status.objects': () => listStatusObjects(p.host.printer),
      'status.query': ({ objects }) => ({ eventtime: 0, status: queryStatus(p.host.printer, objects) }),
      'host.process': () => hostProcessHealth(),
    };
    source = {
      running: true,
      stateMessage: p.host.printer.stateMessage,
      call: async (op, args) => {
        const f = ops[op] as ((a: typeof args) => WorkerOps[typeof op]['result']) | undefined;
        if (!f) throw new Error(`health.stats should not need ${op}`);
        return f(args);
      },
    };
  }, 60_000);
  afterAll(async () => p?.stop(), 30_000);

  it('samples both links: the main MCU first (also as `mcu`), then the toolboard with its own figures', async () => {
    await p.run('M105'); // some traffic on the main link
    const h = await healthOf('multi', source);
    expect(h.note).toBeNull();
    expect(h.mcus.map((m) => m.name)).toEqual(['mcu', 'mcu toolboard']);
    expect(h.mcu).toEqual(h.mcus[0]);
    for (const m of h.mcus) {
      expect(m.state, m.name).toBe('ready');
      expect(m.version, m.name).not.toBe('');
      expect(m.sendSeq, m.name).toBeGreaterThan(0);
      expect(m.bytesRead, m.name).toBeGreaterThan(0);
      expect(m.configuredFreqHz, m.name).toBeGreaterThan(0);
    }
    // Two separate links: their counters are their own (the sims started apart and carry different config).
    const [main, tb] = h.mcus;
    expect([main.sendSeq, main.bytesWrite]).not.toEqual([tb.sendSeq, tb.bytesWrite]);
    // mcu-stats.json is this sample as JSON: both MCUs survive the round trip.
    expect((JSON.parse(JSON.stringify(h)) as typeof h).mcus.map((m) => m.name)).toEqual(['mcu', 'mcu toolboard']);
  });
});
