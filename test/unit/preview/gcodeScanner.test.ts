import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { referenceDir } from '../../support/paths';
import { GcodeScanner, scanGcode } from '../../../src-renderer/features/preview/parser/gcodeScanner';
import { Feature } from '../../../src-renderer/features/preview/parser/features';
import { layerOfSegment, segmentsBeforeFilePosition, type Toolpath } from '../../../src-renderer/features/preview/parser/toolpath';

const enc = new TextEncoder();
const scanText = (text: string, arcSegmentMm?: number) => scanGcode(enc.encode(text), { arcSegmentMm });

function readRef(name: string): Uint8Array {
  const b = readFileSync(path.join(referenceDir, 'gcode', name));
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** Segment i as [x0,y0,z0,x1,y1,z1]. */
function seg(tp: Toolpath, i: number): number[] {
  return Array.from(tp.points.subarray(i * 3, i * 3 + 6));
}
const drawn = (tp: Toolpath) => Array.from(tp.feature).filter((f) => f !== Feature.jump).length;

/**
 * A deliberately simple second parser: split into lines and words with strings, no arcs.
 * It counts moves that change X/Y/Z, extruding moves, and layers from the slicer's comments.
 */
function referenceParse(text: string, layerComment: RegExp) {
  let x = 0,
    y = 0,
    z = 0,
    e = 0;
  let relXyz = false,
    relE = false;
  let moves = 0,
    extruding = 0,
    filament = 0;
  const movesPerLayer: number[] = [0];
  let layersSeen = 0;
  for (const raw of text.split('\n')) {
    if (layerComment.test(raw)) {
      layersSeen++;
      if (layersSeen > 1) movesPerLayer.push(0);
      continue;
    }
    const line = raw.split(';')[0].trim().toUpperCase();
    if (!line) continue;
    const words = line.split(/\s+/);
    const cmd = words[0];
    const val = (l: string) => {
      const w = words.find((v) => v[0] === l);
      return w === undefined ? undefined : Number(w.slice(1));
    };
    if (cmd === 'G90') relXyz = false;
    else if (cmd === 'G91') relXyz = true;
    else if (cmd === 'M82') relE = false;
    else if (cmd === 'M83') relE = true;
    else if (cmd === 'G92') {
      if (words.length === 1) x = y = z = e = 0;
      x = val('X') ?? x;
      y = val('Y') ?? y;
      z = val('Z') ?? z;
      e = val('E') ?? e;
    } else if (cmd === 'G28') {
      const none = !words.slice(1).some((w) => 'XYZ'.includes(w[0]));
      if (none || val('X') !== undefined) x = 0;
      if (none || val('Y') !== undefined) y = 0;
      if (none || val('Z') !== undefined) z = 0;
    } else if (cmd === 'G0' || cmd === 'G1') {
      const nx = val('X') === undefined ? x : relXyz ? x + val('X')! : val('X')!;
      const ny = val('Y') === undefined ? y : relXyz ? y + val('Y')! : val('Y')!;
      const nz = val('Z') === undefined ? z : relXyz ? z + val('Z')! : val('Z')!;
      let de = 0;
      const E = val('E');
      if (E !== undefined) {
        de = relXyz || relE ? E : E - e;
        e = relXyz || relE ? e + E : E;
      }
      if (nx !== x || ny !== y || nz !== z) {
        moves++;
        movesPerLayer[movesPerLayer.length - 1]++;
        if (de > 0) {
          extruding++;
          filament += de;
        }
      }
      x = nx;
      y = ny;
      z = nz;
    }
  }
  return { moves, extruding, filament, layers: layersSeen, movesPerLayer };
}

function movesPerLayer(tp: Toolpath): number[] {
  const out: number[] = [];
  for (let l = 0; l < tp.layers.count; l++) {
    let n = 0;
    for (let s = tp.layers.startSegment[l]; s < tp.layers.startSegment[l + 1]; s++) {
      if (tp.feature[s] !== Feature.jump) n++;
    }
    out.push(n);
  }
  return out;
}

describe('G-code scanner on real slicer output', () => {
  const cases = [
    { file: 'benchy-prusaslicer-2.6.1.gcode', layerComment: /^;LAYER_CHANGE/, slicer: /PrusaSlicer 2\.6\.1/ },
    { file: 'puzzle_all-cura-2.3.1.gcode', layerComment: /^;LAYER:-?\d+/, slicer: /Cura_SteamEngine 2\.3\.1/ },
  ];
  for (const c of cases) {
    it(`${c.file}: layers, segments and filament match a line-by-line reference parser`, () => {
      const bytes = readRef(c.file);
      const tp = scanGcode(bytes);
      const ref = referenceParse(new TextDecoder().decode(bytes), c.layerComment);
      expect(ref.layers).toBeGreaterThan(100);
      expect(tp.layerSource).toBe('comments');
      expect(tp.layers.count).toBe(ref.layers);
      expect(drawn(tp)).toBe(ref.moves);
      expect(Array.from(tp.feature).filter((f) => f !== Feature.jump && f !== Feature.travel).length).toBe(ref.extruding);
      expect(movesPerLayer(tp)).toEqual(ref.movesPerLayer);
      expect(tp.filamentMm).toBeCloseTo(ref.filament, 0);
      expect(tp.slicer).toMatch(c.slicer);
      expect(tp.warnings).toEqual([]);
      // Every segment's file offset points at the G-code line that made it, in file order.
      const text = new TextDecoder().decode(bytes);
      for (let s = 0; s < tp.segmentCount; s += 997) {
        expect(text.slice(tp.fileOffset[s], tp.fileOffset[s] + 3)).toMatch(/^G[0-3]/);
        if (s > 0) expect(tp.fileOffset[s]).toBeGreaterThanOrEqual(tp.fileOffset[s - 1]);
      }
      // The per-segment layer array agrees with the layer table.
      for (let l = 0; l < tp.layers.count; l++) {
        const s = tp.layers.startSegment[l];
        if (s < tp.layers.startSegment[l + 1]) expect(tp.layer[s]).toBe(l);
      }
    });
  }

  it('gives the same arrays whatever the chunk boundaries', () => {
    const bytes = readRef('benchy-prusaslicer-2.6.1.gcode');
    const whole = scanGcode(bytes);
    const scanner = new GcodeScanner();
    let seed = 7;
    for (let i = 0; i < bytes.length;) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const n = 1 + (seed % 5000);
      scanner.push(bytes.subarray(i, i + n));
      i += n;
    }
    const chunked = scanner.finish();
    const same = (a: ArrayBufferView, b: ArrayBufferView) =>
      Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    expect(chunked.segmentCount).toBe(whole.segmentCount);
    expect(same(chunked.points, whole.points)).toBe(0);
    expect(same(chunked.fileOffset, whole.fileOffset)).toBe(0);
    expect(same(chunked.feature, whole.feature)).toBe(0);
    expect(same(chunked.layers.startSegment, whole.layers.startSegment)).toBe(0);
  });

  it('reads PrusaSlicer ;Z:, ;HEIGHT: and ;TYPE: comments', () => {
    const tp = scanGcode(readRef('benchy-prusaslicer-2.6.1.gcode'));
    expect(tp.layers.zMm[0]).toBeCloseTo(0.3);
    expect(tp.layers.zMm[1]).toBeCloseTo(0.6);
    expect(tp.layers.heightMm[1]).toBeCloseTo(0.3);
    expect(tp.layers.zMm[tp.layers.count - 1]).toBeCloseTo(48, 0);
    const kinds = new Set(tp.feature);
    for (const f of [Feature.externalPerimeter, Feature.perimeter, Feature.internalInfill, Feature.custom]) {
      expect(kinds.has(f)).toBe(true);
    }
    expect(tp.layers.timeS[5]).toBeGreaterThan(1);
  });
});

