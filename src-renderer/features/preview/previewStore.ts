// The preview's zustand slice: what file is loaded, what part of it to draw and how.
// The heavy data (typed arrays) is held by reference; nothing here loops over segments.
import { create } from 'zustand';
import { layerOfSegment, segmentsBeforeFilePosition, type Toolpath } from './parser/toolpath';
import { createParserWorker, type ParserReply, type ParserStats } from './parserWorker';
import type { RenderMode } from './drawWindow';

export type ColorMode = 'feature' | 'speed' | 'layer' | 'tool';
export type CameraPreset = 'top' | 'front' | 'iso';
export type LoadStatus = 'empty' | 'loading' | 'ready' | 'error';

/** Printable space from the printer's config (stepper position_min/position_max), mm. */
export interface BuildVolume {
  x: [number, number];
  y: [number, number];
  z: [number, number];
}

export interface PreviewTimings {
  /** performance.now() when the file was handed to loadFile. */
  selectedAt: number;
  parsedAt: number | null;
  parser: ParserStats | null;
  uploadedAt: number | null;
  /** First frame with every (budgeted) segment drawn. */
  firstFrameAt: number | null;
  /** How long the main thread spent in that frame's render call, ms. */
  firstFrameRenderMs: number | null;
}

export interface PreviewState {
  status: LoadStatus;
  fileName: string | null;
  loadedBytes: number;
  totalBytes: number;
  /** Load failure, already worded for the user (file name + what to do). */
  error: string | null;
  toolpath: Toolpath | null;
  /** Inclusive layer range drawn. */
  layerRange: [number, number];
  /** Segments of the top layer shown by the within-layer scrubber; null = the whole layer. */
  scrubSegments: number | null;
  colorMode: ColorMode;
  renderMode: RenderMode;
  showTravel: boolean;
  buildVolume: BuildVolume;
  /** Host's position in the printing file (bytes), or null when not printing this file. */
  liveFilePosition: number | null;
  /** Segments already printed at liveFilePosition. */
  liveSegment: number | null;
  liveLayer: number | null;
  /** Keep the whole part drawn and the view on the printing layer while live. */
  followLive: boolean;
  /** Most vertices drawn per frame; layers beyond it are skipped (see drawWindow). */
  vertexBudget: number;
  /** Budget chosen from the renderer (software GL gets a smaller one) until the user sets one. */
  vertexBudgetIsAuto: boolean;
  softwareRenderer: boolean;
  /** Bumped on every camera preset request so the same preset can be asked for twice. */
  cameraRequest: { preset: CameraPreset; seq: number };
  timings: PreviewTimings | null;

  loadFile(file: Blob, name: string): void;
  /** For hosts that parsed the file themselves. */
  setToolpath(toolpath: Toolpath, name: string): void;
  setLayerRange(low: number, high: number): void;
  setScrub(segments: number | null): void;
  setColorMode(mode: ColorMode): void;
  setRenderMode(mode: RenderMode): void;
  setShowTravel(show: boolean): void;
  setBuildVolume(volume: BuildVolume): void;
  setLiveProgress(filePosition: number | null): void;
  setFollowLive(follow: boolean): void;
  /** A number of vertices, or null for the automatic budget. */
  setVertexBudget(vertices: number | null): void;
  /** Called by the viewer: software GL (SwiftShader, llvmpipe) draws far fewer vertices per second. */
  setSoftwareRenderer(software: boolean): void;
  requestCamera(preset: CameraPreset): void;
  /** Called by the viewer when its GPU upload / first full frame finished. */
  markTiming(what: 'uploadedAt' | 'firstFrameAt', renderMs?: number): void;
  clear(): void;
}

/** 20 M vertices: lines for ~10 M segments, well within any discrete or integrated GPU. */
export const defaultVertexBudget = 20_000_000;
/** Software GL rasterises ~1-2 M line segments per second per core: keep a frame near a second. */
export const softwareVertexBudget = 3_000_000;
export const defaultBuildVolume: BuildVolume = { x: [0, 220], y: [0, 220], z: [0, 250] };

let worker: Worker | null = null;
let loadId = 0;

function validVolume(v: BuildVolume): boolean {
  return (['x', 'y', 'z'] as const).every(
    (a) => Array.isArray(v[a]) && Number.isFinite(v[a][0]) && Number.isFinite(v[a][1]) && v[a][1] > v[a][0],
  );
}

