// three.js side of the bed mesh: the interpolated mesh as a surface coloured by height, the
// probed points as dots, the mesh's outline at Z=0 for reference, and orbit controls. Draws on
// demand (a change or a camera move), not every frame: a mesh is a few hundred vertices.
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { heightStats, surfaceGrid, type HeightRowsMm } from './mesh';

const BACKGROUND = '#1e2227';

export interface SceneMesh {
  mesh: HeightRowsMm;
  probed: HeightRowsMm;
  minMm: [number, number];
  maxMm: [number, number];
}

/** Whether this browser can draw WebGL at all (no: the panel shows the 2D map instead). */
export function webglAvailable(): boolean {
  try {
    const canvas = document.createElement('canvas');
    return !!(canvas.getContext('webgl2') ?? canvas.getContext('webgl'));
  } catch {
    return false;
  }
}

/** The scale's colours are sRGB (as the legend and 2D map show them); three wants vertex colours linear. */
function linearFromSrgb(colors: Float32Array): Float32Array {
  const c = new THREE.Color();
  const out = new Float32Array(colors.length);
  for (let i = 0; i < colors.length; i += 3) {
    c.setRGB(colors[i], colors[i + 1], colors[i + 2], THREE.SRGBColorSpace);
    out[i] = c.r;
    out[i + 1] = c.g;
    out[i + 2] = c.b;
  }
  return out;
}

export class MeshScene {
  private readonly renderer: THREE.WebGLRenderer;
  private readonly scene = new THREE.Scene();
  private readonly camera = new THREE.PerspectiveCamera(40, 1, 1, 5000);
  private readonly controls: OrbitControls;
  private readonly content = new THREE.Group();
  private frame = 0;
  /** The mesh bounds last framed: the camera is re-aimed only when they change, not on every delta. */
  private framedBounds = '';

  constructor(canvas: HTMLCanvasElement) {
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: true });
    this.renderer.setPixelRatio(Math.min(2, globalThis.devicePixelRatio || 1));
    this.renderer.setClearColor(BACKGROUND);
    this.camera.up.set(0, 0, 1); // the printer's Z is up
    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.addEventListener('change', () => this.requestFrame());
    this.scene.add(this.content);
  }

  /** Shows a mesh with heights multiplied by zExaggeration (colours stay by true height, on the legend's probed scale). */
  setMesh(m: SceneMesh, zExaggeration: number): void {
    this.clearContent();
    const stats = heightStats(m.probed);
    const surface = surfaceGrid(m.mesh, m.minMm, m.maxMm, zExaggeration, stats);
    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute('position', new THREE.BufferAttribute(surface.positions, 3));
    geometry.setAttribute('color', new THREE.BufferAttribute(linearFromSrgb(surface.colors), 3));
    geometry.setIndex(new THREE.BufferAttribute(surface.indices, 1));
    this.content.add(new THREE.Mesh(geometry, new THREE.MeshBasicMaterial({ vertexColors: true, side: THREE.DoubleSide })));

    const probed = surfaceGrid(m.probed, m.minMm, m.maxMm, zExaggeration, stats);
    const dots = new THREE.BufferGeometry();
    dots.setAttribute('position', new THREE.BufferAttribute(probed.positions, 3));
    this.content.add(new THREE.Points(dots, new THREE.PointsMaterial({ color: '#ffffff', size: 6, sizeAttenuation: false })));

    const [x0, y0] = m.minMm;
    const [x1, y1] = m.maxMm;
    const outline = new THREE.BufferGeometry().setFromPoints(
      [
        [x0, y0],
        [x1, y0],
        [x1, y1],
        [x0, y1],
        [x0, y0],
      ].map(([x, y]) => new THREE.Vector3(x, y, 0)),
    );
    this.content.add(new THREE.Line(outline, new THREE.LineBasicMaterial({ color: '#7f8c9a' })));

    const bounds = `${x0},${y0},${x1},${y1}`;
    if (bounds !== this.framedBounds) {
      this.framedBounds = bounds;
      const cx = (x0 + x1) / 2;
      const cy = (y0 + y1) / 2;
      const size = Math.max(x1 - x0, y1 - y0);
      this.controls.target.set(cx, cy, 0);
      this.camera.position.set(cx, cy - size * 1.3, size * 0.9);
      this.camera.far = size * 20;
      this.camera.updateProjectionMatrix();
      this.controls.update();
    }
    this.requestFrame();
  }

  resize(widthPx: number, heightPx: number): void {
    if (widthPx <= 0 || heightPx <= 0) return;
    this.renderer.setSize(widthPx, heightPx, false);
    this.camera.aspect = widthPx / heightPx;
    this.camera.updateProjectionMatrix();
    this.requestFrame();
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    this.clearContent();
    this.controls.dispose();
    this.renderer.dispose();
  }

  private clearContent(): void {
    for (const child of [...this.content.children]) {
      this.content.remove(child);
      const obj = child as THREE.Mesh;
      obj.geometry.dispose();
      (obj.material as THREE.Material).dispose();
    }
  }

  private requestFrame(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.renderer.render(this.scene, this.camera);
    });
  }
}
