// The flashing wizard: pick board -> pick image -> enter bootloader -> flash (progress + live
// log) -> verified -> reconnect. Rules live in store.ts; this file only renders them.
import { useEffect, type ChangeEvent, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { FlashClient } from './client';
import './flash.css';
import { bootloaderInstructionKey, canStart, filteredBoards, percent, selectedBoard, targetKind, useFlashWizard, WIZARD_STEPS, type WizardStep } from './store';

export function FlashWizard({ client }: { client: FlashClient }): JSX.Element {
  const { t } = useTranslation('flash');
  const s = useFlashWizard();
  const board = selectedBoard(s);

  // Subscribe once per client; the store's actions are stable.
  useEffect(() => {
    void useFlashWizard.getState().load(client);
    const offFlash = client.onEvent((e) => useFlashWizard.getState().applyEvent(e));
    const offBuild = client.onBuildEvent?.((e) => useFlashWizard.getState().applyBuildEvent(client, e));
    return () => {
      offFlash();
      offBuild?.();
    };
  }, [client]);

  const stepIndex = (step: WizardStep) => WIZARD_STEPS.indexOf(step === 'failed' ? 'flashing' : step);

  return (
    <section className="panel flash-wizard" aria-labelledby="flash-title">
      <header className="panel-header">
        <h1 id="flash-title">{t('title')}</h1>
      </header>
      <ol className="flash-steps" aria-label={t('stepsLabel')}>
        {WIZARD_STEPS.map((step) => (
          <li key={step} aria-current={stepIndex(s.step) === stepIndex(step) ? 'step' : undefined} className={stepIndex(step) < stepIndex(s.step) ? 'muted' : undefined}>
            {t(`steps.${step}`)}
          </li>
        ))}
      </ol>
      {s.reflash && (
        <div className="alert alert-warning flash-reflash" role="status" data-testid="reflash-banner">
          {t('reflash.banner')}
        </div>
      )}
      {s.loadError && (
        <div className="alert alert-error" role="alert">
          {t('loadError', { message: s.loadError })}
        </div>
      )}

      {s.step === 'board' && (
        <div className="card">
          <h2>{t('board.title')}</h2>
          <label>
            {t('board.search')}
            <input value={s.boardFilter} onChange={(e) => s.setBoardFilter(e.target.value)} placeholder={t('board.searchPlaceholder')} />
          </label>
          <ul className="flash-board-list" aria-label={t('board.listLabel')}>
            {filteredBoards(s).map((b) => (
              <li key={b.id}>
                <button type="button" className="btn" onClick={() => void s.chooseBoard(client, b.id)}>
                  {b.name}
                </button>
                <span className="muted">
                  {' '}
                  {t('board.facts', { mcu: b.mcu, mhz: Math.round(b.clockHz / 1e6) })}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}

      {s.step === 'image' && board && (
        <div className="card">
          <h2>{t('image.title', { board: board.name })}</h2>
          <p className="hint">{board.notes}</p>
          {board.flashMethods.length > 1 && (
            <label>
              {t('image.method')}
              <select value={s.method ?? ''} onChange={(e) => s.chooseMethod(e.target.value as typeof board.flashMethods[number])}>
                {board.flashMethods.map((m) => (
                  <option key={m} value={m}>
                    {t(`method.${m}`)}
                  </option>
                ))}
              </select>
            </label>
          )}
          {s.images.length > 0 && (
            <fieldset>
              <legend>{t('image.available')}</legend>
              {s.images.map((img) => (
                <label key={img.id}>
                  <input type="radio" name="image" checked={s.image?.kind === 'choice' && s.image.choice.id === img.id} onChange={() => s.chooseImage(img)} />
                  {img.label} <span className="muted">{t(`image.source.${img.source}`)}</span>
                </label>
              ))}
            </fieldset>
          )}
          <BuildBox client={client} />
          <label>
            {t('image.file')}
            <input type="file" accept=".hex,.bin,.uf2" onChange={(e) => void readChosenFile(e, s.chooseFile)} />
          </label>
          {s.image && <p className="mono">{s.image.kind === 'file' ? t('image.chosenFile', { name: s.image.fileName, bytes: s.image.content.length }) : s.image.choice.label}</p>}
          <div className="actions">
            <button type="button" className="btn btn-ghost" onClick={() => s.goTo('board')}>
              {t('back')}
            </button>
            <button
              type="button"
              className="btn btn-primary"
              disabled={!s.image}
              onClick={() => {
                s.goTo('bootloader');
                void s.refreshTargets(client);
              }}
            >
              {t('next')}
            </button>
          </div>
        </div>
      )}

      {s.step === 'bootloader' && board && s.method && (
        <div className="card">
          <h2>{t('bootloader.title')}</h2>
          <p>{t(`bootloader.how.${bootloaderInstructionKey(board, s.method)}`)}</p>
          {targetKind(s.method) === 'port' ? (
            <label>
              {t('bootloader.port')}
              <select value={s.port ?? ''} onChange={(e) => s.choosePort(e.target.value)}>
                <option value="">{t('bootloader.choosePort')}</option>
                {s.ports.map((p) => (
                  <option key={p.path} value={p.path}>
                    {p.knownName ? `${p.path} — ${p.knownName}` : p.path}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <label>
              {t('bootloader.drive')}
              <select value={s.drivePath ?? ''} onChange={(e) => s.chooseDrive(e.target.value)}>
                <option value="">{t('bootloader.chooseDrive')}</option>
                {s.drives.map((d) => (
                  <option key={d.path} value={d.path}>
                    {d.label} ({d.path})
                  </option>
                ))}
              </select>
            </label>
          )}
          <div className="actions">
            <button type="button" className="btn btn-ghost" onClick={() => s.goTo('image')}>
              {t('back')}
            </button>
            <button type="button" className="btn" onClick={() => void s.refreshTargets(client)}>
              {t('bootloader.rescan')}
            </button>
            <button type="button" className="btn btn-primary" disabled={!canStart(s)} onClick={() => void s.start(client)}>
              {t('bootloader.start')}
            </button>
          </div>
        </div>
      )}

      {(s.step === 'flashing' || s.step === 'done' || s.step === 'failed') && (
        <div className="card">
          <h2>{s.step === 'done' ? t('done.title') : s.step === 'failed' ? t('failed.title') : t('flashing.title')}</h2>
          {s.step === 'flashing' && (
            <>
              <p>{s.phase ? t(`phase.${s.phase}`) : t('phase.starting')}</p>
              <progress max={100} value={percent(s.doneBytes, s.totalBytes)} aria-label={t('flashing.progressLabel')} />
              <span className="mono"> {percent(s.doneBytes, s.totalBytes)}%</span>
              <div className="actions">
                <button type="button" className="btn btn-danger" onClick={() => void s.cancel(client)} disabled={!s.jobId}>
                  {t('flashing.cancel')}
                </button>
              </div>
            </>
          )}
          {s.step === 'done' && s.result && (
            <>
              <p>{t('done.summary', { bytes: s.result.bytesWritten, seconds: (s.result.durationMs / 1000).toFixed(1) })}</p>
              <p>{t(`done.verified.${s.result.verifiedBy}`)}</p>
              {s.result.fileWritten && <p className="mono">{t('done.file', { file: s.result.fileWritten })}</p>}
              {client.reconnect && targetKind(s.method) === 'port' && (
                <button type="button" className="btn btn-primary" onClick={() => void s.reconnect(client)}>
                  {t('done.reconnect')}
                </button>
              )}
              {s.reconnected && <p>{t('done.reconnected', { firmware: s.reconnected })}</p>}
              <button type="button" className="btn" onClick={() => s.reset()}>
                {t('done.again')}
              </button>
            </>
          )}
          {s.step === 'failed' && s.error && (
            <>
              <div className="alert alert-error" role="alert">
                <p>{s.error.message}</p>
                {s.error.fix && (
                  <p>
                    <strong>{t('failed.fixLabel')}</strong> {s.error.fix}
                  </p>
                )}
              </div>
              <div className="actions">
                <button type="button" className="btn btn-primary" onClick={() => s.goTo('bootloader')}>
                  {t('failed.retry')}
                </button>
                <button type="button" className="btn" onClick={() => s.goTo('image')}>
                  {t('failed.otherImage')}
                </button>
                <button type="button" className="btn btn-ghost" onClick={() => s.goTo('board')}>
                  {t('failed.otherBoard')}
                </button>
              </div>
            </>
          )}
          <h3>{t('log.title')}</h3>
          <pre className="mono flash-log" role="log" aria-label={t('log.title')}>
            {s.log.map((l, i) => (
              <div key={i} className={`kind-${l.level === 'error' ? 'error' : 'info'}`}>
                {l.text}
              </div>
            ))}
          </pre>
        </div>
      )}
    </section>
  );
}

/** "Build Tether firmware for this board": toolchain state, build button, progress, live log, cancel, errors with fixes. */
function BuildBox({ client }: { client: FlashClient }): JSX.Element | null {
  const { t } = useTranslation('flash');
  const b = useFlashWizard((s) => s.build);
  const startBuild = useFlashWizard((s) => s.startBuild);
  const cancelBuild = useFlashWizard((s) => s.cancelBuild);
  if (!client.startBuild || !b.status) return null;
  const stepPercent = b.totalSteps > 0 ? Math.round((100 * b.doneSteps) / b.totalSteps) : 0;
  return (
    <fieldset className="flash-build" data-testid="flash-build">
      <legend>{t('build.title')}</legend>
      {!b.status.buildable && (
        <div className="alert alert-warning" role="status">
          <p>{t('build.cannot')}</p>
          <ul>
            {b.status.problems.map((p, i) => (
              <li key={i}>
                {p.message} {p.fix && <span className="muted">{p.fix}</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
      {b.status.warnings.map((w, i) => (
        <p key={i} className="hint">
          {w}
        </p>
      ))}
      {!b.running && (
        <div className="actions">
          {b.status.buildable && (
            <button type="button" className="btn" onClick={() => void startBuild(client)}>
              {b.result || b.error ? t('build.again') : t('build.start')}
            </button>
          )}
          <button type="button" className="btn btn-ghost" onClick={() => void useFlashWizard.getState().checkBuild(client, true)}>
            {t('build.recheck')}
          </button>
        </div>
      )}
      {b.running && (
        <>
          <p>{t('build.step', { step: b.stepName || '…', done: b.doneSteps, total: b.totalSteps || '?' })}</p>
          <progress max={100} value={stepPercent} aria-label={t('build.progressLabel')} />
          <span className="mono"> {stepPercent}%</span>
          <div className="actions">
            <button type="button" className="btn btn-danger" onClick={() => void cancelBuild(client)} disabled={!b.buildId}>
              {t('build.cancel')}
            </button>
          </div>
        </>
      )}
      {b.result && !b.running && <p role="status">{t('build.done', { bytes: b.result.imageBytes, max: b.result.maxImageBytes, seconds: (b.result.durationMs / 1000).toFixed(1) })}</p>}
      {b.error && !b.running && (
        <div className="alert alert-error" role="alert">
          <p>{b.error.code === 'cancelled' ? t('build.cancelled') : b.error.message}</p>
          {b.error.fix && b.error.code !== 'cancelled' && (
            <p>
              <strong>{t('failed.fixLabel')}</strong> {b.error.fix}
            </p>
          )}
        </div>
      )}
      {b.log.length > 0 && (
        <pre className="mono flash-log" role="log" aria-label={t('build.logLabel')}>
          {b.log.map((l, i) => (
            <div key={i} className={`kind-${l.level === 'error' ? 'error' : 'info'}`}>
              {l.text}
            </div>
          ))}
        </pre>
      )}
    </fieldset>
  );
}

async function readChosenFile(e: ChangeEvent<HTMLInputElement>, choose: (name: string, content: Uint8Array) => void): Promise<void> {
  const file = e.target.files?.[0];
  if (!file) return;
  choose(file.name, new Uint8Array(await file.arrayBuffer()));
}
