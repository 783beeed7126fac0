// The host log of the shown printer, newest at the bottom, filtered by level and text, and
// "Export diagnostics": host logs, printer.cfg files, versions and MCU stats in one archive.
import { useCallback, useEffect, useMemo, useState, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { logLevels, type LogLevel, type LogView } from '../../../src-main/api/contract';
import { api } from '../../api';
import { useConnection, useSelectedPrinter } from '../../shell/connection-store';
import { exportDiagnostics, type ExportOutcome } from './export-diagnostics';
import { countLevels, filterLog } from './log-filter';
import './logs.css';

const REFRESH_MS = 2000;

export function LogsPanel(): JSX.Element {
  const { t } = useTranslation('logs');
  const printer = useSelectedPrinter();
  const connected = useConnection((s) => s.status === 'connected');
  const [view, setView] = useState<LogView | null>(null);
  const [levels, setLevels] = useState<Set<LogLevel>>(() => new Set(['error', 'warning', 'info']));
  const [text, setText] = useState('');
  const [follow, setFollow] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const [exported, setExported] = useState<ExportOutcome | null>(null);
  const printerId = printer?.id;

  const load = useCallback(async () => {
    if (!printerId) return;
    try {
      setView(await api().call('logs.read', { printerId, maxLines: 5000 }));
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [printerId]);

  useEffect(() => {
    if (!connected) return;
    void load();
    if (!follow) return;
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [connected, load, follow]);

  const shown = useMemo(() => (view ? filterLog(view.lines, levels, text) : []), [view, levels, text]);
  const counts = useMemo(() => countLevels(view?.lines ?? []), [view]);

  const toggle = (level: LogLevel): void =>
    setLevels((s) => {
      const next = new Set(s);
      if (next.has(level)) next.delete(level);
      else next.add(level);
      return next;
    });

  const runExport = async (all: boolean): Promise<void> => {
    setExporting(true);
    setExported(null);
    setError(null);
    try {
      setExported(await exportDiagnostics(api(), all ? undefined : printerId));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setExporting(false);
    }
  };

  return (
    <section className="panel logs-panel" aria-labelledby="logs-title">
      <header className="panel-header">
        <h1 id="logs-title">{t('title')}</h1>
        <div className="panel-actions">
          <button type="button" className="btn btn-primary" disabled={!connected || exporting} onClick={() => void runExport(true)} data-testid="export-diagnostics">
            {exporting ? t('exporting') : t('export')}
          </button>
          <button type="button" className="btn" disabled={!connected || exporting || !printerId} onClick={() => void runExport(false)}>
            {t('exportThis')}
          </button>
        </div>
      </header>
      <p className="muted">{t('exportHelp')}</p>
      {exported && exported.kind !== 'cancelled' && (
        <p className="alert logs-exported" role="status" data-testid="export-result">
          {exported.kind === 'saved'
            ? t('saved', { path: exported.path, count: exported.result.entries.length })
            : t('downloaded', { file: exported.result.fileName, count: exported.result.entries.length })}
        </p>
      )}
      {error && (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      )}
      <div className="logs-toolbar">
        <fieldset className="logs-levels">
          <legend className="visually-hidden">{t('levels')}</legend>
          {logLevels.map((level) => (
            <label key={level} className={`chip log-level-${level}`}>
              <input type="checkbox" checked={levels.has(level)} onChange={() => toggle(level)} data-testid={`log-level-${level}`} />
              {t(`level.${level}`)} ({counts[level]})
            </label>
          ))}
        </fieldset>
        <input type="search" className="logs-search" placeholder={t('search')} aria-label={t('search')} value={text} onChange={(e) => setText(e.target.value)} />
        <label className="logs-follow">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          {t('follow')}
        </label>
        <button type="button" className="btn btn-ghost" onClick={() => void load()} disabled={!connected}>
          {t('refresh')}
        </button>
      </div>
      {view && (
        <p className="muted mono logs-path">
          {view.path}
          {view.truncated ? ` — ${t('truncated')}` : ''}
        </p>
      )}
      <div className="logs-output" role="log" aria-label={t('title')} data-testid="log-output">
        {shown.length === 0 && <p className="muted">{view ? t('empty') : t('loading')}</p>}
        {shown.map((l, i) => (
          <div key={`${l.time}-${i}`} className={`log-line log-${l.level}`} data-level={l.level}>
            <span className="log-time">{l.time.replace('T', ' ').replace('Z', '')}</span>
            <span className="log-level">{t(`level.${l.level}`)}</span>
            <span className="log-text">{l.text}</span>
          </div>
        ))}
      </div>
    </section>
  );
}
