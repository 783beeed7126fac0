// The temperature graph's data: the host's history (temperatures.history) merged as it is polled,
// trimmed to the window, and laid out as uPlot wants it (one x array, one y array per line).
import type { TemperatureHistoryReply, TemperatureSeries } from '../../../src-main/api/contract';

export interface HistoryWindow {
  series: Record<string, TemperatureSeries>;
  /** Newest sample time seen (ms since the epoch): the next poll asks for samples after it. */
  lastMs: number | null;
}

export const emptyHistory: HistoryWindow = { series: {}, lastMs: null };

function trimmed(s: TemperatureSeries, fromMs: number): TemperatureSeries {
  let i = 0;
  while (i < s.timeMs.length && s.timeMs[i] < fromMs) i++;
  if (i === 0) return s;
  return { timeMs: s.timeMs.slice(i), temperatureC: s.temperatureC.slice(i), targetC: s.targetC.slice(i), power: s.power.slice(i) };
}

/**
 * Adds a reply to the window. A full reply (`replace`) stands alone; an incremental one is
 * appended. Samples older than the host's window (period x capacity before its clock) drop off.
 */
export function mergeHistory(prev: HistoryWindow, reply: TemperatureHistoryReply, replace: boolean): HistoryWindow {
  const fromMs = reply.nowMs - reply.periodMs * reply.capacity;
  const series: Record<string, TemperatureSeries> = {};
  const names = new Set([...(replace ? [] : Object.keys(prev.series)), ...Object.keys(reply.series)]);
  let lastMs = replace ? null : prev.lastMs;
  for (const name of names) {
    const old = replace ? undefined : prev.series[name];
    const add = reply.series[name];
    const joined: TemperatureSeries =
      old && add
        ? {
            timeMs: old.timeMs.concat(add.timeMs),
            temperatureC: old.temperatureC.concat(add.temperatureC),
            targetC: old.targetC.concat(add.targetC),
            power: old.power.concat(add.power),
          }
        : (old ?? add!);
    series[name] = trimmed(joined, fromMs);
    const last = series[name].timeMs.at(-1);
    if (last !== undefined && (lastMs === null || last > lastMs)) lastMs = last;
  }
  return { series, lastMs };
}

export interface PlotLine {
  name: string;
  kind: 'temperature' | 'target';
}

/** uPlot's aligned data: x in seconds since the epoch, then a temperature line per sensor and a target line per heater. */
export function plotData(w: HistoryWindow, names: readonly string[]): { lines: PlotLine[]; data: (number | null)[][] } {
  const times = [...new Set(names.flatMap((n) => w.series[n]?.timeMs ?? []))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const lines: PlotLine[] = [];
  const data: (number | null)[][] = [times.map((t) => t / 1000)];
  for (const name of names) {
    const s = w.series[name];
    if (!s) continue;
    const temp: (number | null)[] = times.map(() => null);
    s.timeMs.forEach((t, i) => (temp[index.get(t)!] = s.temperatureC[i]));
    lines.push({ name, kind: 'temperature' });
    data.push(temp);
    if (s.targetC.some((v) => v !== null)) {
      const target: (number | null)[] = times.map(() => null);
      s.timeMs.forEach((t, i) => (target[index.get(t)!] = s.targetC[i]));
      lines.push({ name, kind: 'target' });
      data.push(target);
    }
  }
  return { lines, data };
}
