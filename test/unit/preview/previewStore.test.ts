import { beforeEach, describe, expect, it } from 'vitest';
import { scanGcode } from '../../../src-renderer/features/preview/parser/gcodeScanner';
import { drawWindow } from '../../../src-renderer/features/preview/drawWindow';
import { defaultVertexBudget, softwareVertexBudget, usePreviewStore } from '../../../src-renderer/features/preview/previewStore';

// Ten layers of 1 Z move + 20 extrusions each; line offsets known.
let text = 'M83\n';
for (let l = 0; l < 10; l++) {
  text += `;LAYER:${l}\nG1 Z${((l + 1) * 0.2).toFixed(1)}\n`;
  for (let i = 0; i < 20; i++) text += `G1 X${i % 2 ? 0 : 10} Y${i} E0.5 F1200\n`;
}
const tp = scanGcode(new TextEncoder().encode(text));

describe('draw window', () => {
  it('covers whole layers, the scrubber cuts the top layer', () => {
    expect(tp.layers.count).toBe(10);
    expect(drawWindow(tp, 0, 9, null, 'lines', 1e9)).toEqual({ first: 0, end: 210, firstLayerDrawn: 0, skippedLayers: 0 });
    expect(drawWindow(tp, 2, 4, null, 'lines', 1e9)).toMatchObject({ first: 42, end: 105 });
    expect(drawWindow(tp, 2, 4, 5, 'lines', 1e9)).toMatchObject({ first: 42, end: 89 });
  });

  it('skips the lowest layers of the range to stay within the vertex budget', () => {
    // 100 vertices = 50 line segments: layers 8 and 9 (42 segments) fit, 7 does not.
    expect(drawWindow(tp, 0, 9, null, 'lines', 100)).toEqual({ first: 168, end: 210, firstLayerDrawn: 8, skippedLayers: 8 });
    // Solid boxes cost 16 vertices per segment: the budget holds fewer layers.
    expect(drawWindow(tp, 0, 9, null, 'solid', 16 * 21)).toMatchObject({ firstLayerDrawn: 9, skippedLayers: 9 });
    // A single layer above the budget: its last part.
    expect(drawWindow(tp, 9, 9, null, 'lines', 20)).toMatchObject({ first: 200, end: 210 });
  });
});

describe('preview store', () => {
  beforeEach(() => {
    usePreviewStore.getState().clear();
    usePreviewStore.getState().setLiveProgress(null);
    usePreviewStore.getState().setToolpath(tp, 'ten.gcode');
  });

  it('shows all layers after a load and clamps the layer range', () => {
    const s = usePreviewStore.getState();
    expect(s.status).toBe('ready');
    expect(s.layerRange).toEqual([0, 9]);
    s.setLayerRange(7, 3);
    expect(usePreviewStore.getState().layerRange).toEqual([3, 3]);
    s.setLayerRange(-5, 99);
    expect(usePreviewStore.getState().layerRange).toEqual([0, 9]);
  });

  it('a new top layer resets the scrubber; the same top layer keeps it', () => {
    const s = usePreviewStore.getState();
    s.setScrub(4);
    s.setLayerRange(2, 9);
    expect(usePreviewStore.getState().scrubSegments).toBe(4);
    s.setLayerRange(2, 5);
    expect(usePreviewStore.getState().scrubSegments).toBeNull();
  });

  it('maps the host file position to printed segments and the printing layer', () => {
    const pos = text.indexOf(';LAYER:6');
    usePreviewStore.getState().setLayerRange(0, 2);
    usePreviewStore.getState().setLiveProgress(pos);
    const s = usePreviewStore.getState();
    expect(s.liveSegment).toBe(126);
    expect(s.liveLayer).toBe(5);
    expect(s.layerRange).toEqual([0, 9]); // following: the unprinted rest is drawn (ghosted)
    usePreviewStore.getState().setLiveProgress(null);
    expect(usePreviewStore.getState().liveSegment).toBeNull();
  });

  it('keeps a live position given before the file was loaded', () => {
    usePreviewStore.getState().clear();
    usePreviewStore.getState().setLiveProgress(text.length);
    usePreviewStore.getState().setToolpath(tp, 'ten.gcode');
    expect(usePreviewStore.getState().liveSegment).toBe(tp.segmentCount);
  });

  it('validates the build volume and the vertex budget', () => {
    const s = usePreviewStore.getState();
    s.setBuildVolume({ x: [-10, 300], y: [0, 300], z: [0, 400] });
    expect(usePreviewStore.getState().buildVolume.x).toEqual([-10, 300]);
    expect(() => s.setBuildVolume({ x: [0, 0], y: [0, 1], z: [0, 1] })).toThrow(/max > min/);
    expect(() => s.setVertexBudget(10)).toThrow(/at least 1000/);
  });

  it('picks a smaller automatic vertex budget for software GL, unless the user chose one', () => {
    const s = usePreviewStore.getState();
    s.setVertexBudget(null);
    s.setSoftwareRenderer(true);
    expect(usePreviewStore.getState().vertexBudget).toBe(softwareVertexBudget);
    s.setSoftwareRenderer(false);
    expect(usePreviewStore.getState().vertexBudget).toBe(defaultVertexBudget);
    s.setVertexBudget(5000);
    s.setSoftwareRenderer(true);
    expect(usePreviewStore.getState().vertexBudget).toBe(5000);
    s.setVertexBudget(null);
  });
});