export const usePreviewStore = create<PreviewState>()((set, get) => ({
  status: 'empty',
  fileName: null,
  loadedBytes: 0,
  totalBytes: 0,
  error: null,
  toolpath: null,
  layerRange: [0, 0],
  scrubSegments: null,
  colorMode: 'feature',
  renderMode: 'lines',
  showTravel: false,
  buildVolume: defaultBuildVolume,
  liveFilePosition: null,
  liveSegment: null,
  liveLayer: null,
  followLive: true,
  vertexBudget: defaultVertexBudget,
  vertexBudgetIsAuto: true,
  softwareRenderer: false,
  cameraRequest: { preset: 'iso', seq: 0 },
  timings: null,

  loadFile(file, name) {
    worker?.terminate();
    const id = ++loadId;
    set({
      status: 'loading',
      fileName: name,
      loadedBytes: 0,
      totalBytes: file.size,
      error: null,
      toolpath: null,
      liveSegment: null,
      liveLayer: null,
      timings: { selectedAt: performance.now(), parsedAt: null, parser: null, uploadedAt: null, firstFrameAt: null, firstFrameRenderMs: null },
    });
    let w: Worker;
    try {
      w = createParserWorker();
    } catch (err) {
      set({ status: 'error', error: `${name}: ${err instanceof Error ? err.message : String(err)}` });
      return;
    }
    worker = w;
    w.onmessage = (ev: MessageEvent<ParserReply>) => {
      const msg = ev.data;
      if (msg.id !== loadId) return;
      if (msg.type === 'progress') {
        set({ loadedBytes: msg.loadedBytes, totalBytes: msg.totalBytes });
      } else if (msg.type === 'done') {
        w.terminate();
        if (worker === w) worker = null;
        const timings = get().timings;
        get().setToolpath(msg.toolpath, name);
        if (timings) set({ timings: { ...timings, parsedAt: performance.now(), parser: msg.stats } });
      } else {
        w.terminate();
        set({ status: 'error', error: `${name}: ${msg.message}` });
      }
    };
    w.onerror = (ev) => {
      if (id !== loadId) return;
      set({ status: 'error', error: `${name}: ${ev.message || 'the G-code parser stopped'}` });
    };
    w.postMessage({ id, file });
  },

  setToolpath(toolpath, name) {
    set({
      status: 'ready',
      fileName: name,
      toolpath,
      loadedBytes: toolpath.fileSizeBytes,
      totalBytes: toolpath.fileSizeBytes,
      layerRange: [0, toolpath.layers.count - 1],
      scrubSegments: null,
      error: null,
    });
    const pos = get().liveFilePosition;
    if (pos !== null) get().setLiveProgress(pos);
  },

  setLayerRange(low, high) {
    const tp = get().toolpath;
    const last = tp ? tp.layers.count - 1 : 0;
    const hi = Math.max(0, Math.min(last, Math.round(high)));
    const lo = Math.max(0, Math.min(hi, Math.round(low)));
    const [oldLo, oldHi] = get().layerRange;
    if (lo === oldLo && hi === oldHi) return;
    // A new top layer shows whole; the scrubber then walks within it.
    set({ layerRange: [lo, hi], scrubSegments: hi === oldHi ? get().scrubSegments : null });
  },

  setScrub(segments) {
    set({ scrubSegments: segments === null ? null : Math.max(0, Math.round(segments)) });
  },
  setColorMode: (colorMode) => set({ colorMode }),
  setRenderMode: (renderMode) => set({ renderMode }),
  setShowTravel: (showTravel) => set({ showTravel }),

  setBuildVolume(volume) {
    if (!validVolume(volume)) {
      throw new Error(
        `preview build volume ${JSON.stringify(volume)} is invalid: each axis needs [min, max] with max > min (mm)`,
      );
    }
    set({ buildVolume: { x: [...volume.x], y: [...volume.y], z: [...volume.z] } });
  },

  setLiveProgress(filePosition) {
    const tp = get().toolpath;
    if (filePosition === null || !Number.isFinite(filePosition)) {
      set({ liveFilePosition: null, liveSegment: null, liveLayer: null });
      return;
    }
    if (!tp) {
      set({ liveFilePosition: filePosition, liveSegment: null, liveLayer: null });
      return;
    }
    const liveSegment = segmentsBeforeFilePosition(tp, filePosition);
    const liveLayer = layerOfSegment(tp, Math.max(0, liveSegment - 1));
    const patch: Partial<PreviewState> = { liveFilePosition: filePosition, liveSegment, liveLayer };
    if (get().followLive) {
      patch.layerRange = [get().layerRange[0], tp.layers.count - 1];
      patch.scrubSegments = null;
    }
    set(patch);
  },

  setFollowLive: (followLive) => set({ followLive }),
  setVertexBudget(vertices) {
    if (vertices === null) {
      set({ vertexBudgetIsAuto: true, vertexBudget: get().softwareRenderer ? softwareVertexBudget : defaultVertexBudget });
      return;
    }
    if (!(vertices >= 1000)) throw new Error(`preview vertex budget ${vertices} is too small: use at least 1000`);
    set({ vertexBudget: Math.floor(vertices), vertexBudgetIsAuto: false });
  },
  setSoftwareRenderer(software) {
    set({ softwareRenderer: software });
    if (get().vertexBudgetIsAuto) get().setVertexBudget(null);
  },
  requestCamera(preset) {
    set({ cameraRequest: { preset, seq: get().cameraRequest.seq + 1 } });
  },
  markTiming(what, renderMs) {
    const t = get().timings;
    if (!t || t[what] !== null) return;
    set({ timings: { ...t, [what]: performance.now(), ...(renderMs !== undefined ? { firstFrameRenderMs: renderMs } : {}) } });
  },
  clear() {
    worker?.terminate();
    worker = null;
    loadId++;
    set({ status: 'empty', fileName: null, toolpath: null, error: null, liveSegment: null, liveLayer: null, timings: null });
  },
}));
