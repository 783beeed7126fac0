// Sensors on the dashboard: each filament sensor (detected / empty / disabled, with an enable
// switch) and the Z probe's last query and result with a QUERY_PROBE button. Shown only when
// the printer has one of them.
import { useMemo, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { useStatus } from '../dashboard/status-store';
import { useGcodeAction } from '../dashboard/use-gcode';
import { filamentSensors, filamentSensorScript, probeView, QUERY_PROBE_SCRIPT } from './model';
import './sensors.css';

export function SensorsCard({ printerId, ready }: { printerId: string; ready: boolean }): JSX.Element | null {
  const { t } = useTranslation('sensors');
  const status = useStatus((s) => s.status);
  const filament = useMemo(() => filamentSensors(status), [status]);
  const probe = useMemo(() => probeView(status), [status]);
  const action = useGcodeAction(printerId);
  const idle = ready && !action.busy;
  if (filament.length === 0 && !probe) return null;

  return (
    <article className="card sensors-card" data-testid="sensors-card">
      <h2>{t('title')}</h2>
      {action.error && (
        <div className="alert alert-error" role="alert">
          {action.error}
        </div>
      )}
      {filament.length > 0 && (
        <ul className="sensor-list">
          {filament.map((s) => (
            <li key={s.name} data-testid={`filament-${s.name}`}>
              <span className="sensor-name">{s.name}</span>
              <span className={`chip filament-${s.state}`} data-testid={`filament-state-${s.name}`}>
                {t(`filament.${s.state}`)}
              </span>
              <label className="sensor-toggle">
                <input
                  type="checkbox"
                  checked={s.enabled}
                  disabled={!idle}
                  onChange={(e) => void action.run(filamentSensorScript(s.name, e.target.checked))}
                />
                {t('filament.enabled')}
              </label>
            </li>
          ))}
        </ul>
      )}
      {probe && (
        <div className="probe-row" data-testid="probe">
          <span className="sensor-name">{t('probe.title')}</span>
          <span data-testid="probe-query">
            {t('probe.lastQuery')}:{' '}
            {probe.lastQueryTriggered === null ? '—' : t(probe.lastQueryTriggered ? 'probe.triggered' : 'probe.open')}
          </span>
          <span data-testid="probe-z">
            {t('probe.lastZ')}: {probe.lastZMm === null ? '—' : t('probe.mm', { value: probe.lastZMm.toFixed(3) })}
          </span>
          <button type="button" className="btn" disabled={!idle} onClick={() => void action.run(QUERY_PROBE_SCRIPT)}>
            {t('probe.query')}
          </button>
        </div>
      )}
    </article>
  );
}
