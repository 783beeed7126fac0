// three.js side of the preview: scene, camera, orbit controls, bed and build volume, and the
// toolpath drawn as one line strip (lines mode) or instanced boxes (solid mode). A big file
// first shows its overview (overview.ts: the whole object at a bounded segment count), then
// the full arrays go to the GPU in small slices spread over several tasks, and the full detail
// replaces it; the overview stays for camera moves. Afterwards every view change (layer range,
// scrubber, colours, live progress) is a draw range or a uniform.
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import type { Toolpath } from '../parser/toolpath';
import { overviewScrub, type Overview } from '../overview';
import { featureNames } from '../parser/features';
import { drawWindow, type DrawWindow, type RenderMode } from '../drawWindow';
import type { BuildVolume, CameraPreset, ColorMode } from '../previewStore';
import { FEATURE_COLORS, TOOL_COLORS, fragmentShader, lineVertexShader, solidVertexShader } from './shaders';

/** Colours per feature code (index = code); exported for the legend. */
export const featureColors: Record<string, string> = {
  travel: '#7f8c9a',
  externalPerimeter: '#ff8c1a',
  perimeter: '#ffd24d',
  overhangPerimeter: '#1f3fff',
  internalInfill: '#b0302a',
  solidInfill: '#a020c0',
  topSolidInfill: '#ff3a3a',
  bottomSolidInfill: '#6a3bd1',
  bridgeInfill: '#5a8fd6',
  gapFill: '#ffffff',
  skirtBrim: '#00a58a',
  support: '#2bbf3a',
  supportInterface: '#1f7a2a',
  wipeTower: '#b3e3ab',
  ironing: '#ff9da6',
  custom: '#5ec8ce',
  extrusion: '#e0a030',
};
export const toolColors = ['#ff8c1a', '#2f8cff', '#2bbf3a', '#e0307a', '#c9c924', '#8a4dff', '#1fc9c9', '#999999'];

const BACKGROUND = '#1e2227';
/**
 * Slice of a buffer uploaded per task. Measured on SwiftShader: 8 MB slices load 50 MB in 0.3 s
 * with ~170 ms tasks; 1 MB slices took 1 s and still had 100-340 ms tasks (the wait is in
 * Chromium's transfer to the GPU process, not in the slice size).
 */
const UPLOAD_SLICE_BYTES = 8 << 20;
/**
 * After an overview is on screen the full arrays trickle up in smaller slices, each only once the
 * GPU finished everything before it (a fence): a slice sent while the GPU process is still
 * drawing (about 1 s per frame on SwiftShader) blocks the page in Chromium's command buffer
 * (measured: 220-300 ms tasks with unfenced 2 MB slices).
 */
const REFINE_SLICE_BYTES = 1 << 20;

/** What one uploaded set draws from: the full toolpath or its overview. */
type DrawData = Pick<Toolpath, 'segmentCount' | 'points' | 'feature' | 'tool' | 'feedMmMin' | 'layer'> & {
  layers: { count: number; startSegment: Uint32Array };
  sourceSegment?: Uint32Array;
};

interface DrawSet {
  data: DrawData;
  gpu: Record<string, GpuArray>;
  overview: boolean;
}

const nextFrame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));

export interface ViewState {
  layerRange: [number, number];
  scrubSegments: number | null;
  colorMode: ColorMode;
  renderMode: RenderMode;
  showTravel: boolean;
  buildVolume: BuildVolume;
  liveSegment: number | null;
  liveLayer: number | null;
  followLive: boolean;
  vertexBudget: number;
}

interface GpuArray {
  buffer: WebGLBuffer;
  /** Per-vertex view of the whole buffer (lines mode). */
  vertexAttribute: THREE.GLBufferAttribute;
  /** Per-instance view; solid-mode draw windows take InterleavedBufferAttribute views of it. */
  instanceAttribute: THREE.GLBufferAttribute;
  itemSize: number;
  /** Elements before segment 0's value (the pad that lines mode needs). */
  pad: number;
}

const colorModes: Record<ColorMode, number> = { feature: 0, speed: 1, layer: 2, tool: 3 };
/** Shader attribute -> uploaded array. */
const attributeNames: [string, string][] = [
  ['aFeature', 'feature'],
  ['aTool', 'tool'],
  ['aFeed', 'feed'],
  ['aLayer', 'layer'],
];
const attributesOf = (set: DrawSet): [string, string][] => (set.overview ? [...attributeNames, ['aSource', 'source']] : attributeNames);

