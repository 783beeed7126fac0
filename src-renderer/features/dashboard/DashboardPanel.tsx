// The dashboard: live temperatures, motion and print jobs (their own feature folders), then the
// printer's state with what to do about it, its host (version, config, log), restart, and the
// printer list.
import { useEffect, useState, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { HostInfo } from '../../../src-main/api/contract';
import { api } from '../../api';
import { StateBadge } from '../../shell/StateBadge';
import { useConnection, useSelectedPrinter } from '../../shell/connection-store';
import { Icon } from '../../shell/icons';
import { SensorsCard } from '../sensors/SensorsCard';
import { ReflashOffer } from '../flash/ReflashOffer';
import { JobsPanel } from '../jobs/JobsPanel';
import { MotionPanel } from '../motion/MotionPanel';
import { TemperaturesPanel } from '../temperatures/TemperaturesPanel';
import { LiveMotionCard } from './LiveMotionCard';
import { hintKeyFor } from './message-hints';
import { useStatus } from './status-store';
import './dashboard.css';

export function DashboardPanel(): JSX.Element {
  const { t } = useTranslation('dashboard');
  const printer = useSelectedPrinter();
  const printers = useConnection((s) => s.printers);
  const appInfo = useConnection((s) => s.appInfo);
  const connected = useConnection((s) => s.status === 'connected');
  const [hostInfo, setHostInfo] = useState<HostInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const printerId = printer?.id;
  const hintKey = printer ? hintKeyFor(printer.stateMessage) : null;
  const state = printer?.state;
  useEffect(() => {
    if (!printerId || !connected) return;
    let live = true;
    api()
      .call('host.info', { printerId })
      .then((info) => live && setHostInfo(info))
      .catch(() => live && setHostInfo(null));
    return () => {
      live = false;
    };
  }, [printerId, state, connected]);

  // The live status the temperatures/motion/jobs cards read: (re)subscribed when the printer,
  // its state (a restart brings new objects) or the connection changes.
  useEffect(() => {
    if (printerId && connected && state === 'ready') void useStatus.getState().follow(api(), printerId);
  }, [printerId, state, connected]);

  const act = async (action: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel dashboard-panel" aria-labelledby="dashboard-title">
      <header className="panel-header">
        <h1 id="dashboard-title">{t('title')}</h1>
      </header>
      {error && (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      )}
      {printer && (
        <div className="grid dashboard-live">
          <TemperaturesPanel printerId={printer.id} ready={connected && printer.state === 'ready'} />
          <MotionPanel printerId={printer.id} printerState={connected ? printer.state : undefined} />
          <JobsPanel printerId={printer.id} ready={connected && printer.state === 'ready'} />
          <SensorsCard printerId={printer.id} ready={connected && printer.state === 'ready'} />
          <LiveMotionCard ready={connected && printer.state === 'ready'} />
        </div>
      )}
      <div className="grid">
        <article className="card">
          <h2>{t('printer.title')}</h2>
          {printer ? (
            <>
              <div className="printer-headline">
                <span className="printer-name">{printer.name}</span>
                <StateBadge state={printer.state} message={printer.stateMessage} />
              </div>
              <p className="host-message" data-testid="host-message">
                {printer.stateMessage}
              </p>
              <p className="muted">{t(`printer.hint.${printer.state}`)}</p>
              {hintKey && (
                <div className="host-hint" data-testid="host-hint">
                  <strong>{t('printer.whatToDo')}: </strong>
                  {t(`hints.${hintKey}`)}
                  <ReflashOffer printerName={printer.name} stateMessage={printer.stateMessage} />
                </div>
              )}
              <div className="actions">
                <button
                  type="button"
                  className="btn"
                  disabled={busy || !connected}
                  onClick={() => void act(() => api().call('gcode.run', { printerId: printer.id, script: 'FIRMWARE_RESTART' }))}
                >
                  {t('printer.firmwareRestart')}
                </button>
                <button
                  type="button"
                  className="btn"
                  disabled={busy || !connected}
                  onClick={() => void act(() => api().call('gcode.run', { printerId: printer.id, script: 'RESTART' }))}
                >
                  {t('printer.hostRestart')}
                </button>
                <button
                  type="button"
                  className="btn"
                  disabled={busy || !connected}
                  onClick={() => void act(() => api().call('printers.restart', { printerId: printer.id }))}
                >
                  <Icon name="restart" size={16} />
                  {t('printer.restart')}
                </button>
              </div>
            </>
          ) : (
            <p className="muted">{t('printer.none')}</p>
          )}
        </article>

        <article className="card">
          <h2>{t('host.title')}</h2>
          <dl className="facts">
            <dt>{t('host.version')}</dt>
            <dd>{hostInfo?.hostVersion ?? '—'}</dd>
            <dt>{t('host.config')}</dt>
            <dd className="mono">{hostInfo ? (hostInfo.configPath ?? t('host.noConfig')) : '—'}</dd>
            <dt>{t('host.log')}</dt>
            <dd className="mono">{hostInfo?.logPath ?? '—'}</dd>
            <dt>{t('host.mode')}</dt>
            <dd>{appInfo ? t(`host.modes.${appInfo.mode}`) : '—'}</dd>
            <dt>{t('host.dataDir')}</dt>
            <dd className="mono">{appInfo?.dataDir ?? '—'}</dd>
          </dl>
        </article>

        <article className="card">
          <h2>{t('printers.title')}</h2>
          {/* One place manages printers (the Printers page); the dashboard only counts and links. */}
          <p className="muted">{t('printers.count', { count: printers.length })}</p>
          <a className="btn" href="#/printers">
            {t('printers.manage')}
          </a>
        </article>
      </div>
    </section>
  );
}
