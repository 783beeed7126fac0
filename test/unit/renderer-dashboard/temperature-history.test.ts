// The host's temperature history: fixed rings that keep the newest samples, incremental reads
// by time, sensors without a heater, and the sampler reading the printer's heaters object.
import { describe, expect, it, vi } from 'vitest';
import { Printer } from '../../../src-main/host/printer';
import {
  HISTORY_CAPACITY,
  HISTORY_PERIOD_MS,
  readTemperatures,
  TemperatureHistory,
  TemperatureRing,
} from '../../../src-main/host/status/temperature-history';
import { apiMethods } from '../../../src-main/api/contract';
import { parse } from '../../../src-main/api/schema';

describe('TemperatureRing', () => {
  it('keeps the newest `capacity` samples in order once it wraps', () => {
    const ring = new TemperatureRing(4);
    for (let i = 1; i <= 6; i++) ring.push(i * 1000, { temperatureC: 20 + i, targetC: 200, power: i / 10 });
    expect(ring.length).toBe(4);
    const all = ring.since();
    expect(all.timeMs).toEqual([3000, 4000, 5000, 6000]);
    expect(all.temperatureC).toEqual([23, 24, 25, 26]);
    expect(all.targetC).toEqual([200, 200, 200, 200]);
    expect(all.power).toEqual([0.3, 0.4, 0.5, 0.6]);
  });

  it('returns only samples newer than sinceMs, and null target/power for a plain sensor', () => {
    const ring = new TemperatureRing(10);
    for (let i = 1; i <= 5; i++) ring.push(i * 1000, { temperatureC: 30.25, targetC: null, power: null });
    const newer = ring.since(3000);
    expect(newer.timeMs).toEqual([4000, 5000]);
    expect(newer.temperatureC).toEqual([30.25, 30.25]);
    expect(newer.targetC).toEqual([null, null]);
    expect(newer.power).toEqual([null, null]);
    expect(ring.since(5000).timeMs).toEqual([]);
  });
});

describe('TemperatureHistory', () => {
  it('samples every sensor the reader reports into its own ring and answers by time', () => {
    let now = 10_000;
    let temp = 20;
    const h = new TemperatureHistory(
      () => ({
        extruder: { temperatureC: temp, targetC: 210, power: 1 },
        'temperature_sensor chamber': { temperatureC: 31, targetC: null, power: null },
      }),
      {
        capacity: 3,
        now: () => now,
      },
    );
    for (let i = 0; i < 5; i++) {
      h.sample();
      now += 1000;
      temp += 5;
    }
    const all = h.query();
    expect(all).toMatchObject({ periodMs: HISTORY_PERIOD_MS, capacity: 3, nowMs: 15_000 });
    expect(all.series.extruder.timeMs).toEqual([12_000, 13_000, 14_000]);
    expect(all.series.extruder.temperatureC).toEqual([30, 35, 40]);
    expect(all.series['temperature_sensor chamber'].targetC).toEqual([null, null, null]);
    expect(h.query(13_000).series.extruder.timeMs).toEqual([14_000]);
  });

  it('defaults to 20 minutes of 1 s samples', () => {
    expect((HISTORY_CAPACITY * HISTORY_PERIOD_MS) / 60_000).toBe(20);
  });

  it('start() samples at once and then on its period; stop() ends it', () => {
    vi.useFakeTimers();
    try {
      let reads = 0;
      const h = new TemperatureHistory(() => (reads++, { extruder: { temperatureC: 1, targetC: 0, power: 0 } }), { periodMs: 1000 });
      h.start();
      expect(reads).toBe(1);
      vi.advanceTimersByTime(3000);
      expect(reads).toBe(4);
      h.stop();
      vi.advanceTimersByTime(3000);
      expect(reads).toBe(4);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('readTemperatures', () => {
  function printerWith(state: 'starting' | 'ready'): Printer {
    const p = new Printer();
    const heater = { getStatus: () => ({ temperature: 201.5, target: 210, power: 0.42 }) };
    p.addObject('heaters', {
      heaters: new Map([['extruder', heater]]),
      getStatus: () => ({ available_heaters: ['extruder'], available_sensors: ['extruder', 'temperature_sensor board'] }),
    });
    p.addObject('extruder', {});
    p.addObject('temperature_sensor board', { getStatus: () => ({ temperature: 41.2 }) });
    if (state === 'ready') p.setState('ready', 'Printer is ready');
    return p;
  }

  it("reads every heater and sensor the 'heaters' object lists", () => {
    expect(readTemperatures(printerWith('ready'))).toEqual({
      extruder: { temperatureC: 201.5, targetC: 210, power: 0.42 },
      'temperature_sensor board': { temperatureC: 41.2, targetC: null, power: null },
    });
  });

  it('takes no samples while the printer is starting (its sensors would read 0 °C)', () => {
    expect(readTemperatures(printerWith('starting'))).toEqual({});
  });
});

describe('temperatures.history params', () => {
  const check = (p: unknown) => parse(apiMethods['temperatures.history'].params, p, 'params');
  it('takes a printer and an optional sinceMs, and refuses anything else', () => {
    expect(check({ printerId: 'printer-1' }).ok).toBe(true);
    expect(check({ printerId: 'printer-1', sinceMs: 1_764_000_000_000 }).ok).toBe(true);
    expect(check({ printerId: 'printer-1', sinceMs: -1 })).toEqual({ ok: false, error: 'params.sinceMs: must be >= 0' });
    expect(check({ printerId: 'printer-1', sinceMs: '5' })).toMatchObject({ ok: false });
    expect(check({ printerId: '../x' })).toMatchObject({ ok: false });
    expect(check({ printerId: 'printer-1', all: true })).toEqual({ ok: false, error: "params: unknown field 'all'" });
  });
});