function boxFaces(): THREE.BufferGeometry {
  // Four faces (top, bottom, two sides) of a unit box along x; position encodes (along, across, up).
  const pos: number[] = [];
  const nrm: number[] = [];
  const idx: number[] = [];
  const faces: [number, number][] = [
    [0, 1],
    [0, -1],
    [1, 0],
    [-1, 0],
  ];
  for (const [ny, nz] of faces) {
    const base = pos.length / 3;
    // Corners across the face: for a top/bottom face vary y, for a side face vary z.
    const corners = nz !== 0 ? [-1, 1].map((s) => [s, nz]) : [-1, 1].map((s) => [ny, s]);
    for (const u of [0, 1]) {
      for (const [y, z] of corners) {
        pos.push(u, y, z);
        nrm.push(0, ny, nz);
      }
    }
    idx.push(base, base + 2, base + 1, base + 1, base + 2, base + 3);
  }
  const g = new THREE.InstancedBufferGeometry();
  g.setAttribute('position', new THREE.Float32BufferAttribute(pos, 3));
  g.setAttribute('normal', new THREE.Float32BufferAttribute(nrm, 3));
  g.setIndex(idx);
  return g;
}

export class ToolpathViewer {
  readonly renderer: THREE.WebGLRenderer;
  private readonly scene = new THREE.Scene();
  private readonly camera: THREE.PerspectiveCamera;
  private readonly controls: OrbitControls;
  private readonly bed = new THREE.Group();
  private readonly uniforms: Record<string, THREE.IUniform>;
  private readonly lineObject: THREE.Line;
  private readonly solidObject: THREE.Mesh;
  private readonly gl: WebGL2RenderingContext;
  /** Line and solid materials without / with the OVERVIEW define. */
  private readonly materials: { lines: THREE.ShaderMaterial[]; solid: THREE.ShaderMaterial[] };
  private full: DrawSet | null = null;
  private lod: DrawSet | null = null;
  /** The set bound to the objects now. */
  private shown: DrawSet | null = null;
  /** Orbit controls are being dragged: draw the overview if there is one. */
  private interacting = false;
  private toolpath: Toolpath | null = null;
  private view: ViewState | null = null;
  private window: DrawWindow | null = null;
  private frameRequested = false;
  private uploadToken = 0;
  private resizeObserver: ResizeObserver | null = null;
  /** Called after each frame that drew the whole toolpath window (overview or full). */
  onFullFrame: (() => void) | null = null;
  /** Called after the first frame drawn from the full arrays after a load. */
  onDetailFrame: (() => void) | null = null;
  private detailPending = false;
  /** Software GL (SwiftShader, llvmpipe): far slower, so the store picks a smaller budget. */
  readonly softwareRenderer: boolean;
  /** Time spent in the last render() call, ms (main thread only). */
  lastRenderMs = 0;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: false, powerPreference: 'high-performance' });
    this.renderer.setPixelRatio(Math.min(2, globalThis.devicePixelRatio || 1));
    this.renderer.setClearColor(BACKGROUND);
    this.gl = this.renderer.getContext() as WebGL2RenderingContext;
    const info = this.gl.getExtension('WEBGL_debug_renderer_info');
    const rendererName = String(this.gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : this.gl.RENDERER));
    this.softwareRenderer = /swiftshader|llvmpipe|softpipe|software/i.test(rendererName);
    this.camera = new THREE.PerspectiveCamera(40, 1, 0.5, 5000);
    this.camera.up.set(0, 0, 1); // G-code Z is up
    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.addEventListener('change', () => this.requestFrame());
    // Camera moves draw the overview (fast on any GPU), the full detail once the move ends.
    this.controls.addEventListener('start', () => {
      this.interacting = true;
      if (this.lod && this.full) this.applyView();
    });
    this.controls.addEventListener('end', () => {
      this.interacting = false;
      if (this.lod && this.full) this.applyView();
    });
    this.scene.add(this.bed);

    this.uniforms = {
      uFirst: { value: 0 },
      uProgress: { value: -1 },
      uColorMode: { value: 0 },
      uShowTravel: { value: false },
      uFeatureColors: {
        value: Array.from({ length: FEATURE_COLORS }, (_, i) => new THREE.Color(featureColors[featureNames[i]] ?? '#cccccc')),
      },
      uToolColors: { value: Array.from({ length: TOOL_COLORS }, (_, i) => new THREE.Color(toolColors[i])) },
      uFeedRange: { value: new THREE.Vector2(0, 1) },
      uLayerCount: { value: 1 },
      uGhostColor: { value: new THREE.Color('#5a6270') },
      uHalfWidth: { value: 0.22 },
      uHeight: { value: 0.2 },
      uLightDir: { value: new THREE.Vector3(0.35, -0.45, 0.82).normalize() },
    };
    const material = (vertexShader: string, overview: boolean) =>
      new THREE.ShaderMaterial({ uniforms: this.uniforms, vertexShader, fragmentShader, defines: overview ? { OVERVIEW: '' } : {} });
    this.materials = {
      lines: [material(lineVertexShader, false), material(lineVertexShader, true)],
      solid: [material(solidVertexShader, false), material(solidVertexShader, true)],
    };
    this.lineObject = new THREE.Line(new THREE.BufferGeometry(), this.materials.lines[0]);
    this.solidObject = new THREE.Mesh(boxFaces(), this.materials.solid[0]);
    for (const o of [this.lineObject, this.solidObject]) {
      o.frustumCulled = false; // bounds are not computed from GPU-only buffers
      o.visible = false;
      this.scene.add(o);
    }
    this.setCameraPreset('iso');
    this.warmUp();
    if (typeof ResizeObserver !== 'undefined' && canvas.parentElement) {
      this.resizeObserver = new ResizeObserver(() => this.resize());
      this.resizeObserver.observe(canvas.parentElement);
    }
    this.resize();
  }

  resize(): void {
    const parent = this.canvas.parentElement;
    const w = Math.max(1, parent?.clientWidth ?? this.canvas.clientWidth);
    const h = Math.max(1, parent?.clientHeight ?? this.canvas.clientHeight);
    this.renderer.setSize(w, h);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.requestFrame();
  }

  /**
   * Upload a toolpath (and its overview, if any). Resolves when the first complete frame's data
   * is on the GPU: the overview's when given, else the full arrays. With an overview, the full
   * arrays follow in the background and replace it (onDetailFrame). A newer call cancels an
   * unfinished upload.
   */
  async setToolpath(tp: Toolpath | null, overview: Overview | null = null): Promise<void> {
    const token = ++this.uploadToken;
    this.freeGpu();
    this.toolpath = null;
    this.detailPending = false;
    this.lineObject.visible = this.solidObject.visible = false;
    this.requestFrame();
    if (!tp || tp.segmentCount === 0) return;
    const { min, max } = tp.boundsMm;
    const box = new THREE.Box3(new THREE.Vector3(...min), new THREE.Vector3(...max));
    this.lineObject.geometry.boundingBox = box;
    this.lineObject.geometry.boundingSphere = this.solidObject.geometry.boundingSphere = box.getBoundingSphere(new THREE.Sphere());
    this.uniforms.uLayerCount.value = tp.layers.count;
    this.uniforms.uFeedRange.value.set(tp.feedRangeMmMin[0], tp.feedRangeMmMin[1]);
    this.uniforms.uHeight.value = typicalLayerHeight(tp);
    if (overview) {
      // Sliced too, and not in the task that delivered the file (React renders the panel there):
      // in one go it took 40-80 ms of that task.
      await new Promise((r) => setTimeout(r, 0));
      if (token !== this.uploadToken) return;
      const gpu = await this.uploadSliced(overview, REFINE_SLICE_BYTES, token);
      if (!gpu) return;
      this.lod = { data: overview, gpu, overview: true };
    } else {
      const gpu = await this.uploadSliced(tp, UPLOAD_SLICE_BYTES, token);
      if (!gpu) return;
      this.full = { data: tp, gpu, overview: false };
    }
    this.toolpath = tp;
    this.window = null;
    this.applyView();
    this.setCameraPreset('iso');
    if (overview) void this.refine(tp, token);
  }

  /** After the overview frame: the full arrays, in small slices, then the switch to them. */
  private async refine(tp: Toolpath, token: number): Promise<void> {
    await nextFrame();
    await nextFrame();
    if (token !== this.uploadToken) return;
    const gpu = await this.uploadSliced(tp, REFINE_SLICE_BYTES, token, true);
    if (!gpu) return;
    // Switch once the last slice is on the GPU: the frame then does not wait for it.
    if (!(await this.gpuDone(token))) return;
    this.full = { data: tp, gpu, overview: false };
    this.detailPending = true;
    this.window = null;
    this.applyView();
  }

  /** Small sets (overview, warm-up): everything in one go. */
  private uploadAll(data: DrawData): Record<string, GpuArray> {
    const gpu: Record<string, GpuArray> = {};
    for (const [name, array, itemSize, type] of gpuSources(this.gl, data))
      gpu[name] = createGpuArray(this.gl, name, array, itemSize, type, true);
    this.gl.bindBuffer(this.gl.ARRAY_BUFFER, null);
    return gpu;
  }

  /** Big sets: slice by slice, yielding between slices; null if a newer upload started. */
  private async uploadSliced(data: DrawData, sliceBytes: number, token: number, fenced = false): Promise<Record<string, GpuArray> | null> {
    const gl = this.gl;
    const gpu: Record<string, GpuArray> = {};
    const free = () => Object.values(gpu).forEach((g) => gl.deleteBuffer(g.buffer));
    for (const [name, array, itemSize, type] of gpuSources(gl, data)) {
      const g = createGpuArray(gl, name, array, itemSize, type, false);
      gpu[name] = g;
      const bpe = array.BYTES_PER_ELEMENT;
      for (let at = 0; at < array.byteLength; at += sliceBytes) {
        if (fenced && !(await this.gpuDone(token))) {
          free();
          return null;
        }
        const n = Math.min(sliceBytes, array.byteLength - at) / bpe;
        gl.bindBuffer(gl.ARRAY_BUFFER, g.buffer);
        gl.bufferSubData(gl.ARRAY_BUFFER, at + g.pad * bpe, array, at / bpe, n);
        gl.bindBuffer(gl.ARRAY_BUFFER, null);
        await new Promise((r) => setTimeout(r, 0));
        if (token !== this.uploadToken) {
          free();
          return null;
        }
      }
    }
    return gpu;
  }

  /**
   * Resolves true once the GPU finished every command issued so far, polling a fence between
   * tasks (never blocking the page); false if a newer upload started meanwhile.
   */
  private async gpuDone(token: number): Promise<boolean> {
    const gl = this.gl;
    const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
    gl.flush();
    try {
      do {
        await new Promise((r) => setTimeout(r, 2));
        if (token !== this.uploadToken) return false;
      } while (sync && gl.getSyncParameter(sync, gl.SYNC_STATUS) !== gl.SIGNALED);
      return true;
    } finally {
      gl.deleteSync(sync);
    }
  }

  /** Point the line strip at a set's buffers and use the matching materials. */
  private bindSet(set: DrawSet): void {
    const lines = this.lineObject.geometry;
    for (const [attr] of [...attributeNames, ['aSource', 'source']]) lines.deleteAttribute(attr);
    lines.setAttribute('position', set.gpu.points.vertexAttribute as unknown as THREE.BufferAttribute);
    for (const [attr, name] of attributesOf(set))
      lines.setAttribute(attr, set.gpu[name].vertexAttribute as unknown as THREE.BufferAttribute);
    const v = set.overview ? 1 : 0;
    this.lineObject.material = this.materials.lines[v];
    this.solidObject.material = this.materials.solid[v];
    this.shown = set;
    this.solidBound = false;
  }

  /**
   * Compile and use both programs with a two-segment toolpath of the real attribute types, out
   * of view: compiling, three.js's first-use link check and software GL's pipeline build would
   * otherwise all land in the first frame after a file is opened (seconds on SwiftShader).
   */
  private warmUp(): void {
    const far = 1e9; // beyond the far plane: nothing is rasterised
    const tiny: DrawData = {
      segmentCount: 2,
      points: new Float32Array([far, far, far, far, far, far, far, far, far]),
      feature: new Uint8Array([1, 1]),
      tool: new Uint8Array(2),
      feedMmMin: new Float32Array([1, 1]),
      layer: new Uint32Array(2),
      layers: { count: 1, startSegment: new Uint32Array([0, 2]) },
    };
    const sphere = new THREE.Sphere(new THREE.Vector3(far, far, far), 1);
    this.lineObject.geometry.boundingSphere = this.solidObject.geometry.boundingSphere = sphere;
    for (const overview of [false, true]) {
      const data = overview ? { ...tiny, sourceSegment: new Uint32Array(2) } : tiny;
      const set: DrawSet = { data, gpu: this.uploadAll(data), overview };
      this.bindSet(set);
      this.lineObject.geometry.setDrawRange(0, 3);
      this.bindSolidWindow(0);
      (this.solidObject.geometry as THREE.InstancedBufferGeometry).instanceCount = 2;
      this.lineObject.visible = this.solidObject.visible = true;
      this.renderer.compile(this.scene, this.camera);
      this.renderer.render(this.scene, this.camera);
      // Wait for the GPU here, at start-up, rather than in the first real frame.
      this.gl.readPixels(0, 0, 1, 1, this.gl.RGBA, this.gl.UNSIGNED_BYTE, new Uint8Array(4));
      this.lineObject.visible = this.solidObject.visible = false;
      for (const g of Object.values(set.gpu)) this.gl.deleteBuffer(g.buffer);
    }
    this.shown = null;
    this.freeGpu();
  }

  setView(view: ViewState): void {
    const old = this.view;
    // Store updates that do not touch the view (load progress, timings) draw nothing.
    if (old && (Object.keys(view) as (keyof ViewState)[]).every((k) => view[k] === old[k])) return;
    this.view = view;
    this.applyView();
  }

  private applyView(): void {
    const tp = this.toolpath;
    const v = this.view;
    this.bedFor(v?.buildVolume);
    const set = (this.interacting && this.lod) || this.full || this.lod;
    if (!tp || !v || !set) {
      this.requestFrame();
      return;
    }
    if (set !== this.shown) {
      this.bindSet(set);
      this.window = null;
    }
    let scrub = v.scrubSegments;
    if (set.overview && scrub !== null) {
      const top = Math.max(0, Math.min(tp.layers.count - 1, v.layerRange[1]));
      scrub = overviewScrub(set.data as Overview, top, tp.layers.startSegment[top], scrub);
    }
    const w = drawWindow(set.data, v.layerRange[0], v.layerRange[1], scrub, v.renderMode, v.vertexBudget);
    const old = this.window;
    this.window = w;
    const solid = v.renderMode === 'solid';
    this.lineObject.visible = !solid && w.end > w.first;
    this.solidObject.visible = solid && w.end > w.first;
    if (solid) {
      if (!old || old.first !== w.first || !this.solidBound) this.bindSolidWindow(w.first);
      (this.solidObject.geometry as THREE.InstancedBufferGeometry).instanceCount = w.end - w.first;
    } else {
      // Points first..end: the strip's segments first..end-1.
      this.lineObject.geometry.setDrawRange(w.first, w.end - w.first + 1);
    }
    const u = this.uniforms;
    u.uFirst.value = w.first;
    u.uColorMode.value = colorModes[v.colorMode];
    u.uShowTravel.value = v.showTravel;
    u.uProgress.value = v.liveSegment ?? -1;
    if (v.liveLayer !== null && v.followLive) {
      // Follow the printing layer: orbit around it.
      const z = tp.layers.zMm[v.liveLayer];
      if (Math.abs(this.controls.target.z - z) > 1e-3) {
        const dz = z - this.controls.target.z;
        this.controls.target.z += dz;
        this.camera.position.z += dz;
        this.controls.update();
      }
    }
    this.requestFrame();
  }

  private solidBound = false;

  /** Point every instanced attribute at segment `first` (a new view of the same GPU buffer). */
  private bindSolidWindow(first: number): void {
    const set = this.shown!;
    const gpu = set.gpu;
    const view = (name: string, itemSize: number, segment: number) => {
      const g = gpu[name];
      const a = new THREE.InterleavedBufferAttribute(
        g.instanceAttribute as unknown as THREE.InterleavedBuffer,
        itemSize,
        (segment + g.pad) * g.itemSize,
      );
      // three.js reads the integer flag from the view, not from the buffer it views.
      return Object.assign(a, { gpuType: (g.instanceAttribute as { gpuType?: number }).gpuType });
    };
    const geo = this.solidObject.geometry as THREE.InstancedBufferGeometry;
    geo.setAttribute('aStart', view('points', 3, first));
    geo.setAttribute('aEnd', view('points', 3, first + 1));
    geo.deleteAttribute('aSource');
    for (const [attr, name] of attributesOf(set)) geo.setAttribute(attr, view(name, 1, first));
    // three.js caps instanceCount by the attribute count it saw first; the window decides.
    (geo as unknown as { _maxInstanceCount?: number })._maxInstanceCount = undefined;
    this.solidBound = true;
  }

  private bedKey = '';
  private bedFor(volume: BuildVolume | undefined): void {
    if (!volume) return;
    const key = JSON.stringify(volume);
    if (key === this.bedKey) return;
    this.bedKey = key;
    for (const c of [...this.bed.children]) {
      this.bed.remove(c);
      const m = c as THREE.Mesh;
      m.geometry?.dispose();
      (m.material as THREE.Material | undefined)?.dispose();
    }
    const [x0, x1] = volume.x;
    const [y0, y1] = volume.y;
    const [z0, z1] = volume.z;
    const plate = new THREE.Mesh(new THREE.PlaneGeometry(x1 - x0, y1 - y0), new THREE.MeshBasicMaterial({ color: '#2b3038' }));
    plate.position.set((x0 + x1) / 2, (y0 + y1) / 2, -0.02);
    this.bed.add(plate);
    const grid: number[] = [];
    const step = 10;
    for (let x = Math.ceil(x0 / step) * step; x <= x1; x += step) grid.push(x, y0, 0, x, y1, 0);
    for (let y = Math.ceil(y0 / step) * step; y <= y1; y += step) grid.push(x0, y, 0, x1, y, 0);
    const gridGeo = new THREE.BufferGeometry();
    gridGeo.setAttribute('position', new THREE.Float32BufferAttribute(grid, 3));
    this.bed.add(new THREE.LineSegments(gridGeo, new THREE.LineBasicMaterial({ color: '#3a414b' })));
    const box = new THREE.BoxGeometry(x1 - x0, y1 - y0, z1 - z0);
    const edges = new THREE.LineSegments(new THREE.EdgesGeometry(box), new THREE.LineBasicMaterial({ color: '#59626e' }));
    box.dispose();
    edges.position.set((x0 + x1) / 2, (y0 + y1) / 2, (z0 + z1) / 2);
    this.bed.add(edges);
    // The printer's bed arrived before any file: frame it.
    if (!this.toolpath) this.setCameraPreset('iso');
    this.requestFrame();
  }

  setCameraPreset(preset: CameraPreset): void {
    const tp = this.toolpath;
    const vol = this.view?.buildVolume;
    let center: THREE.Vector3;
    let size: number;
    if (tp) {
      const { min, max } = tp.boundsMm;
      center = new THREE.Vector3((min[0] + max[0]) / 2, (min[1] + max[1]) / 2, (min[2] + max[2]) / 2);
      size = Math.max(max[0] - min[0], max[1] - min[1], max[2] - min[2], 10);
    } else if (vol) {
      center = new THREE.Vector3((vol.x[0] + vol.x[1]) / 2, (vol.y[0] + vol.y[1]) / 2, 0);
      size = Math.max(vol.x[1] - vol.x[0], vol.y[1] - vol.y[0]);
    } else {
      center = new THREE.Vector3(110, 110, 0);
      size = 220;
    }
    const dist = (size / 2 / Math.tan((this.camera.fov * Math.PI) / 360)) * 1.3;
    const dirs: Record<CameraPreset, THREE.Vector3> = {
      top: new THREE.Vector3(0, -0.0001, 1),
      front: new THREE.Vector3(0, -1, 0.05),
      iso: new THREE.Vector3(0.8, -1, 0.8),
    };
    this.camera.position.copy(center).addScaledVector(dirs[preset].normalize(), dist);
    this.camera.near = Math.max(0.1, dist / 200);
    this.camera.far = dist * 20;
    this.camera.updateProjectionMatrix();
    this.controls.target.copy(center);
    this.controls.update();
    this.requestFrame();
  }

  requestFrame(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.renderNow();
    });
  }

  /** Draw now (tests read pixels right after this, in the same task). */
  renderNow(): void {
    const t0 = performance.now();
    this.renderer.render(this.scene, this.camera);
    this.lastRenderMs = performance.now() - t0;
    if (this.toolpath && this.window && this.onFullFrame) this.onFullFrame();
    if (this.detailPending && this.shown === this.full && this.window) {
      this.detailPending = false;
      this.onDetailFrame?.();
    }
  }

  /** What the current frame draws (for the info panel and tests). */
  get drawn(): DrawWindow | null {
    return this.window;
  }

  /** Which data the current frame draws from. */
  get drawing(): 'overview' | 'full' | null {
    return this.shown ? (this.shown.overview ? 'overview' : 'full') : null;
  }

  private freeGpu(): void {
    for (const set of [this.full, this.lod]) {
      if (set) for (const g of Object.values(set.gpu)) this.gl.deleteBuffer(g.buffer);
    }
    this.full = this.lod = this.shown = null;
    this.window = null;
    this.solidBound = false;
    for (const o of [this.lineObject, this.solidObject]) {
      for (const name of ['position', 'aStart', 'aEnd', 'aSource', ...attributeNames.map(([a]) => a)]) {
        if (name !== 'position' || o === this.lineObject) o.geometry.deleteAttribute(name);
      }
    }
  }

  dispose(): void {
    this.uploadToken++;
    this.resizeObserver?.disconnect();
    this.controls.dispose();
    this.freeGpu();
    this.renderer.dispose();
  }
}

