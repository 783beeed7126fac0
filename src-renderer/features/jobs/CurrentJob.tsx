// The job in progress (or the last one): state, file, progress with elapsed time and ETA, and
// pause / resume / cancel.
import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { Duration } from './Duration';
import { etaSeconds, type JobActions, type JobView } from './model';

export function CurrentJob(props: {
  job: JobView;
  actions: JobActions;
  busy: boolean;
  slicerEstimateS: number | null;
  onPause(): void;
  onResume(): void;
  onCancel(): void;
}): JSX.Element {
  const { job, actions, busy, slicerEstimateS } = props;
  const { t } = useTranslation('jobs');
  const active = job.state === 'printing' || job.state === 'paused';
  const eta = active ? etaSeconds(job.progress, job.printDurationS, slicerEstimateS) : null;

  return (
    <section className="current-job" data-testid="current-job" aria-label={t('current.title')}>
      <div className="job-headline">
        <span className={`job-state job-state-${job.state}`} data-testid="job-state">
          {t(`state.${job.state}`)}
        </span>
        <span className="job-file mono">{job.filename ?? t('current.noFile')}</span>
      </div>
      <progress className="job-progress" max={1} value={job.progress} aria-label={t('current.progress')} />
      <dl className="facts job-facts">
        <dt>{t('current.progress')}</dt>
        <dd className="num" data-testid="job-progress">
          {(job.progress * 100).toFixed(1)}%
        </dd>
        <dt>{t('current.elapsed')}</dt>
        <dd>
          <Duration seconds={job.filename ? job.printDurationS : null} />
        </dd>
        <dt>{t('current.eta')}</dt>
        <dd data-testid="job-eta">
          <Duration seconds={eta} />
        </dd>
        {job.message && (
          <>
            <dt>{t('current.message')}</dt>
            <dd>{job.message}</dd>
          </>
        )}
      </dl>
      <div className="actions">
        <button type="button" className="btn" disabled={busy || !actions.pause} onClick={props.onPause}>
          {t('actions.pause')}
        </button>
        <button type="button" className="btn btn-primary" disabled={busy || !actions.resume} onClick={props.onResume}>
          {t('actions.resume')}
        </button>
        <button type="button" className="btn btn-danger" disabled={busy || !actions.cancel} onClick={props.onCancel}>
          {t('actions.cancel')}
        </button>
      </div>
    </section>
  );
}
