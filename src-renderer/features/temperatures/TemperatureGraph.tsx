// The last 20 minutes as a uPlot chart: a solid line per sensor, a dashed target line per heater.
// The chart is created once per set of lines and fed new data as the history grows.
import { useEffect, useMemo, useRef, type JSX } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { plotData, type HistoryWindow, type PlotLine } from './history';

const PALETTE = ['#e8590c', '#2f6fed', '#1f9d55', '#ae3ec9', '#c27c0e', '#0c8599'];
const HEIGHT_PX = 240;

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function canDrawCanvas(): boolean {
  try {
    return document.createElement('canvas').getContext('2d') !== null;
  } catch {
    return false;
  }
}

function seriesOf(lines: PlotLine[], names: readonly string[], label: (l: PlotLine) => string, timeLabel: string): uPlot.Series[] {
  return [
    { label: timeLabel },
    ...lines.map((l) => ({
      label: label(l),
      stroke: PALETTE[names.indexOf(l.name) % PALETTE.length],
      width: l.kind === 'target' ? 1 : 2,
      dash: l.kind === 'target' ? [6, 4] : undefined,
      spanGaps: true,
      points: { show: false },
      value: (_u: uPlot, v: number | null) => (v === null ? '—' : `${v.toFixed(1)} °C`),
    })),
  ];
}

export function TemperatureGraph(props: {
  history: HistoryWindow;
  names: readonly string[];
  label: (l: PlotLine) => string;
  timeLabel: string;
}): JSX.Element {
  const { history, names, label, timeLabel } = props;
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const { lines, data } = useMemo(() => plotData(history, names), [history, names]);
  const shape = lines.map((l) => `${l.name}/${l.kind}`).join('|');
  const labels = [timeLabel, ...lines.map(label)].join('|');

  // (Re)create the chart when the set of lines or their labels (language) change.
  useEffect(() => {
    const el = host.current;
    // No 2D canvas (a DOM without one, e.g. component tests): the numbers above still show.
    if (!el || !canDrawCanvas()) return;
    const axisColor = cssVar('--text-muted', '#646b78');
    const gridColor = cssVar('--border', '#dcdfe5');
    const axis = { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 } };
    const u = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: HEIGHT_PX,
        series: seriesOf(lines, names, label, timeLabel),
        axes: [axis, { ...axis, values: (_u, ticks) => ticks.map((t) => `${t}°`) }],
        scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(50, (max ?? 0) + 10)] } },
        cursor: { drag: { x: false, y: false } },
        legend: { live: true },
      },
      data as uPlot.AlignedData,
      el,
    );
    chart.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT_PX }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      chart.current = null;
    };
    // shape/labels stand for lines/label: a new array each render must not rebuild the chart.
  }, [shape, labels]);

  useEffect(() => {
    chart.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  const last = Object.fromEntries(lines.flatMap((l, i) => (l.kind === 'temperature' ? [[l.name, data[i + 1].at(-1) ?? null]] : [])));
  return (
    <div
      ref={host}
      className="temperature-graph"
      data-testid="temperature-graph"
      data-samples={data[0].length}
      data-first={data[0][0] ?? ''}
      data-last={JSON.stringify(last)}
    />
  );
}