/** Median layer height (ignoring the first layer), for the thickness of solid-mode boxes. */
function typicalLayerHeight(tp: Toolpath): number {
  const h = Array.from(tp.layers.heightMm.subarray(1, 2001)).filter((v) => v > 0.01 && v < 2);
  if (h.length === 0) return 0.2;
  h.sort((a, b) => a - b);
  return h[h.length >> 1];
}

type GpuSource = [string, Float32Array | Uint8Array | Uint32Array, number, number];

function gpuSources(gl: WebGL2RenderingContext, tp: DrawData): GpuSource[] {
  const sources: GpuSource[] = [
    ['points', tp.points, 3, gl.FLOAT],
    ['feature', tp.feature, 1, gl.UNSIGNED_BYTE],
    ['tool', tp.tool, 1, gl.UNSIGNED_BYTE],
    ['feed', tp.feedMmMin, 1, gl.FLOAT],
    ['layer', tp.layer, 1, gl.UNSIGNED_INT],
  ];
  if (tp.sourceSegment) sources.push(['source', tp.sourceSegment, 1, gl.UNSIGNED_INT]);
  return sources;
}

/**
 * One GPU buffer for a per-point or per-segment array, sized for the array plus its pad and
 * filled with it when `fill` (else filled later in slices). Per-segment values get one leading
 * pad element: see lineVertexShader.
 */
