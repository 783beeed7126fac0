// The ports page: every serial port with what identifies it, the printer on each, live on plug
// and unplug, and a form to add a pty or simulator by path.
import { useEffect, useState, type FormEvent, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { PortsClient } from './client';
import './ports.css';
import { usePorts, usbIdText } from './store';

export function PortsPanel({ client }: { client: PortsClient }): JSX.Element {
  const { t } = useTranslation('ports');
  const { ports, printerPorts, loading, problem, fresh } = usePorts();
  const refresh = usePorts((s) => s.refresh);
  const watch = usePorts((s) => s.watch);
  const addVirtual = usePorts((s) => s.addVirtual);
  const [virtualPath, setVirtualPath] = useState('');
  const [virtualLabel, setVirtualLabel] = useState('');

  useEffect(() => {
    void refresh(client);
    return watch(client);
  }, [client, refresh, watch]);

  const onAdd = (e: FormEvent): void => {
    e.preventDefault();
    void addVirtual(client, virtualPath, virtualLabel).then((ok) => {
      if (ok) {
        setVirtualPath('');
        setVirtualLabel('');
      }
    });
  };

  return (
    <section className="panel" aria-labelledby="ports-title">
      <header className="panel-header">
        <h1 id="ports-title">{t('title')}</h1>
        <div className="panel-actions">
          <button type="button" className="btn" onClick={() => void refresh(client)} disabled={loading}>
            {loading ? t('refreshing') : t('refresh')}
          </button>
        </div>
      </header>

      {problem && (
        <div className="alert alert-error" role="alert">
          <p>{problem.message}</p>
          {problem.fix && (
            <p>
              <strong>{t('fixLabel')}</strong> {problem.fix}
            </p>
          )}
        </div>
      )}

      {ports.length === 0 && !loading ? (
        <div className="card">
          <p>{t('empty')}</p>
          <p className="hint">{t('emptyHint')}</p>
        </div>
      ) : (
        <table className="card ports-table" aria-label={t('tableLabel')}>
          <thead>
            <tr>
              <th scope="col">{t('col.port')}</th>
              <th scope="col">{t('col.device')}</th>
              <th scope="col">{t('col.usbId')}</th>
              <th scope="col">{t('col.serial')}</th>
              <th scope="col">{t('col.printer')}</th>
            </tr>
          </thead>
          <tbody>
            {ports.map((port) => (
              <tr key={port.path} data-fresh={fresh.includes(port.path) || undefined}>
                <td>
                  <span className="mono">{port.path}</span>
                  {port.byId && <div className="mono muted">{port.byId}</div>}
                  {!port.byId && port.byPath && <div className="mono muted">{port.byPath}</div>}
                </td>
                <td>
                  {port.knownName ?? port.product ?? port.manufacturer ?? t('unknownDevice')}
                  <div className="muted">{t(`kind.${port.kind}`)}</div>
                </td>
                <td className="mono ports-nowrap">{usbIdText(port) ?? '—'}</td>
                <td>{port.serialNumber ? <span className="mono">{port.serialNumber}</span> : <span className="muted">{port.vendorId ? t('noSerial') : '—'}</span>}</td>
                <td>{printerPorts[port.path] ? <span className="chip">{printerPorts[port.path]}</span> : <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <form className="card ports-virtual" onSubmit={onAdd} aria-label={t('virtual.title')}>
        <h2>{t('virtual.title')}</h2>
        <p className="hint">{t('virtual.hint')}</p>
        <label>
          {t('virtual.path')}
          <input value={virtualPath} onChange={(e) => setVirtualPath(e.target.value)} placeholder="/tmp/printer" />
        </label>
        <label>
          {t('virtual.label')}
          <input value={virtualLabel} onChange={(e) => setVirtualLabel(e.target.value)} placeholder={t('virtual.labelPlaceholder')} />
        </label>
        <button type="submit" className="btn" disabled={!virtualPath.trim()}>
          {t('virtual.add')}
        </button>
      </form>
    </section>
  );
}
