// The printer list: every printer this app runs (each with its own printer.cfg, host process
// and state), which one the UI shows, restart and remove, and adding one from a sample config,
// from an existing printer.cfg, or for a serial port (a sample with that port as [mcu] serial).
import { useEffect, useState, type FormEvent, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConfigSample, PortsListReply } from '../../../src-main/api/contract';
import { api } from '../../api';
import { StateBadge } from '../../shell/StateBadge';
import { useConnection } from '../../shell/connection-store';
import { Icon } from '../../shell/icons';
import './printers.css';

type PortInfo = PortsListReply['ports'][number];

type AddMode = 'sample' | 'file' | 'port';
const addModes: AddMode[] = ['sample', 'file', 'port'];

export function PrintersPanel(): JSX.Element {
  const { t } = useTranslation('printers');
  const printers = useConnection((s) => s.printers);
  const selectedId = useConnection((s) => s.selectedPrinterId);
  const selectPrinter = useConnection((s) => s.selectPrinter);
  const connected = useConnection((s) => s.status === 'connected');
  const desktop = useConnection((s) => s.appInfo?.mode === 'electron');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmRemove, setConfirmRemove] = useState<string | null>(null);
  const [mode, setMode] = useState<AddMode>('sample');
  const [name, setName] = useState('');
  const [samples, setSamples] = useState<ConfigSample[]>([]);
  const [sampleId, setSampleId] = useState('');
  const [configPath, setConfigPath] = useState('');
  const [ports, setPorts] = useState<PortInfo[]>([]);
  const [port, setPort] = useState('');

  useEffect(() => {
    if (!connected) return;
    let live = true;
    api()
      .call('config.samples')
      .then((list) => {
        if (!live) return;
        setSamples(list);
        setSampleId((id) => id || list[0]?.id || '');
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [connected]);

  useEffect(() => {
    if (!connected || mode !== 'port') return;
    let live = true;
    const load = () =>
      api()
        .call('ports.list')
        .then((r) => {
          if (!live) return;
          setPorts(r.ports);
          setPort((p) => p || r.ports[0]?.byId || r.ports[0]?.path || '');
        })
        .catch(() => undefined);
    void load();
    const off = api().on('ports.changed', () => void load());
    return () => {
      live = false;
      off();
    };
  }, [connected, mode]);

  const act = async (key: string, action: () => Promise<unknown>): Promise<void> => {
    setBusy(key);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  };

  const add = (e: FormEvent): void => {
    e.preventDefault();
    const printerName = name.trim();
    if (!printerName) return;
    void act('add', async () => {
      const added =
        mode === 'file'
          ? await api().call('printers.add', { name: printerName, configPath: configPath.trim() })
          : await api().call('config.newPrinter', { name: printerName, sampleId, ...(mode === 'port' ? { serial: port } : {}) });
      selectPrinter(added.id);
      setName('');
      setConfigPath('');
    });
  };

  const browse = (): void =>
    void act('browse', async () => {
      const { path } = await api().call('app.pickConfigFile');
      if (path) setConfigPath(path);
    });

  const canAdd = connected && name.trim() !== '' && (mode === 'file' ? configPath.trim() !== '' : sampleId !== '' && (mode !== 'port' || port !== ''));

  return (
    <section className="panel printers-panel" aria-labelledby="printers-title">
      <header className="panel-header">
        <h1 id="printers-title">{t('title')}</h1>
      </header>
      <p className="muted">{t('intro')}</p>
      {error && (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      )}
      <table className="printers-table" aria-label={t('title')} data-testid="printers-table">
        <thead>
          <tr>
            <th>{t('col.name')}</th>
            <th>{t('col.state')}</th>
            <th>{t('col.config')}</th>
            <th>
              <span className="visually-hidden">{t('col.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {printers.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                {t('none')}
              </td>
            </tr>
          )}
          {printers.map((p) => (
            <tr key={p.id} className={p.id === selectedId ? 'selected' : undefined} data-printer={p.id}>
              <td>
                <span className="printer-list-name">{p.name}</span>
                <span className="muted mono printers-id">{p.id}</span>
              </td>
              <td>
                <StateBadge state={p.state} message={p.stateMessage} />
                <div className="muted printers-message">{p.stateMessage}</div>
              </td>
              <td className="mono printers-config">{p.configPath ?? t('noConfig')}</td>
              <td className="printers-actions">
                {p.id === selectedId ? (
                  <span className="chip">{t('shown')}</span>
                ) : (
                  <button type="button" className="btn" onClick={() => selectPrinter(p.id)}>
                    {t('select')}
                  </button>
                )}
                <button type="button" className="btn btn-ghost" disabled={!connected || busy !== null} onClick={() => void act(`restart-${p.id}`, () => api().call('printers.restart', { printerId: p.id }))} title={t('restartHint')}>
                  <Icon name="restart" />
                  {t('restart')}
                </button>
                {confirmRemove === p.id ? (
                  <>
                    <button
                      type="button"
                      className="btn btn-danger"
                      disabled={busy !== null}
                      onClick={() =>
                        void act(`remove-${p.id}`, async () => {
                          await api().call('printers.remove', { printerId: p.id });
                          setConfirmRemove(null);
                        })
                      }
                    >
                      {t('confirmRemove')}
                    </button>
                    <button type="button" className="btn btn-ghost" onClick={() => setConfirmRemove(null)}>
                      {t('cancel')}
                    </button>
                  </>
                ) : (
                  <button type="button" className="btn btn-ghost" disabled={!connected || busy !== null} onClick={() => setConfirmRemove(p.id)} aria-label={t('removeNamed', { name: p.name })}>
                    <Icon name="trash" />
                    {t('remove')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {confirmRemove && <p className="muted">{t('removeHelp')}</p>}

      <form className="card printers-add" onSubmit={add} aria-label={t('add.title')}>
        <h2>{t('add.title')}</h2>
        <div className="printers-modes" role="radiogroup" aria-label={t('add.how')}>
          {addModes.map((m) => (
            <label key={m} className={mode === m ? 'chip active' : 'chip'}>
              <input type="radio" name="add-mode" value={m} checked={mode === m} onChange={() => setMode(m)} />
              {t(`add.mode.${m}`)}
            </label>
          ))}
        </div>
        <p className="muted">{t(`add.help.${mode}`)}</p>
        <label className="printers-field">
          <span>{t('add.name')}</span>
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={80} placeholder={t('add.namePlaceholder')} />
        </label>
        {mode !== 'file' && (
          <label className="printers-field">
            <span>{t('add.sample')}</span>
            <select value={sampleId} onChange={(e) => setSampleId(e.target.value)}>
              {samples.map((s) => (
                <option key={s.id} value={s.id} title={s.description}>
                  {s.name}
                  {s.description ? ` — ${s.description}` : ''}
                </option>
              ))}
            </select>
          </label>
        )}
        {mode === 'port' && (
          <label className="printers-field">
            <span>{t('add.port')}</span>
            {ports.length === 0 ? (
              <span className="muted">{t('add.noPorts')}</span>
            ) : (
              <select value={port} onChange={(e) => setPort(e.target.value)}>
                {ports.map((p) => (
                  <option key={p.path} value={p.byId ?? p.path}>
                    {p.byId ?? p.path}
                  </option>
                ))}
              </select>
            )}
          </label>
        )}
        {mode === 'file' && (
          <label className="printers-field">
            <span>{t('add.path')}</span>
            <span className="printers-path">
              <input value={configPath} onChange={(e) => setConfigPath(e.target.value)} placeholder="/home/pi/printer_data/config/printer.cfg" className="mono" />
              {desktop && (
                <button type="button" className="btn" onClick={browse} disabled={busy !== null}>
                  {t('add.browse')}
                </button>
              )}
            </span>
          </label>
        )}
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={!canAdd || busy !== null} data-testid="add-printer">
            <Icon name="plus" />
            {busy === 'add' ? t('add.adding') : t('add.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
