// Test and benchmark page: the real PreviewPanel with its own i18next set-up, plus hooks the
// tests and the benchmark read (timings, long tasks, pixels).
import { createRoot } from 'react-dom/client';
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from '../../../src-renderer/features/preview/locales/en.json';
import zh from '../../../src-renderer/features/preview/locales/zh-CN.json';
import { PreviewPanel } from '../../../src-renderer/features/preview/PreviewPanel';
import { getActiveViewer } from '../../../src-renderer/features/preview/PreviewCanvas';
import { usePreviewStore } from '../../../src-renderer/features/preview/previewStore';
import { connectApi } from '../../../src-renderer/api';
import './harness.css';

const params = new URLSearchParams(location.search);
const lng = params.get('lng') ?? 'en';
// ?printer=<id>: served by serve mode, follow that printer over the page's WebSocket.
const printerId = params.get('printer');
const client = printerId ? connectApi() : null;
await i18next.use(initReactI18next).init({
  lng,
  fallbackLng: 'en',
  ns: ['preview'],
  defaultNS: 'preview',
  resources: { en: { preview: en }, 'zh-CN': { preview: zh } },
  interpolation: { escapeValue: false },
});

const longTasks: { start: number; duration: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
}).observe({ type: 'longtask', buffered: true });

const snapshots = new Map<string, Uint8Array>();

function readPixels(): Uint8Array {
  const viewer = getActiveViewer();
  if (!viewer) throw new Error('no viewer mounted');
  viewer.renderNow();
  const gl = viewer.renderer.getContext();
  const w = gl.drawingBufferWidth;
  const h = gl.drawingBufferHeight;
  const px = new Uint8Array(w * h * 4);
  gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, px);
  return px;
}

const harness = {
  store: usePreviewStore,
  longTasks,
  /** Resolves with the timings once the first complete frame after a load was drawn. */
  async waitForFirstFrame(timeoutMs: number) {
    const t0 = performance.now();
    for (;;) {
      const s = usePreviewStore.getState();
      if (s.status === 'error') throw new Error(s.error ?? 'load failed');
      if (s.timings?.firstFrameAt) {
        // Wait until the GPU finished that frame: a 1-pixel read waits for every command before
        // it. (Not readPixels() above: it would draw the whole toolpath a second time.)
        const gl = getActiveViewer()!.renderer.getContext();
        const waitAt = performance.now();
        gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
        // waitAt: the task holding this wait is the harness's, not the app's (the bench skips it).
        return { ...s.timings, waitAt, doneAt: performance.now() };
      }
      if (performance.now() - t0 > timeoutMs) throw new Error(`no first frame after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  },
  snapshot(name: string) {
    snapshots.set(name, readPixels());
  },
  /** Pixels (count) that differ by more than a small tolerance between two snapshots. */
  diff(a: string, b: string) {
    const pa = snapshots.get(a)!;
    const pb = snapshots.get(b)!;
    let n = 0;
    for (let i = 0; i < pa.length; i += 4) {
      if (Math.abs(pa[i] - pb[i]) + Math.abs(pa[i + 1] - pb[i + 1]) + Math.abs(pa[i + 2] - pb[i + 2]) > 24) n++;
    }
    return n;
  },
  /** Time to apply a new layer range and draw it: main-thread update, and frame incl. GPU. */
  timeLayerChange(high: number) {
    const viewer = getActiveViewer()!;
    const t0 = performance.now();
    usePreviewStore.getState().setLayerRange(0, high);
    const t1 = performance.now();
    readPixels();
    const t2 = performance.now();
    return { updateMs: t1 - t0, renderMs: viewer.lastRenderMs, frameMs: t2 - t1 };
  },
  heapBytes(): number {
    return (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? NaN;
  },
  drawn: () => getActiveViewer()?.drawn ?? null,
  drawing: () => getActiveViewer()?.drawing ?? null,
  /** Resolves once the full detail replaced the overview (at once when there was none). */
  async waitForDetail(timeoutMs: number) {
    const t0 = performance.now();
    for (;;) {
      const t = usePreviewStore.getState().timings;
      if (t?.detailFrameAt) {
        const gl = getActiveViewer()!.renderer.getContext();
        gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
        return { ...t, detailDoneAt: performance.now() };
      }
      if (performance.now() - t0 > timeoutMs) throw new Error(`no full-detail frame after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  },
  viewer: () => getActiveViewer(),
};
Object.assign(window, { previewHarness: harness });

createRoot(document.getElementById('root')!).render(<PreviewPanel client={client} printerId={printerId} />);