function createGpuArray(
  gl: WebGL2RenderingContext,
  name: string,
  array: Float32Array | Uint8Array | Uint32Array,
  itemSize: number,
  type: number,
  fill: boolean,
): GpuArray {
  const pad = name === 'points' ? 0 : 1;
  const bpe = array.BYTES_PER_ELEMENT as 1 | 2 | 4;
  const buffer = gl.createBuffer();
  if (!buffer) throw new Error('WebGL could not create a buffer: the GPU may be out of memory');
  gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
  gl.bufferData(gl.ARRAY_BUFFER, (array.length + pad) * bpe, gl.STATIC_DRAW);
  if (fill) gl.bufferSubData(gl.ARRAY_BUFFER, pad * bpe, array);
  const count = array.length / itemSize + pad;
  const vertexAttribute = new THREE.GLBufferAttribute(buffer, type, itemSize, bpe, count);
  const instanceAttribute = new THREE.GLBufferAttribute(buffer, type, itemSize, bpe, count);
  // Bytes are integer attributes (vertexAttribIPointer), see shaders.ts.
  if (type === gl.UNSIGNED_BYTE) {
    for (const a of [vertexAttribute, instanceAttribute]) Object.assign(a, { gpuType: THREE.IntType });
  }
  // Per-instance for three.js's attribute binding; InterleavedBufferAttribute views read the
  // array's type (an empty one: the data lives on the GPU only).
  Object.assign(instanceAttribute, {
    isInstancedBufferAttribute: true,
    meshPerAttribute: 1,
    array: new (array.constructor as new (n: number) => typeof array)(0),
  });
  return { buffer, vertexAttribute, instanceAttribute, itemSize, pad };
}
