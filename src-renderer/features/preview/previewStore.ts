// The preview's zustand slice: what file is loaded, what part of it to draw and how.
// The heavy data (typed arrays) is held by reference; nothing here loops over segments.
import { create } from 'zustand';
import { layerOfSegment, segmentsBeforeFilePosition, type Toolpath } from './parser/toolpath';
import {
  createParserWorker,
  LEAD_FRACTION,
  PARALLEL_MIN_BYTES,
  type ParserReply,
  type ParserRequest,
  type ParserStats,
} from './parserWorker';
import type { RenderMode } from './drawWindow';
import type { Overview } from './overview';

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
  /**
   * First complete frame: the whole object drawn, at overview level of detail when the file
   * has more segments than the overview budget (see overview.ts), else in full.
   */
  firstFrameAt: number | null;
  /** First frame in full detail (same as firstFrameAt when no overview was needed). */
  detailFrameAt: number | null;
  /** Overview segments drawn in the first frame (null: none, the full toolpath was drawn). */
  overviewSegments: number | null;
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
  /** Decimated copy for the first frame and camera moves; null for small files. */
  overview: Overview | null;
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
  /** What the connected printer prints now (from its status), or null when idle / not connected. */
  printing: PrintingFile | null;
  /** The loaded file came from the printer's G-code folder under this name. */
  hostFileName: string | null;
  /** Most vertices drawn per frame; layers beyond it are skipped (see drawWindow). */
  vertexBudget: number;
  /** Budget chosen from the renderer (software GL gets a smaller one) until the user sets one. */
  vertexBudgetIsAuto: boolean;
  softwareRenderer: boolean;
  /** Bumped on every camera preset request so the same preset can be asked for twice. */
  cameraRequest: { preset: CameraPreset; seq: number };
  timings: PreviewTimings | null;
  /** How files are parsed (tests and benchmarks change these; null = automatic). */
  loadOptions: LoadOptions;

  setLoadOptions(options: Partial<LoadOptions>): void;
  /** `hostName`: the file's name in the printer's G-code folder, when it came from there. */
  loadFile(file: Blob, name: string, hostName?: string | null): void;
  /** For hosts that parsed the file themselves. */
  setToolpath(toolpath: Toolpath, name: string, overview?: Overview | null): void;
  /** The printer's status (see hostLink.ts): live progress when it prints the previewed file. */
  setPrinting(printing: PrintingFile | null): void;
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
  markTiming(what: 'uploadedAt' | 'firstFrameAt' | 'detailFrameAt', renderMs?: number): void;
  clear(): void;
}

/** 20 M vertices: lines for ~10 M segments, well within any discrete or integrated GPU. */
export const defaultVertexBudget = 20_000_000;
/** Software GL rasterises ~1-2 M line segments per second per core: keep a frame near a second. */
export const softwareVertexBudget = 3_000_000;
export const defaultBuildVolume: BuildVolume = { x: [0, 220], y: [0, 220], z: [0, 250] };
/** Overview size: software GL draws ~1 M lines a second, so ~0.2 s for the first frame. */
export const softwareOverviewSegments = 200_000;
export const defaultOverviewSegments = 1_500_000;

export interface LoadOptions {
  /** Overview size for big files; null picks softwareOverviewSegments or defaultOverviewSegments. */
  overviewSegments: number | null;
  /** Files at least this big are parsed by two workers. */
  parallelMinBytes: number;
}

export interface PrintingFile {
  /** print_stats.filename: the path in the printer's G-code folder. */
  fileName: string;
  /** virtual_sdcard.file_position: bytes of the file already read by the host. */
  filePosition: number;
  /** print_stats.state: printing, paused, complete, ... */
  state: string;
  /** virtual_sdcard.progress, 0..1. */
  progress: number;
}

const baseName = (p: string) => p.replace(/\\/g, '/').split('/').pop() ?? p;
/** Is the previewed file the one printing? Same name in the G-code folder (or the same base name for a local copy). */
export function isPrintingFile(s: Pick<PreviewState, 'fileName' | 'hostFileName'>, printing: PrintingFile | null): boolean {
  if (!printing || !printing.fileName) return false;
  if (s.hostFileName) return s.hostFileName === printing.fileName;
  return s.fileName !== null && baseName(s.fileName) === baseName(printing.fileName);
}

let workers: Worker[] = [];
let loadId = 0;

