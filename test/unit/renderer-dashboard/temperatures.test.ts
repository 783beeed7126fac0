// Temperatures panel logic: rows from the status, target parsing and scripts, presets, the
// history merged as it is polled (and trimmed to the host's window), the graph's aligned data,
// and the store asking the host for only the samples it lacks.
import { describe, expect, it } from 'vitest';
import type { TemperatureHistoryReply } from '../../../src-main/api/contract';
import { emptyHistory, mergeHistory, plotData } from '../../../src-renderer/features/temperatures/history';
import {
  heaterParam,
  parseTarget,
  PRESETS,
  presetScript,
  sensorLabel,
  sensorRows,
  targetScript,
} from '../../../src-renderer/features/temperatures/model';
import { useTemperatures } from '../../../src-renderer/features/temperatures/store';
import { scriptedApi } from './scripted-api';

const status = {
  heaters: { available_heaters: ['extruder', 'heater_bed'], available_sensors: ['extruder', 'heater_bed', 'temperature_sensor chamber'] },
  extruder: { temperature: 205.3, target: 210, power: 0.55, can_extrude: true },
  heater_bed: { temperature: 59.9, target: 60, power: 0.2 },
  'temperature_sensor chamber': { temperature: 31.5 },
};

describe('sensor rows', () => {
  it('lists heaters (with target and power) then the other sensors (without)', () => {
    expect(sensorRows(status)).toEqual([
      { name: 'extruder', heater: true, temperatureC: 205.3, targetC: 210, power: 0.55 },
      { name: 'heater_bed', heater: true, temperatureC: 59.9, targetC: 60, power: 0.2 },
      { name: 'temperature_sensor chamber', heater: false, temperatureC: 31.5, targetC: null, power: null },
    ]);
  });
  it('shows nothing before the host reports its heaters, and a dash for a missing reading', () => {
    expect(sensorRows({})).toEqual([]);
    expect(sensorRows({ heaters: { available_heaters: ['extruder'], available_sensors: ['extruder'] } })[0].temperatureC).toBeNull();
  });
  it('labels known heaters by key and others by their own name', () => {
    expect(sensorLabel('extruder')).toEqual({ key: 'extruder' });
    expect(sensorLabel('heater_bed')).toEqual({ key: 'heater_bed' });
    expect(sensorLabel('extruder1')).toEqual({ text: 'extruder 1' });
    expect(sensorLabel('temperature_sensor chamber')).toEqual({ text: 'chamber' });
  });
});

describe('targets and presets', () => {
  it('parses what the user types, refusing non-numbers and negatives', () => {
    expect(parseTarget(' 215 ')).toEqual({ ok: true, targetC: 215 });
    expect(parseTarget('62,5')).toEqual({ ok: true, targetC: 62.5 });
    expect(parseTarget('0')).toEqual({ ok: true, targetC: 0 });
    expect(parseTarget('hot')).toEqual({ ok: false, problem: 'notNumber' });
    expect(parseTarget('1e3')).toEqual({ ok: false, problem: 'notNumber' });
    expect(parseTarget('-5')).toEqual({ ok: false, problem: 'negative' });
  });
  it("sends SET_HEATER_TEMPERATURE with Klipper's heater name", () => {
    expect(targetScript('extruder', 215)).toBe('SET_HEATER_TEMPERATURE HEATER=extruder TARGET=215');
    expect(targetScript('heater_bed', 62.45)).toBe('SET_HEATER_TEMPERATURE HEATER=heater_bed TARGET=62.5');
    expect(heaterParam('heater_generic chamber')).toBe('chamber');
  });
  it('sets hotend and bed per preset, and turns every heater off with Off', () => {
    const petg = PRESETS.find((p) => p.id === 'petg')!;
    expect(presetScript(petg, ['extruder', 'heater_bed'])).toBe(
      'SET_HEATER_TEMPERATURE HEATER=extruder TARGET=240\nSET_HEATER_TEMPERATURE HEATER=heater_bed TARGET=80',
    );
    const off = PRESETS.find((p) => p.id === 'off')!;
    expect(presetScript(off, ['extruder', 'extruder1', 'heater_generic chamber']).split('\n')).toEqual([
      'SET_HEATER_TEMPERATURE HEATER=extruder TARGET=0',
      'SET_HEATER_TEMPERATURE HEATER=extruder1 TARGET=0',
      'SET_HEATER_TEMPERATURE HEATER=chamber TARGET=0',
    ]);
    // A preset never touches a chamber heater it knows nothing about.
    expect(presetScript(petg, ['heater_generic chamber'])).toBe('');
  });
});

