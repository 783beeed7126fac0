// Toolpath preview panel: open a G-code file (or show the one the host put in the store), draw
// it, and walk it by true layers. Mount it anywhere; with a client and printer id it also takes
// the bed from the printer's config and follows the printer's print (live progress, opening
// the printing file from its G-code folder).
import { useCallback, useEffect, useRef, useState, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { isPrintingFile, usePreviewStore, type CameraPreset, type ColorMode } from './previewStore';
import { linkPreviewToPrinter, openHostFile } from './hostLink';
import type { ApiClient } from '../../api';
import { PreviewCanvas } from './PreviewCanvas';
import { drawWindow, type RenderMode } from './drawWindow';
import { Feature, featureNames } from './parser/features';
import { featureColors, toolColors } from './viewer/toolpathViewer';

const styles: Record<string, CSSProperties> = {
  root: {
    display: 'flex',
    flexDirection: 'column',
    height: '100%',
    minHeight: 360,
    color: '#dde3ea',
    background: '#181b1f',
    font: '13px system-ui, sans-serif',
  },
  toolbar: { display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center', padding: 6, borderBottom: '1px solid #2c3138' },
  body: { display: 'flex', flex: 1, minHeight: 0 },
  canvasBox: { position: 'relative', flex: 1, minWidth: 0 },
  side: { width: 220, padding: 8, display: 'flex', flexDirection: 'column', gap: 8, borderLeft: '1px solid #2c3138', overflowY: 'auto' },
  overlay: { position: 'absolute', left: 8, top: 8, background: 'rgba(24,27,31,0.85)', padding: '6px 8px', borderRadius: 4 },
  error: { color: '#ff7b72' },
  swatch: { display: 'inline-block', width: 10, height: 10, marginRight: 6, borderRadius: 2 },
};

function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return '-';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.round(s % 60);
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

/**
 * 1720146 -> "1,720,146". Not toLocaleString: its first call loads ICU's number data, ~50 ms of
 * the task that shows a freshly loaded file.
 */
function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export interface PreviewPanelProps {
  /** The API client and printer to follow; without them the preview is a plain file viewer. */
  client?: ApiClient | null;
  printerId?: string | null;
}

export function PreviewPanel({ client = null, printerId = null }: PreviewPanelProps = {}) {
  const { t } = useTranslation('preview');
  const [hostRead, setHostRead] = useState<{ name: string; percent: number; error: string | null } | null>(null);
  useEffect(() => {
    if (!client || !printerId) return;
    return linkPreviewToPrinter(client, printerId);
  }, [client, printerId]);
  const fileInput = useRef<HTMLInputElement>(null);
  const [viewerError, setViewerError] = useState<string | null>(null);
  const onViewerError = useCallback((m: string) => setViewerError(m), []);
  const s = usePreviewStore(
    useShallow((st) => ({
      status: st.status,
      fileName: st.fileName,
      loadedBytes: st.loadedBytes,
      totalBytes: st.totalBytes,
      error: st.error,
      toolpath: st.toolpath,
      layerRange: st.layerRange,
      scrubSegments: st.scrubSegments,
      colorMode: st.colorMode,
      renderMode: st.renderMode,
      showTravel: st.showTravel,
      liveSegment: st.liveSegment,
      liveLayer: st.liveLayer,
      followLive: st.followLive,
      vertexBudget: st.vertexBudget,
      printing: st.printing,
      hostFileName: st.hostFileName,
      overview: st.overview,
      detailFrameAt: st.timings?.detailFrameAt ?? null,
    })),
  );
  const printingOther = s.printing !== null && !isPrintingFile(s, s.printing);
  const openPrinting = () => {
    const name = s.printing?.fileName;
    if (!client || !printerId || !name) return;
    setHostRead({ name, percent: 0, error: null });
    openHostFile(client, printerId, name, (done, total) =>
      setHostRead({ name, percent: Math.floor((100 * done) / Math.max(1, total)), error: null }),
    )
      .then(() => setHostRead(null))
      .catch((e: unknown) => setHostRead({ name, percent: 0, error: e instanceof Error ? e.message : String(e) }));
  };
  const actions = usePreviewStore.getState();
  const tp = s.toolpath;
  const layerCount = tp?.layers.count ?? 0;
  const [lo, hi] = s.layerRange;
  const current = s.liveLayer !== null && s.followLive ? s.liveLayer : hi;
  const topSegments = tp ? tp.layers.startSegment[hi + 1] - tp.layers.startSegment[hi] : 0;
  const win = tp ? drawWindow(tp, lo, hi, s.scrubSegments, s.renderMode, s.vertexBudget) : null;

  const onPick = (files: FileList | null) => {
    const f = files?.[0];
    if (f) actions.loadFile(f, f.name);
  };

  return (
    <div style={styles.root} data-testid="preview-panel">
      <div style={styles.toolbar}>
        <button type="button" onClick={() => fileInput.current?.click()}>
          {t('open')}
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".gcode,.gco,.g,.nc,.txt"
          style={{ display: 'none' }}
          data-testid="preview-file"
          onChange={(e) => onPick(e.currentTarget.files)}
        />
        <span>{s.fileName ?? t('noFile')}</span>
        <label>
          {t('renderMode')}{' '}
          <select value={s.renderMode} onChange={(e) => actions.setRenderMode(e.currentTarget.value as RenderMode)}>
            <option value="lines">{t('mode.lines')}</option>
            <option value="solid">{t('mode.solid')}</option>
          </select>
        </label>
        <label>
          {t('colorBy')}{' '}
          <select
            value={s.colorMode}
            data-testid="preview-color"
            onChange={(e) => actions.setColorMode(e.currentTarget.value as ColorMode)}
          >
            {(['feature', 'speed', 'layer', 'tool'] as const).map((m) => (
              <option key={m} value={m}>
                {t(`color.${m}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={s.showTravel} onChange={(e) => actions.setShowTravel(e.currentTarget.checked)} /> {t('travel')}
        </label>
        <span role="group" aria-label={t('camera.label')}>
          {(['top', 'front', 'iso'] as CameraPreset[]).map((p) => (
            <button key={p} type="button" onClick={() => actions.requestCamera(p)}>
              {t(`camera.${p}`)}
            </button>
          ))}
        </span>
      </div>
      <div style={styles.body}>
        <div style={styles.canvasBox}>
          <PreviewCanvas onError={onViewerError} />
          <div style={styles.overlay} data-testid="preview-status">
            {s.status === 'empty' && t('status.empty')}
            {s.status === 'loading' &&
              t('status.loading', { percent: s.totalBytes ? Math.floor((100 * s.loadedBytes) / s.totalBytes) : 0 })}
            {s.status === 'error' && <span style={styles.error}>{t('status.error', { message: s.error })}</span>}
            {s.status === 'ready' && tp && t('status.ready', { layers: layerCount, segments: groupThousands(tp.segmentCount) })}
            {viewerError && <div style={styles.error}>{t('status.webglError', { message: viewerError })}</div>}
            {win && win.skippedLayers > 0 && <div>{t('budget', { skipped: win.skippedLayers, first: win.firstLayerDrawn + 1 })}</div>}
            {s.liveLayer !== null && <div data-testid="preview-live">{t('live', { layer: s.liveLayer + 1, total: layerCount })}</div>}
            {s.status === 'ready' && s.overview && s.detailFrameAt === null && <div>{t('overview')}</div>}
            {printingOther && s.printing && (
              <div data-testid="preview-printing">
                {t('printing.now', {
                  name: s.printing.fileName,
                  percent: Math.floor(100 * s.printing.progress),
                })}{' '}
                <button
                  type="button"
                  data-testid="preview-open-printing"
                  onClick={openPrinting}
                  disabled={hostRead !== null && !hostRead.error}
                >
                  {t('printing.open')}
                </button>
              </div>
            )}
            {hostRead && !hostRead.error && <div>{t('printing.reading', { name: hostRead.name, percent: hostRead.percent })}</div>}
            {hostRead?.error && <div style={styles.error}>{t('printing.readError', { name: hostRead.name, message: hostRead.error })}</div>}
          </div>
        </div>
        <div style={styles.side}>
          {tp && (
            <>
              <label>
                {t('layers.top', { layer: hi + 1, total: layerCount })}
                <input
                  type="range"
                  min={1}
                  max={layerCount}
                  value={hi + 1}
                  data-testid="preview-layer-high"
                  style={{ width: '100%' }}
                  onChange={(e) => actions.setLayerRange(lo, Number(e.currentTarget.value) - 1)}
                />
              </label>
              <label>
                {t('layers.bottom', { layer: lo + 1 })}
                <input
                  type="range"
                  min={1}
                  max={layerCount}
                  value={lo + 1}
                  data-testid="preview-layer-low"
                  style={{ width: '100%' }}
                  onChange={(e) => actions.setLayerRange(Number(e.currentTarget.value) - 1, hi)}
                />
              </label>
              <label>
                {t('layers.scrub', { shown: s.scrubSegments ?? topSegments, total: topSegments })}
                <input
                  type="range"
                  min={0}
                  max={topSegments}
                  value={s.scrubSegments ?? topSegments}
                  data-testid="preview-scrub"
                  style={{ width: '100%' }}
                  onChange={(e) => {
                    const v = Number(e.currentTarget.value);
                    actions.setScrub(v >= topSegments ? null : v);
                  }}
                />
              </label>
              <dl data-testid="preview-layer-info" style={{ margin: 0 }}>
                <dt>{t('info.layer')}</dt>
                <dd>{t('info.layerOf', { layer: current + 1, total: layerCount })}</dd>
                <dt>{t('info.z')}</dt>
                <dd>{t('info.mm', { value: tp.layers.zMm[current].toFixed(2) })}</dd>
                <dt>{t('info.height')}</dt>
                <dd>{t('info.mm', { value: tp.layers.heightMm[current].toFixed(2) })}</dd>
                <dt>{t('info.time')}</dt>
                <dd>{formatDuration(tp.layers.timeS[current])}</dd>
                <dt>{t('info.totalTime')}</dt>
                <dd>{formatDuration(tp.estimatedTimeS)}</dd>
              </dl>
              {s.liveLayer !== null && (
                <label>
                  <input type="checkbox" checked={s.followLive} onChange={(e) => actions.setFollowLive(e.currentTarget.checked)} />{' '}
                  {t('followLive')}
                </label>
              )}
              <Legend colorMode={s.colorMode} toolCount={tp.toolCount} feedRange={tp.feedRangeMmMin} />
              {tp.warnings.length > 0 && (
                <details>
                  <summary>{t('warnings', { count: tp.warnings.length })}</summary>
                  <ul>
                    {tp.warnings.map((w) => (
                      <li key={`${w.line}-${w.kind}`}>{t(`warning.${w.kind}`, { line: w.line, command: w.command })}</li>
                    ))}
                  </ul>
                </details>
              )}
            </>
          )}
        </div>
      </div>
    </div>
  );
}

function Legend({ colorMode, toolCount, feedRange }: { colorMode: ColorMode; toolCount: number; feedRange: [number, number] }) {
  const { t } = useTranslation('preview');
  if (colorMode === 'feature') {
    return (
      <ul style={{ listStyle: 'none', padding: 0, margin: 0 }} data-testid="preview-legend">
        {featureNames
          .filter((n) => Feature[n] !== Feature.travel)
          .map((n) => (
            <li key={n}>
              <span style={{ ...styles.swatch, background: featureColors[n] }} />
              {t(`feature.${n}`)}
            </li>
          ))}
      </ul>
    );
  }
  if (colorMode === 'tool') {
    return (
      <ul style={{ listStyle: 'none', padding: 0, margin: 0 }} data-testid="preview-legend">
        {Array.from({ length: toolCount }, (_, i) => (
          <li key={i}>
            <span style={{ ...styles.swatch, background: toolColors[i % toolColors.length] }} />
            {t('toolN', { n: i })}
          </li>
        ))}
      </ul>
    );
  }
  if (colorMode === 'speed') {
    return (
      <div data-testid="preview-legend">{t('speedRange', { min: Math.round(feedRange[0] / 60), max: Math.round(feedRange[1] / 60) })}</div>
    );
  }
  return <div data-testid="preview-legend">{t('layerGradient')}</div>;
}