describe('G-code scanner edge cases', () => {
  it('G2/G3 arcs with I/J are tessellated on the circle in the right direction', () => {
    const cw = scanText('G90\nG1 X10 Y0 F600\nG2 X0 Y-10 I-10 J0 E1\n', 1);
    const n = cw.segmentCount - 1; // after the straight move
    expect(n).toBe(Math.ceil((Math.PI / 2) * 10)); // 1 mm chords on a quarter circle of r=10
    for (let i = 1; i <= n; i++) {
      const [, , , x, y] = seg(cw, i);
      expect(Math.hypot(x, y)).toBeCloseTo(10, 4);
      expect(y).toBeLessThanOrEqual(1e-6); // clockwise from +X goes through -Y
    }
    expect(seg(cw, n).slice(3)).toEqual([0, -10, 0]);
    expect(cw.extrusionMm[1]).toBeCloseTo(1 / n);
    const ccw = scanText('G1 X10 Y0\nG3 X0 Y10 I-10 J0\n');
    expect(seg(ccw, 2)[4]).toBeGreaterThan(0); // counter-clockwise goes through +Y
  });

  it('G2/G3 with R picks the short arc, R<0 the long one; start == end is a full circle', () => {
    const short = scanText('G3 X10 Y0 R10\n', 0.5);
    const long = scanText('G3 X10 Y0 R-10\n', 0.5);
    expect(short.segmentCount).toBe(Math.ceil(((Math.PI / 3) * 10) / 0.5));
    expect(long.segmentCount).toBe(Math.ceil((((5 * Math.PI) / 3) * 10) / 0.5));
    // Short counter-clockwise arc: centre (5, 8.66) left of the chord, path dips below Y=0.
    for (let i = 0; i < short.segmentCount; i++) {
      const [, , , x, y] = seg(short, i);
      expect(Math.hypot(x - 5, y - 8.660254)).toBeCloseTo(10, 4);
      expect(y).toBeLessThanOrEqual(1e-6);
    }
    const yl = seg(long, Math.floor(long.segmentCount / 2))[4];
    expect(yl).toBeCloseTo(-18.660254, 1); // centre (5, -8.66): the long way round passes under it
    const full = scanText('G1 X5 Y0\nG2 X5 Y0 I-5 J0 Z1\n', 1);
    expect(full.segmentCount - 1).toBe(Math.ceil(2 * Math.PI * 5));
    expect(seg(full, full.segmentCount - 1).slice(3)).toEqual([5, 0, 1]); // helix ends at Z1
    const mid = seg(full, Math.floor(full.segmentCount / 2));
    expect(mid[2]).toBeGreaterThan(0.3);
    expect(mid[2]).toBeLessThan(0.7);
  });

  it('an arc without I/J/R is drawn straight and warned about with its line number', () => {
    const tp = scanText('G1 X1\nG2 X5 Y5\n');
    expect(tp.segmentCount).toBe(2);
    expect(tp.warnings[0]).toMatchObject({ line: 2, kind: 'arcWithoutCentre', command: 'G2' });
    expect(tp.warnings[0].message).toMatch(/^line 2: G2 without I\/J or R/);
  });

  it('G91 makes XYZ and E relative; M83 only E; M82 back to absolute E', () => {
    const tp = scanText('G91\nG1 X10 E1\nG1 X10 E1\nG90\nM82\nG1 X30 E3\nM83\nG1 X40 E0.5\n');
    expect(tp.segmentCount).toBe(4);
    expect(seg(tp, 1).slice(3)).toEqual([20, 0, 0]);
    expect(Array.from(tp.extrusionMm)).toEqual([1, 1, 1, 0.5]); // E3 absolute after E at 2
  });

  it('G92 resets E and moves the origin; the next move starts at the new position', () => {
    const tp = scanText('M82\nG1 X10 E5\nG92 E0\nG1 X20 E1\nG92 X0\nG1 X5 E2\n');
    expect(Array.from(tp.extrusionMm)).toEqual([5, 1, 0, 1]);
    expect(Array.from(tp.feature)).toEqual([Feature.extrusion, Feature.extrusion, Feature.jump, Feature.extrusion]);
    expect(seg(tp, 3)).toEqual([0, 0, 0, 5, 0, 0]);
    const all = scanText('G1 X3 Y4 Z5\nG92\nG1 X1\n');
    expect(seg(all, 2)).toEqual([0, 0, 0, 1, 0, 0]);
  });

  it('G10/G11 firmware retraction and E<=0 moves are travel; T1 switches tools', () => {
    const tp = scanText('M83\nG1 X1 E1\nG10\nG1 X2\nG11\nT1\nG1 X3 E1\nG1 X4 E-1\n');
    expect(Array.from(tp.feature)).toEqual([Feature.extrusion, Feature.travel, Feature.extrusion, Feature.travel]);
    expect(Array.from(tp.tool)).toEqual([0, 0, 1, 1]);
    expect(tp.toolCount).toBe(2);
  });

  it('reads line numbers, checksums, CRLF, lower case and inline comments', () => {
    const tp = scanText('N1 G1 X1 Y2*33\r\ng1 x2 y3 e1 ; wall\r\nG1 X.5 Y-.5 E+1\n');
    expect(tp.segmentCount).toBe(3);
    expect(seg(tp, 0).slice(3)).toEqual([1, 2, 0]);
    expect(seg(tp, 1).slice(3)).toEqual([2, 3, 0]);
    expect(seg(tp, 2).slice(3)).toEqual([0.5, -0.5, 0]);
  });

  it('finds layers from Z when there are no comments, ignoring Z hops', () => {
    let g = 'M83\n';
    for (let l = 1; l <= 3; l++) {
      const z = (l * 0.2).toFixed(2);
      g += `G1 Z${z}\nG1 X0 Y0\nG1 X10 E1\nG1 Z${(l * 0.2 + 0.4).toFixed(2)}\nG1 X0 Y10\nG1 Z${z}\nG1 X10 Y10 E1\n`;
    }
    const tp = scanText(g);
    expect(tp.layerSource).toBe('z');
    expect(tp.layers.count).toBe(3);
    expect(Array.from(tp.layers.zMm).map((z) => +z.toFixed(2))).toEqual([0.2, 0.4, 0.6]);
    // Layer 2 starts with its Z move, right after layer 1's last extrusion.
    expect(seg(tp, tp.layers.startSegment[1]).slice(3)).toEqual([10, 10, Math.fround(0.4)]);
  });

  it('vase mode: a spiral makes one layer per layer height, not one per segment', () => {
    let g = 'M83\nG1 Z0.2\nG1 X10 Y0\n';
    for (let i = 0; i <= 40; i++) g += `G1 X${10 * Math.cos(i / 10)} Y${10 * Math.sin(i / 10)} E0.1\n`; // flat bottom
    g += 'G1 Z0.4 E0.1\n';
    let z = 0.4;
    for (let i = 0; i < 500; i++) {
      z += 0.2 / 100; // 0.2 mm per 100 segments
      g += `G1 X${10 * Math.cos(i / 16)} Y${10 * Math.sin(i / 16)} Z${z.toFixed(4)} E0.1\n`;
    }
    const tp = scanText(g);
    expect(tp.layers.count).toBeGreaterThanOrEqual(6);
    expect(tp.layers.count).toBeLessThanOrEqual(8);
  });

  it('maps file positions to printed segments and segments to layers', () => {
    const text = ';LAYER:0\nG1 Z0.2\nG1 X1 E1\n;LAYER:1\nG1 Z0.4\nG1 X2 E1\n';
    const tp = scanText(text);
    expect(tp.layers.count).toBe(2);
    expect(segmentsBeforeFilePosition(tp, 0)).toBe(0);
    expect(segmentsBeforeFilePosition(tp, text.indexOf('G1 X1') + 1)).toBe(2);
    expect(segmentsBeforeFilePosition(tp, text.length)).toBe(4);
    expect(layerOfSegment(tp, 0)).toBe(0);
    expect(layerOfSegment(tp, 2)).toBe(1);
    expect(layerOfSegment(tp, 99)).toBe(1);
  });

  it('an empty file gives one empty layer, not an error', () => {
    const tp = scanText('; nothing\n');
    expect(tp.segmentCount).toBe(0);
    expect(tp.layers.count).toBe(1);
    expect(tp.points.length).toBe(3);
  });
});
