// The config panel: the selected printer's printer.cfg in a CodeMirror editor checked live by the
// host's own reader and catalog, an outline of its sections, tools (rotation_distance, Arduino
// pin numbers), save with a diff then RESTART, the SAVE_CONFIG block read-only, and a new
// printer from a sample config.
import { useCallback, useEffect, useMemo, useRef, useState, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConfigDiagnostic, ConfigFileText, ConfigInclude, ConfigSample } from '../../../src-main/api/contract';
import { configCatalog } from '../../../src-main/host/objects/catalog';
import { api } from '../../api';
import { useConnection, useSelectedPrinter } from '../../shell/connection-store';
import { sectionOutline } from './cfg-language';
import { ConfigEditor, type ConfigEditorHandle } from './ConfigEditor';
import { ConfigTools } from './ConfigTools';
import { diffHunks, lineDiff } from './editor-sources';
import { mcuPinDiagnostics, type McuPins } from './mcu-pins';
import './config.css';

const catalog = configCatalog();

export function ConfigPanel(): JSX.Element {
  const { t } = useTranslation('config');
  const printer = useSelectedPrinter();
  const connected = useConnection((s) => s.status === 'connected');
  const printerId = printer?.id ?? '';
  const [file, setFile] = useState<ConfigFileText | null>(null);
  const [text, setText] = useState('');
  const [loadError, setLoadError] = useState<string | null>(null);
  const [diagnostics, setDiagnostics] = useState<ConfigDiagnostic[]>([]);
  const [reviewing, setReviewing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [loadCount, setLoadCount] = useState(0);
  /** An [include]d file open instead of printer.cfg (null: printer.cfg itself). */
  const [openInclude, setOpenInclude] = useState<string | null>(null);
  const [includes, setIncludes] = useState<ConfigInclude[]>([]);
  const [mcuPins, setMcuPins] = useState<McuPins | null>(null);
  const editor = useRef<ConfigEditorHandle>(null);

  useEffect(() => setOpenInclude(null), [printerId]);

  // The MCU's own pin names, once it is connected (its dictionary comes with the connection).
  const printerState = printer?.state;
  useEffect(() => {
    if (!printerId || !connected) return;
    let live = true;
    api()
      .call('config.mcuPins', { printerId })
      .then((p) => live && setMcuPins(p))
      .catch(() => live && setMcuPins(null));
    return () => {
      live = false;
    };
  }, [printerId, connected, printerState]);

  useEffect(() => {
    if (!printerId || !connected) return;
    let live = true;
    api()
      .call('config.includes', { printerId })
      .then((list) => live && setIncludes(list))
      .catch(() => live && setIncludes([]));
    return () => {
      live = false;
    };
  }, [printerId, connected, loadCount]);

  useEffect(() => {
    if (!printerId || !connected) return;
    let live = true;
    setLoadError(null);
    api()
      .call('config.read', openInclude ? { printerId, file: openInclude } : { printerId })
      .then((f) => {
        if (!live) return;
        setFile(f);
        setText(f.text);
        setLoadCount((n) => n + 1);
      })
      .catch((e: unknown) => {
        if (!live) return;
        setFile(null);
        setLoadError(e instanceof Error ? e.message : String(e));
      });
    return () => {
      live = false;
    };
  }, [printerId, connected, openInclude]);

  const validate = useCallback(
    async (body: string) => {
      const found = await api().call('config.validate', openInclude ? { printerId, text: body, file: openInclude } : { printerId, text: body });
      return mcuPins ? [...found, ...mcuPinDiagnostics(body, mcuPins, catalog)].sort((a, b) => a.line - b.line) : found;
    },
    [printerId, openInclude, mcuPins],
  );
  /** Ctrl/Cmd-click or F12 on an [include] line: open what it names (a glob's first match). */
  const openIncludeAt = useCallback(
    (line: number) => {
      const from = file?.path;
      const target = includes.find((i) => i.fromFile === from && i.fromLine === line);
      if (target) setOpenInclude(target.path);
      else setNotice(t('includeNotFound'));
    },
    [file?.path, includes, t],
  );
  const outline = useMemo(() => sectionOutline(text), [text]);
  const dirty = file !== null && text !== file.text;
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const diff = useMemo(() => (reviewing && file ? diffHunks(lineDiff(file.text, text)) : []), [reviewing, file, text]);

  const save = async (restart: boolean): Promise<void> => {
    if (!file) return;
    setBusy(true);
    setNotice(null);
    try {
      await api().call('config.write', openInclude ? { printerId, text, file: openInclude } : { printerId, text });
      setFile({ ...file, text });
      setReviewing(false);
      if (restart) {
        setNotice(t('restarting'));
        const status = await api().call('printers.restart', { printerId });
        setNotice(status.state === 'ready' ? t('restartedReady') : t('restartedState', { state: status.state, message: status.message }));
      } else setNotice(t('saved'));
    } catch (e) {
      setNotice(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel config-panel" aria-labelledby="config-title">
      <header className="panel-header">
        <div>
          <h1 id="config-title">{t('title')}</h1>
          <p className="mono muted cfg-path" data-testid="config-path">
            {file?.path ?? printer?.configPath ?? t('noConfig')}
          </p>
          {openInclude && (
            <button type="button" className="btn btn-ghost" onClick={() => setOpenInclude(null)} disabled={dirty} title={dirty ? t('saveFirst') : undefined}>
              {t('backToMain')}
            </button>
          )}
        </div>
        <div className="panel-actions">
          <span className={errors ? 'cfg-status bad' : 'cfg-status ok'} data-testid="config-status">
            {errors || warnings ? t('problems', { errors, warnings }) : t('noProblems')}
          </span>
          <button type="button" className="btn" disabled={!dirty || busy} onClick={() => file && (setText(file.text), setLoadCount((n) => n + 1))}>
            {t('revert')}
          </button>
          <button type="button" className="btn btn-primary" disabled={!dirty || busy} onClick={() => setReviewing(true)} data-testid="config-save">
            {t('save')}
          </button>
        </div>
      </header>
      {notice && (
        <p className="cfg-notice" role="status">
          {notice}
        </p>
      )}
      {loadError && (
        <div className="card">
          <p className="cfg-load-error">{loadError}</p>
        </div>
      )}
      <NewPrinter />
      {file && (
        <div className="cfg-layout">
          <nav className="cfg-outline" aria-label={t('outline')}>
            <h2>{t('outline')}</h2>
            <ul>
              {outline.map((s) => {
                const bad = diagnostics.some((d) => d.line >= s.line && d.line < (outline.find((o) => o.line > s.line)?.line ?? Infinity));
                return (
                  <li key={`${s.name}:${s.line}`}>
                    <button type="button" className={bad ? 'has-problem' : undefined} onClick={() => editor.current?.goToLine(s.line)}>
                      {s.name}
                    </button>
                  </li>
                );
              })}
            </ul>
            {includes.length > 0 && (
              <>
                <h2>{t('includes')}</h2>
                <ul data-testid="config-includes">
                  {includes.map((inc) => (
                    <li key={inc.path}>
                      <button
                        type="button"
                        className={inc.path === file.path ? 'active' : undefined}
                        onClick={() => setOpenInclude(inc.path)}
                        disabled={dirty && inc.path !== file.path}
                        title={`[include ${inc.pattern}] — ${inc.fromFile}:${inc.fromLine}`}
                      >
                        {inc.path.split(/[\\/]/).pop()}
                      </button>
                    </li>
                  ))}
                </ul>
              </>
            )}
            {mcuPins && <p className="muted cfg-pins-note">{t('pinsChecked', { mcu: mcuPins.mcu, count: mcuPins.pins.length })}</p>}
          </nav>
          <div className="cfg-main">
            <ConfigEditor
              ref={editor}
              docKey={`${printerId}:${file.path}:${loadCount}`}
              initialText={text}
              catalog={catalog}
              validate={validate}
              onChange={setText}
              onDiagnostics={setDiagnostics}
              onOpenInclude={openIncludeAt}
              includeHint={t('includeHint')}
            />
            {file.saveConfig && (
              <details className="cfg-saveconfig">
                <summary>{t('saveConfigBlock')}</summary>
                <p className="muted">{t('saveConfigHint')}</p>
                <pre data-testid="config-saveconfig">{file.saveConfig}</pre>
              </details>
            )}
          </div>
          <ConfigTools onSetOption={(o, v) => editor.current?.setOptionHere(o, v)} onInsert={(s) => editor.current?.insert(s)} />
        </div>
      )}
      {reviewing && file && (
        <div className="cfg-dialog-backdrop" role="presentation">
          <div className="cfg-dialog" role="dialog" aria-modal="true" aria-labelledby="cfg-diff-title">
            <h2 id="cfg-diff-title">{t('reviewTitle')}</h2>
            {errors > 0 && <p className="cfg-load-error">{t('saveWithErrors', { count: errors })}</p>}
            <div className="cfg-diff" data-testid="config-diff">
              {diff.map((d, i) =>
                d === null ? (
                  <div key={i} className="diff-gap">
                    ⋯
                  </div>
                ) : (
                  <div key={i} className={`diff-${d.kind}`}>
                    <span className="diff-no">{d.oldLine ?? ''}</span>
                    <span className="diff-no">{d.newLine ?? ''}</span>
                    <span className="diff-mark">{d.kind === 'add' ? '+' : d.kind === 'del' ? '−' : ' '}</span>
                    <span className="diff-text">{d.text}</span>
                  </div>
                ),
              )}
            </div>
            <div className="cfg-dialog-actions">
              <button type="button" className="btn" onClick={() => setReviewing(false)} disabled={busy}>
                {t('cancel')}
              </button>
              <button type="button" className="btn" onClick={() => void save(false)} disabled={busy}>
                {t('saveOnly')}
              </button>
              <button type="button" className="btn btn-primary" onClick={() => void save(true)} disabled={busy} data-testid="config-save-restart">
                {t('saveRestart')}
              </button>
            </div>
          </div>
        </div>
      )}
    </section>
  );
}

function NewPrinter(): JSX.Element {
  const { t } = useTranslation('config');
  const [samples, setSamples] = useState<ConfigSample[]>([]);
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [sampleId, setSampleId] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!open) return;
    api()
      .call('config.samples', {})
      .then((s) => {
        setSamples(s);
        setSampleId((id) => id || s[0]?.id || '');
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [open]);
  if (!open)
    return (
      <button type="button" className="btn btn-ghost cfg-new-toggle" onClick={() => setOpen(true)}>
        {t('newPrinter')}
      </button>
    );
  return (
    <form
      className="card cfg-new"
      onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        api()
          .call('config.newPrinter', { name: name.trim(), sampleId })
          .then((p) => {
            useConnection.getState().selectPrinter(p.id);
            setOpen(false);
            setName('');
          })
          .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
      }}
    >
      <h2>{t('newPrinter')}</h2>
      <label>
        {t('sample')}
        <select value={sampleId} onChange={(e) => setSampleId(e.target.value)}>
          {samples.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name} — {s.description}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('printerName')}
        <input value={name} onChange={(e) => setName(e.target.value)} maxLength={80} required />
      </label>
      <div className="cfg-dialog-actions">
        <button type="button" className="btn" onClick={() => setOpen(false)}>
          {t('cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={!name.trim() || !sampleId}>
          {t('create')}
        </button>
      </div>
      {error && <p className="cfg-load-error">{error}</p>}
    </form>
  );
}
