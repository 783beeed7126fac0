// three.js side of the preview: scene, camera, orbit controls, bed and build volume, and the
// toolpath drawn as one line strip (lines mode) or instanced boxes (solid mode). The toolpath's typed arrays go to the GPU once, in
// small slices spread over several tasks so the page never stalls; afterwards every view change
// (layer range, scrubber, colours, live progress) is a draw range or a uniform.
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import type { Toolpath } from '../parser/toolpath';
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
  private gpu: Record<string, GpuArray> | null = null;
  private toolpath: Toolpath | null = null;
  private view: ViewState | null = null;
  private window: DrawWindow | null = null;
  private frameRequested = false;
  private uploadToken = 0;
  private resizeObserver: ResizeObserver | null = null;
  /** Called after each frame that drew the whole uploaded toolpath window. */
  onFullFrame: (() => void) | null = null;
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
    this.lineObject = new THREE.Line(
      new THREE.BufferGeometry(),
      new THREE.ShaderMaterial({ uniforms: this.uniforms, vertexShader: lineVertexShader, fragmentShader }),
    );
    this.solidObject = new THREE.Mesh(
      boxFaces(),
      new THREE.ShaderMaterial({ uniforms: this.uniforms, vertexShader: solidVertexShader, fragmentShader }),
    );
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
   * Upload a toolpath. Resolves when every slice is on the GPU and the toolpath is visible.
   * A newer call cancels an unfinished upload.
   */
  async setToolpath(tp: Toolpath | null): Promise<void> {
    const token = ++this.uploadToken;
    this.freeGpu();
    this.toolpath = null;
    this.lineObject.visible = this.solidObject.visible = false;
    this.requestFrame();
    if (!tp || tp.segmentCount === 0) return;
    const gl = this.gl;
    const sources = gpuSources(gl, tp);
    const gpu: Record<string, GpuArray> = {};
    this.gpu = gpu;
    for (const [name, array, itemSize, type] of sources) {
      const g = createGpuArray(gl, name, array, itemSize, type, false);
      gpu[name] = g;
      const bpe = array.BYTES_PER_ELEMENT;
      for (let at = 0; at < array.byteLength; at += UPLOAD_SLICE_BYTES) {
        const n = Math.min(UPLOAD_SLICE_BYTES, array.byteLength - at) / bpe;
        gl.bindBuffer(gl.ARRAY_BUFFER, g.buffer);
        gl.bufferSubData(gl.ARRAY_BUFFER, at + g.pad * bpe, array, at / bpe, n);
        await new Promise((r) => setTimeout(r, 0));
        if (token !== this.uploadToken) return;
      }
    }
    const lines = this.lineObject.geometry;
    this.bindLineAttributes();
    const { min, max } = tp.boundsMm;
    const box = new THREE.Box3(new THREE.Vector3(...min), new THREE.Vector3(...max));
    lines.boundingBox = box;
    lines.boundingSphere = box.getBoundingSphere(new THREE.Sphere());
    this.solidObject.geometry.boundingSphere = lines.boundingSphere;
    gl.bindBuffer(gl.ARRAY_BUFFER, null);
    this.toolpath = tp;
    this.uniforms.uLayerCount.value = tp.layers.count;
    this.uniforms.uFeedRange.value.set(tp.feedRangeMmMin[0], tp.feedRangeMmMin[1]);
    this.uniforms.uHeight.value = typicalLayerHeight(tp);
    this.window = null;
    this.applyView();
    this.setCameraPreset('iso');
  }

  private bindLineAttributes(): void {
    const gpu = this.gpu!;
    const lines = this.lineObject.geometry;
    lines.setAttribute('position', gpu.points.vertexAttribute as unknown as THREE.BufferAttribute);
    for (const [attr, name] of attributeNames) {
      lines.setAttribute(attr, gpu[name].vertexAttribute as unknown as THREE.BufferAttribute);
    }
  }

  /**
   * Compile and use both programs with a two-segment toolpath of the real attribute types, out
   * of view: compiling, three.js's first-use link check and software GL's pipeline build would
   * otherwise all land in the first frame after a file is opened (seconds on SwiftShader).
   */
  private warmUp(): void {
    const far = 1e9; // beyond the far plane: nothing is rasterised
    const tiny = {
      points: new Float32Array([far, far, far, far, far, far, far, far, far]),
      feature: new Uint8Array([1, 1]),
      tool: new Uint8Array(2),
      feedMmMin: new Float32Array([1, 1]),
      layer: new Uint32Array(2),
    };
    const gpu: Record<string, GpuArray> = {};
    for (const [name, array, itemSize, type] of gpuSources(this.gl, tiny)) {
      gpu[name] = createGpuArray(this.gl, name, array, itemSize, type, true);
    }
    this.gpu = gpu;
    this.bindLineAttributes();
    const sphere = new THREE.Sphere(new THREE.Vector3(far, far, far), 1);
    this.lineObject.geometry.boundingSphere = this.solidObject.geometry.boundingSphere = sphere;
    this.lineObject.geometry.setDrawRange(0, 3);
    this.bindSolidWindow(0);
    (this.solidObject.geometry as THREE.InstancedBufferGeometry).instanceCount = 2;
    this.lineObject.visible = this.solidObject.visible = true;
    this.renderer.compile(this.scene, this.camera);
    this.renderer.render(this.scene, this.camera);
    // Wait for the GPU here, at start-up, rather than in the first real frame.
    this.gl.readPixels(0, 0, 1, 1, this.gl.RGBA, this.gl.UNSIGNED_BYTE, new Uint8Array(4));
    this.lineObject.visible = this.solidObject.visible = false;
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
    if (!tp || !v || !this.gpu) {
      this.requestFrame();
      return;
    }
    const w = drawWindow(tp, v.layerRange[0], v.layerRange[1], v.scrubSegments, v.renderMode, v.vertexBudget);
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
    const gpu = this.gpu!;
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
    for (const [attr, name] of attributeNames) geo.setAttribute(attr, view(name, 1, first));
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
    const plate = new THREE.Mesh(
      new THREE.PlaneGeometry(x1 - x0, y1 - y0),
      new THREE.MeshBasicMaterial({ color: '#2b3038' }),
    );
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
  }

  /** What the current frame draws (for the info panel and tests). */
  get drawn(): DrawWindow | null {
    return this.window;
  }

  private freeGpu(): void {
    if (!this.gpu) return;
    for (const g of Object.values(this.gpu)) this.gl.deleteBuffer(g.buffer);
    this.gpu = null;
    this.window = null;
    this.solidBound = false;
    for (const o of [this.lineObject, this.solidObject]) {
      for (const name of ['position', 'aStart', 'aEnd', ...attributeNames.map(([a]) => a)]) {
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

function gpuSources(
  gl: WebGL2RenderingContext,
  tp: Pick<Toolpath, 'points' | 'feature' | 'tool' | 'feedMmMin' | 'layer'>,
): GpuSource[] {
  return [
    ['points', tp.points, 3, gl.FLOAT],
    ['feature', tp.feature, 1, gl.UNSIGNED_BYTE],
    ['tool', tp.tool, 1, gl.UNSIGNED_BYTE],
    ['feed', tp.feedMmMin, 1, gl.FLOAT],
    ['layer', tp.layer, 1, gl.UNSIGNED_INT],
  ];
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