function stopWorkers(): void {
  for (const w of workers) w.terminate();
  workers = [];
}

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
  overview: null,
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
  printing: null,
  hostFileName: null,
  vertexBudget: defaultVertexBudget,
  vertexBudgetIsAuto: true,
  softwareRenderer: false,
  cameraRequest: { preset: 'iso', seq: 0 },
  timings: null,
  loadOptions: { overviewSegments: null, parallelMinBytes: PARALLEL_MIN_BYTES },

  setLoadOptions(options) {
    set({ loadOptions: { ...get().loadOptions, ...options } });
  },

  loadFile(file, name, hostName = null) {
    stopWorkers();
    const id = ++loadId;
    set({
      status: 'loading',
      fileName: name,
      hostFileName: hostName,
      loadedBytes: 0,
      totalBytes: file.size,
      error: null,
      toolpath: null,
      overview: null,
      liveSegment: null,
      liveLayer: null,
      timings: {
        selectedAt: performance.now(),
        parsedAt: null,
        parser: null,
        uploadedAt: null,
        firstFrameAt: null,
        detailFrameAt: null,
        overviewSegments: null,
        firstFrameRenderMs: null,
      },
    });
    const opts = get().loadOptions;
    const overviewSegments = opts.overviewSegments ?? (get().softwareRenderer ? softwareOverviewSegments : defaultOverviewSegments);
    const parallel = file.size >= opts.parallelMinBytes && (globalThis.navigator?.hardwareConcurrency ?? 1) >= 2;
    try {
      workers = parallel ? [createParserWorker(), createParserWorker()] : [createParserWorker()];
    } catch (err) {
      stopWorkers();
      set({ status: 'error', error: `${name}: ${err instanceof Error ? err.message : String(err)}` });
      return;
    }
    const loaded = { lead: 0, tail: 0 };
    const fail = (message: string) => {
      if (id !== loadId) return;
      stopWorkers();
      set({ status: 'error', error: `${name}: ${message}` });
    };
    for (const w of workers) {
      w.onmessage = (ev: MessageEvent<ParserReply>) => {
        const msg = ev.data;
        if (msg.id !== loadId) return;
        if (msg.type === 'progress') {
          loaded[msg.part] = msg.loadedBytes;
          set({ loadedBytes: Math.min(file.size, loaded.lead + loaded.tail) });
        } else if (msg.type === 'done') {
          stopWorkers();
          const timings = get().timings;
          const parsedAt = performance.now();
          get().setToolpath(msg.toolpath, name, msg.overview);
          if (timings) {
            set({
              timings: { ...timings, parsedAt, parser: msg.stats, overviewSegments: msg.overview?.segmentCount ?? null },
            });
          }
        } else {
          fail(msg.message);
        }
      };
      w.onerror = (ev) => fail(ev.message || 'the G-code parser stopped');
    }
    if (parallel) {
      const channel = new MessageChannel();
      const split = Math.floor(file.size * LEAD_FRACTION);
      const lead: ParserRequest = { role: 'lead', id, file, split, overviewSegments, port: channel.port1 };
      const tail: ParserRequest = { role: 'tail', id, file, split, port: channel.port2 };
      workers[0].postMessage(lead, [channel.port1]);
      workers[1].postMessage(tail, [channel.port2]);
    } else {
      workers[0].postMessage({ role: 'single', id, file, overviewSegments } satisfies ParserRequest);
    }
  },

  setToolpath(toolpath, name, overview = null) {
    set({
      status: 'ready',
      fileName: name,
      toolpath,
      overview,
      loadedBytes: toolpath.fileSizeBytes,
      totalBytes: toolpath.fileSizeBytes,
      layerRange: [0, toolpath.layers.count - 1],
      scrubSegments: null,
      error: null,
    });
    const pos = get().liveFilePosition;
    if (pos !== null) get().setLiveProgress(pos);
    else if (get().printing) get().setPrinting(get().printing);
  },

  setPrinting(printing) {
    set({ printing });
    const live = printing !== null && isPrintingFile(get(), printing) && printing.state !== 'standby';
    if (live) get().setLiveProgress(printing.filePosition);
    else if (get().liveFilePosition !== null) get().setLiveProgress(null);
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
      throw new Error(`preview build volume ${JSON.stringify(volume)} is invalid: each axis needs [min, max] with max > min (mm)`);
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
    stopWorkers();
    loadId++;
    set({
      status: 'empty',
      fileName: null,
      hostFileName: null,
      toolpath: null,
      overview: null,
      error: null,
      liveFilePosition: null,
      liveSegment: null,
      liveLayer: null,
      timings: null,
    });
  },
}));
