// The two-worker parse must give exactly the arrays of one scan: checked on both reference
// files at several split points (mid-line, mid-layer), and on files built to resist joining.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { referenceDir } from '../../support/paths';
import { buildToolpath, scanGcode } from '../../../src-renderer/features/preview/parser/gcodeScanner';
import { scanInTwo } from '../../../src-renderer/features/preview/parser/parallelScan';
import type { Toolpath } from '../../../src-renderer/features/preview/parser/toolpath';

function readRef(name: string): Uint8Array {
  const b = readFileSync(path.join(referenceDir, 'gcode', name));
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

function expectSameToolpath(a: Toolpath, b: Toolpath): void {
  expect(b.segmentCount).toBe(a.segmentCount);
  for (const k of ['points', 'extrusionMm', 'feedMmMin', 'feature', 'tool', 'layer', 'fileOffset'] as const) {
    // Buffer equality, not toEqual on millions of numbers (slow and unreadable on failure).
    const x = Buffer.from(a[k].buffer, a[k].byteOffset, a[k].byteLength);
    const y = Buffer.from(b[k].buffer, b[k].byteOffset, b[k].byteLength);
    expect(x.equals(y), `${k} differs`).toBe(true);
  }
  expect(Array.from(b.layers.startSegment)).toEqual(Array.from(a.layers.startSegment));
  expect(Array.from(b.layers.zMm)).toEqual(Array.from(a.layers.zMm));
  expect(Array.from(b.layers.heightMm)).toEqual(Array.from(a.layers.heightMm));
  const { points: _p, extrusionMm: _e, feedMmMin: _f, feature: _t, tool: _o, layer: _l, fileOffset: _b, layers: _y, ...restA } = a;
  const { points: _p2, extrusionMm: _e2, feedMmMin: _f2, feature: _t2, tool: _o2, layer: _l2, fileOffset: _b2, layers: _y2, ...restB } = b;
  expect(restB).toEqual(restA);
}

describe('parallel parse (two halves, merged)', () => {
  for (const file of ['benchy-prusaslicer-2.6.1.gcode', 'puzzle_all-cura-2.3.1.gcode']) {
    it(`${file}: identical arrays to one scan, joined soon after the split`, () => {
      const bytes = readRef(file);
      const single = scanGcode(bytes);
      for (const fraction of [0.13, 0.5, 0.77]) {
        const split = Math.floor(bytes.length * fraction);
        const { raw, joinedAt } = scanInTwo(bytes, split, 64 * 1024);
        // The halves must really join (else this only tests the single scan again) and soon.
        expect(joinedAt, `split at ${fraction}`).not.toBeNull();
        expect(joinedAt!.offset - split).toBeLessThan(bytes.length * 0.1);
        expectSameToolpath(single, buildToolpath(raw));
      }
    });
  }

  it('absolute E with no G92 after the split: the tail cannot know E, the lead scans on until E is known', () => {
    let g = 'G90\nM82\nG92 E0\nG1 Z0.2 F600\n';
    let e = 0;
    for (let i = 0; i < 4000; i++) {
      e += 0.05;
      g += `G1 X${(i % 50) * 2} Y${Math.floor(i / 50) % 50} E${e.toFixed(5)} F1800\n`;
      if (i % 500 === 499) g += `;LAYER_CHANGE\n;Z:${(0.2 * (i / 500 + 2)).toFixed(1)}\nG1 Z${(0.2 * (i / 500 + 2)).toFixed(1)}\n`;
    }
    const bytes = new TextEncoder().encode(g);
    const single = scanGcode(bytes);
    const { raw, joinedAt } = scanInTwo(bytes, Math.floor(bytes.length * 0.4), 4096);
    expect(joinedAt).not.toBeNull();
    expectSameToolpath(single, buildToolpath(raw));
    expect(single.filamentMm).toBeGreaterThan(e * 0.99);
  });

  it('a file whose halves never agree (relative moves throughout) is scanned whole by the lead', () => {
    let g = 'G91\nM83\n';
    for (let i = 0; i < 3000; i++) g += `G1 X0.5 Y${i % 2 ? 0.3 : -0.3} E0.02\n${i % 300 === 0 ? 'G1 Z0.2\n' : ''}`;
    const bytes = new TextEncoder().encode(g);
    const { raw, joinedAt } = scanInTwo(bytes, Math.floor(bytes.length / 2), 2048);
    expect(joinedAt).toBeNull();
    expectSameToolpath(scanGcode(bytes), buildToolpath(raw));
  });
});
