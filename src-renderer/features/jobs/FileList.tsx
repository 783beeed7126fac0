// The printer's G-code files with thumbnail and slicer metadata; start or delete one.
import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { GCodeFileInfo, GCodeMetadata } from '../../../src-main/api/contract';
import { Icon } from '../../shell/icons';
import { Duration, Size } from './Duration';
import { pickThumbnail, thumbnailUrl } from './model';

const THUMB_PX = 64;

function FileRow(props: {
  file: GCodeFileInfo;
  meta: GCodeMetadata | null | undefined;
  selected: boolean;
  canStart: boolean;
  onSelect(): void;
  onStart(): void;
  onDelete(): void;
}): JSX.Element {
  const { file, meta, selected } = props;
  const { t } = useTranslation('jobs');
  const thumb = meta ? pickThumbnail(meta.thumbnails, THUMB_PX) : null;
  return (
    <li className={selected ? 'file-row selected' : 'file-row'} data-testid="file-row" data-name={file.name} onClick={props.onSelect}>
      <div className="thumb">
        {thumb ? (
          <img src={thumbnailUrl(thumb)} alt={t('files.thumbnail', { name: file.name })} width={THUMB_PX} height={THUMB_PX} />
        ) : (
          <span aria-hidden="true">G</span>
        )}
      </div>
      <div className="file-info">
        <span className="file-name mono">{file.name}</span>
        <span className="file-meta muted">
          <Size bytes={file.sizeBytes} />
          {' · '}
          {new Date(file.modifiedMs).toLocaleString()}
          {meta?.estimatedTimeS ? (
            <>
              {' · '}
              {t('files.estimate')} <Duration seconds={meta.estimatedTimeS} />
            </>
          ) : null}
          {meta?.filamentUsedMm ? ` · ${t('files.filament', { m: (meta.filamentUsedMm / 1000).toFixed(2) })}` : null}
          {meta?.layerHeightMm ? ` · ${t('files.layer', { mm: meta.layerHeightMm })}` : null}
          {meta?.slicer ? ` · ${meta.slicer}${meta.slicerVersion ? ` ${meta.slicerVersion}` : ''}` : null}
        </span>
      </div>
      <div className="file-actions">
        <button
          type="button"
          className="btn btn-primary"
          disabled={!props.canStart}
          onClick={(e) => {
            e.stopPropagation();
            props.onStart();
          }}
        >
          {t('actions.start')}
        </button>
        <button
          type="button"
          className="btn btn-ghost"
          aria-label={t('files.delete', { name: file.name })}
          title={t('files.delete', { name: file.name })}
          disabled={!props.canStart}
          onClick={(e) => {
            e.stopPropagation();
            props.onDelete();
          }}
        >
          <Icon name="trash" size={16} />
        </button>
      </div>
    </li>
  );
}

export function FileList(props: {
  files: GCodeFileInfo[];
  metadata: Record<string, { meta: GCodeMetadata | null }>;
  selected: string | null;
  canStart: boolean;
  onSelect(name: string): void;
  onStart(name: string): void;
  onDelete(name: string): void;
}): JSX.Element {
  const { t } = useTranslation('jobs');
  if (!props.files.length) return <p className="muted">{t('files.none')}</p>;
  return (
    <ul className="file-list" data-testid="file-list">
      {props.files.map((f) => (
        <FileRow
          key={f.name}
          file={f}
          meta={props.metadata[f.name]?.meta}
          selected={props.selected === f.name}
          canStart={props.canStart}
          onSelect={() => props.onSelect(f.name)}
          onStart={() => props.onStart(f.name)}
          onDelete={() => props.onDelete(f.name)}
        />
      ))}
    </ul>
  );
}
