// Jobs: upload G-code (drop or pick), the files with their metadata and thumbnails, start one,
// and follow the current print with pause / resume / cancel.
import { useEffect, useMemo, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { api } from '../../api';
import { useGcodeAction } from '../dashboard/use-gcode';
import { useStatus } from '../dashboard/status-store';
import { CurrentJob } from './CurrentJob';
import { FileList } from './FileList';
import { jobActions, jobOf } from './model';
import { followUploads, useJobs } from './store';
import { UploadZone } from './UploadZone';
import './jobs.css';

export function JobsPanel({ printerId, ready }: { printerId: string; ready: boolean }): JSX.Element {
  const { t } = useTranslation('jobs');
  const printStats = useStatus((s) => s.status.print_stats);
  const sdcard = useStatus((s) => s.status.virtual_sdcard);
  const display = useStatus((s) => s.status.display_status);
  const statusLoaded = useStatus((s) => s.status.toolhead !== undefined);
  const job = useMemo(
    () => jobOf({ print_stats: printStats ?? {}, virtual_sdcard: sdcard ?? {}, display_status: display ?? {} }),
    [printStats, sdcard, display],
  );
  const { files, metadata, uploads, selected, error } = useJobs(
    useShallow((s) => ({ files: s.files, metadata: s.metadata, uploads: s.uploads, selected: s.selected, error: s.error })),
  );
  const action = useGcodeAction(printerId);
  const actions = jobActions(job.state, ready);
  const client = api();

  useEffect(() => {
    void useJobs.getState().refresh(client, printerId);
    return followUploads(client, printerId);
  }, [client, printerId, ready]);

  const slicerEstimateS = job.filename ? (metadata[job.filename]?.meta?.estimatedTimeS ?? null) : null;
  const noSdcard = ready && statusLoaded && !sdcard;
  // Without a G-code folder the host's refusal of files.list says what noFolder says already.
  const shownError = action.error ?? (noSdcard ? null : error);

  return (
    <article className="card jobs-card" data-testid="jobs-panel">
      <h2>{t('title')}</h2>
      {shownError && (
        <div className="alert alert-error" role="alert">
          {shownError}
        </div>
      )}
      <CurrentJob
        job={job}
        actions={actions}
        busy={action.busy}
        slicerEstimateS={slicerEstimateS}
        onPause={() => void action.act(() => client.call('print.pause', { printerId }))}
        onResume={() => void action.act(() => client.call('print.resume', { printerId }))}
        onCancel={() => {
          if (window.confirm(t('actions.confirmCancel', { name: job.filename ?? '' })))
            void action.act(() => client.call('print.cancel', { printerId }));
        }}
      />
      {noSdcard && <p className="muted">{t('files.noFolder')}</p>}
      <UploadZone
        uploads={uploads}
        disabled={!ready || noSdcard}
        onFiles={(list) => void useJobs.getState().upload(client, printerId, list)}
      />
      <FileList
        files={files}
        metadata={metadata}
        selected={selected}
        canStart={actions.start && !action.busy}
        onSelect={(name) => useJobs.getState().select(name)}
        onStart={(name) => void action.act(() => client.call('print.start', { printerId, name }))}
        onDelete={(name) => {
          if (window.confirm(t('files.confirmDelete', { name }))) void useJobs.getState().remove(client, printerId, name);
        }}
      />
    </article>
  );
}
