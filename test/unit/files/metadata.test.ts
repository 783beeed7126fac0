// Metadata of the reference slicer files, checked against what their own comments and moves say.
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDuration, readMetadata } from '../../../src-main/host/files/metadata';
import { GCodeFileStore } from '../../../src-main/host/files/store';
import { referenceDir, testOutputDir } from '../../support/paths';

const gcodeDir = path.join(referenceDir, 'gcode');

describe('slicer metadata', () => {
  it('PrusaSlicer 2.6.1 benchy: slicer, time, filament, layers, temps, thumbnails', async () => {
    const m = await readMetadata(path.join(gcodeDir, 'benchy-prusaslicer-2.6.1.gcode'));
    expect(m).toMatchObject({ slicer: 'PrusaSlicer', slicerVersion: '2.6.1', estimatedTimeS: 38 * 60 + 43, filamentUsedMm: 4282.06, filamentUsedG: 12.77, layerCount: 160 });
    expect(m.firstLayerBedTempC).toBe(60); // its start G-code heats to 60, then 50 after the first layer
    expect(m.firstLayerExtruderTempC).toBeGreaterThan(150);
    expect(m.thumbnails.map((t) => `${t.width}x${t.height}`)).toEqual(['16x16', '220x124']);
    // A real PNG: the announced base64 length, decoding to the PNG signature.
    expect(m.thumbnails[0].base64.length).toBe(808);
    expect(Buffer.from(m.thumbnails[0].base64, 'base64').subarray(1, 4).toString()).toBe('PNG');
  });

  it('Cura 2.3.1 puzzle: time, layer count, first temps from the start G-code', async () => {
    const m = await readMetadata(path.join(gcodeDir, 'puzzle_all-cura-2.3.1.gcode'));
    expect(m).toMatchObject({ slicer: 'Cura', slicerVersion: '2.3.1', estimatedTimeS: 3485, layerCount: 119, firstLayerExtruderTempC: 195, firstLayerBedTempC: 50 });
    expect(m.thumbnails).toEqual([]);
    expect(m.objectHeightMm).toBeGreaterThan(10);
  });

  it('durations', () => {
    expect(parseDuration('1d 2h 3m 4s')).toBe(93784);
    expect(parseDuration('nothing')).toBeNull();
  });
});

describe('G-code folder', () => {
  it('streams an upload with progress, lists, refuses escapes, deletes', async () => {
    const dir = path.join(testOutputDir, 'files', `store-${process.pid}`);
    const store = new GCodeFileStore(dir);
    const src = path.join(gcodeDir, 'puzzle_all-cura-2.3.1.gcode');
    const size = readFileSync(src).length;
    const progress: number[] = [];
    const info = await store.upload('sub/puzzle.gcode', createReadStream(src, { highWaterMark: 64 * 1024 }), size, (d) => progress.push(d));
    expect(info).toMatchObject({ name: 'sub/puzzle.gcode', sizeBytes: size });
    expect(progress.length).toBeGreaterThan(10);
    expect(progress.at(-1)).toBe(size);
    expect(readFileSync(path.join(dir, 'sub/puzzle.gcode')).equals(readFileSync(src))).toBe(true);
    expect((await store.metadata('sub/puzzle.gcode')).layerCount).toBe(119);
    expect(() => store.resolve('../../etc/passwd.gcode')).toThrow(/outside the G-code folder/);
    expect(() => store.resolve('x.sh')).toThrow(/not a G-code file/);
    // A short upload never appears under its name.
    await expect(store.upload('short.gcode', (async function* () { yield new Uint8Array(10); })(), 20)).rejects.toThrow(/incomplete/);
    expect(existsSync(path.join(dir, 'short.gcode'))).toBe(false);
    store.delete('sub/puzzle.gcode');
    expect(store.list()).toEqual([]);
  });
});
