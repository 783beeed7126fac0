// Drop G-code files here or pick them; each upload shows a progress bar until it is listed.
import { useRef, useState, type DragEvent, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { NOT_GCODE, type UploadState } from './store';

export function UploadZone(props: { uploads: UploadState[]; disabled: boolean; onFiles(files: File[]): void }): JSX.Element {
  const { uploads, disabled, onFiles } = props;
  const { t } = useTranslation('jobs');
  const picker = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  const drop = (e: DragEvent): void => {
    e.preventDefault();
    setOver(false);
    if (!disabled && e.dataTransfer.files.length) onFiles([...e.dataTransfer.files]);
  };

  return (
    <div
      className={over ? 'upload-zone over' : 'upload-zone'}
      data-testid="upload-zone"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
    >
      <p>{t('upload.drop')}</p>
      <input
        ref={picker}
        type="file"
        accept=".gcode,.gco,.g"
        multiple
        hidden
        data-testid="upload-input"
        onChange={(e) => {
          if (e.target.files?.length) onFiles([...e.target.files]);
          e.target.value = '';
        }}
      />
      <button type="button" className="btn" disabled={disabled} onClick={() => picker.current?.click()}>
        {t('upload.pick')}
      </button>
      {uploads.map((u) => (
        <div key={u.name} className="upload-row" data-testid="upload-row">
          <span className="mono">{u.name}</span>
          {u.error ? (
            <span className="upload-error" role="alert">
              {u.error === NOT_GCODE ? t('upload.notGcode') : t('upload.failed', { reason: u.error })}
            </span>
          ) : (
            <progress max={u.totalBytes || 1} value={u.doneBytes} aria-label={t('upload.progress', { name: u.name })} />
          )}
        </div>
      ))}
    </div>
  );
}
