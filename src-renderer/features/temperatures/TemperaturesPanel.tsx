// Temperatures: each heater's and sensor's current temperature, target and power, a target box
// and presets, and the host's 20-minute history as a graph.
import { useCallback, useEffect, useMemo, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { useGcodeAction } from '../dashboard/use-gcode';
import { useStatus } from '../dashboard/status-store';
import { HeaterRow } from './HeaterRow';
import { emptyHistory, type PlotLine } from './history';
import { PRESETS, presetScript, sensorLabel, sensorRows } from './model';
import { followTemperatures, useTemperatures } from './store';
import { TemperatureGraph } from './TemperatureGraph';
import './temperatures.css';

export function TemperaturesPanel({ printerId, ready }: { printerId: string; ready: boolean }): JSX.Element {
  const { t } = useTranslation('temperatures');
  const status = useStatus((s) => s.status);
  const heaters = status.heaters;
  const history = useTemperatures((s) => s.history[printerId] ?? emptyHistory);
  const historyError = useTemperatures((s) => s.error);
  const action = useGcodeAction(printerId);

  useEffect(() => followTemperatures(api(), printerId), [printerId]);

  // `status` changes up to 4x a second; rows are cheap to rebuild.
  const rows = useMemo(() => sensorRows(status), [status]);
  // A stable list while the same sensors exist, so the graph is not rebuilt on every status change.
  const nameKey = rows.map((r) => r.name).join('|');
  const names = useMemo(() => (nameKey ? nameKey.split('|') : []), [nameKey]);
  const heaterNames = rows.filter((r) => r.heater).map((r) => r.name);
  const labelOf = useCallback(
    (name: string) => {
      const l = sensorLabel(name);
      return 'key' in l ? t(`names.${l.key}`) : l.text;
    },
    [t],
  );
  const lineLabel = useCallback(
    (l: PlotLine) => (l.kind === 'target' ? t('graph.target', { name: labelOf(l.name) }) : labelOf(l.name)),
    [labelOf, t],
  );

  return (
    <article className="card temperatures-card" data-testid="temperatures-panel">
      <h2>{t('title')}</h2>
      {!heaters && <p className="muted">{t('none')}</p>}
      {action.error && (
        <div className="alert alert-error" role="alert">
          {action.error}
        </div>
      )}
      <table className="sensor-table">
        <thead>
          <tr>
            <th>{t('columns.name')}</th>
            <th>{t('columns.current')}</th>
            <th>{t('columns.target')}</th>
            <th>{t('columns.power')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <HeaterRow
              key={r.name}
              row={r}
              label={labelOf(r.name)}
              disabled={!ready || action.busy}
              onSet={(script) => void action.run(script)}
            />
          ))}
        </tbody>
      </table>
      <div className="presets" role="group" aria-label={t('presets.label')}>
        {PRESETS.map((p) => (
          <button
            key={p.id}
            type="button"
            className="btn"
            disabled={!ready || action.busy || heaterNames.length === 0}
            title={p.id === 'off' ? t('presets.offHint') : t('presets.hint', { hotend: p.hotendC, bed: p.bedC })}
            onClick={() => void action.run(presetScript(p, heaterNames))}
          >
            {t(`presets.${p.id}`)}
          </button>
        ))}
      </div>
      <TemperatureGraph history={history} names={names} label={lineLabel} timeLabel={t('graph.time')} />
      {historyError && <p className="muted">{t('graph.unavailable', { reason: historyError })}</p>}
    </article>
  );
}