function reply(nowMs: number, times: number[], temps: number[], sensorOnly = false): TemperatureHistoryReply {
  return {
    periodMs: 1000,
    capacity: 5,
    nowMs,
    series: {
      extruder: {
        timeMs: times,
        temperatureC: temps,
        targetC: times.map(() => (sensorOnly ? null : 200)),
        power: times.map(() => (sensorOnly ? null : 1)),
      },
    },
  };
}

describe('history window', () => {
  it('appends incremental replies and drops samples older than the host window', () => {
    let w = mergeHistory(emptyHistory, reply(3000, [1000, 2000, 3000], [20, 21, 22]), true);
    expect(w.lastMs).toBe(3000);
    w = mergeHistory(w, reply(8000, [4000, 5000, 6000, 7000, 8000], [23, 24, 25, 26, 27]), false);
    // Window = 5 samples x 1000 ms before 8000: 3000 and newer.
    expect(w.series.extruder.timeMs).toEqual([3000, 4000, 5000, 6000, 7000, 8000]);
    expect(w.series.extruder.temperatureC[0]).toBe(22);
    expect(w.lastMs).toBe(8000);
  });
  it('a full reply replaces what was held (a restarted host starts a new history)', () => {
    const old = mergeHistory(emptyHistory, reply(3000, [1000, 2000, 3000], [20, 21, 22]), true);
    const w = mergeHistory(old, reply(500, [500], [19]), true);
    expect(w.series.extruder.timeMs).toEqual([500]);
    expect(w.lastMs).toBe(500);
  });
  it('lays out uPlot data: x in seconds, a temperature line per sensor, a target line per heater', () => {
    const w = mergeHistory(emptyHistory, reply(3000, [1000, 2000, 3000], [20, 21, 22]), true);
    const bed = { timeMs: [2000, 3000], temperatureC: [50, 51], targetC: [null, null], power: [null, null] };
    const both = { ...w, series: { ...w.series, 'temperature_sensor board': bed } };
    const { lines, data } = plotData(both, ['extruder', 'temperature_sensor board']);
    expect(lines).toEqual([
      { name: 'extruder', kind: 'temperature' },
      { name: 'extruder', kind: 'target' },
      { name: 'temperature_sensor board', kind: 'temperature' },
    ]);
    expect(data).toEqual([
      [1, 2, 3],
      [20, 21, 22],
      [200, 200, 200],
      [null, 50, 51],
    ]);
  });
});

describe('temperatures store', () => {
  it('fetches the whole history first, then only samples after the newest it holds', async () => {
    let n = 0;
    const api = scriptedApi({
      'temperatures.history': async ({ sinceMs }) =>
        sinceMs === undefined ? reply(2000, [1000, 2000], [20, 21]) : reply(3000 + n++, [3000], [22]),
    });
    const { fetch } = useTemperatures.getState();
    await fetch(api.client, 'printer-1', true);
    await fetch(api.client, 'printer-1', false);
    expect(api.refused).toEqual([]);
    expect(api.calls.map((c) => c.params)).toEqual([{ printerId: 'printer-1' }, { printerId: 'printer-1', sinceMs: 2000 }]);
    expect(useTemperatures.getState().history['printer-1'].series.extruder.temperatureC).toEqual([20, 21, 22]);
    expect(useTemperatures.getState().error).toBeNull();
  });
  it('keeps the history and reports the reason when the host cannot answer', async () => {
    const api = scriptedApi({});
    await useTemperatures.getState().fetch(api.client, 'printer-1', false);
    expect(useTemperatures.getState().error).toMatch(/temperatures.history failed/);
    expect(useTemperatures.getState().history['printer-1'].series.extruder.timeMs).toEqual([1000, 2000, 3000]);
  });
});
