// The same measurement for the gcode-preview npm package: file selected -> first frame.
import { init } from 'gcode-preview';

const input = document.getElementById('file') as HTMLInputElement;
const canvas = document.getElementById('canvas') as HTMLCanvasElement;
const result: { selectedAt?: number; doneAt?: number; error?: string } = {};
Object.assign(window, { gcodePreviewResult: result });

input.addEventListener('change', async () => {
  result.selectedAt = performance.now();
  try {
    const file = input.files![0];
    const text = await file.text();
    const preview = init({ canvas, buildVolume: { x: 220, y: 220, z: 250 }, extrusionColor: 'hotpink' });
    preview.processGCode(text); // parses and renders synchronously
    const gl = preview.renderer.getContext();
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
    result.doneAt = performance.now();
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
  }
});
