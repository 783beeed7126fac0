// Jobs panel logic: the current job from print_stats/virtual_sdcard/display_status, the ETA,
// which buttons apply, thumbnails, sizes, upload chunks (offsets in order, base64 that decodes
// to the file, abort on failure) and the store's list/metadata/upload flow.
import { describe, expect, it } from 'vitest';
import type { GCodeFileInfo, GCodeMetadata } from '../../../src-main/api/contract';
import { ApiError } from '../../../src-main/api/errors';
import {
  bytesToBase64,
  chunkRanges,
  durationParts,
  etaSeconds,
  jobActions,
  jobOf,
  pickThumbnail,
  sizeParts,
  thumbnailUrl,
  UPLOAD_CHUNK_BYTES,
} from '../../../src-renderer/features/jobs/model';
import { NOT_GCODE, useJobs } from '../../../src-renderer/features/jobs/store';
import { uploadFile, type UploadSource } from '../../../src-renderer/features/jobs/upload';
import { scriptedApi } from './scripted-api';

describe('current job', () => {
  it('reads state, file, progress (M73 first, else the file position), duration', () => {
    const status = {
      print_stats: { state: 'printing', filename: 'cube.gcode', print_duration: 600, filament_used: 1234, message: '' },
      virtual_sdcard: { progress: 0.4 },
      display_status: { progress: 0.25 },
    };
    expect(jobOf(status)).toEqual({
      state: 'printing',
      filename: 'cube.gcode',
      progress: 0.25,
      printDurationS: 600,
      filamentUsedMm: 1234,
      message: '',
    });
    expect(jobOf({ ...status, display_status: { progress: 0 } }).progress).toBe(0.4);
    expect(jobOf({})).toMatchObject({ state: 'standby', filename: null, progress: 0 });
    expect(jobOf({ print_stats: { state: 'weird' } }).state).toBe('standby');
  });

  it('estimates time left from the slicer early and from progress later', () => {
    // Slicer only (no progress yet): its estimate minus time spent.
    expect(etaSeconds(0, 60, 3600)).toBe(3540);
    // Progress only: time per unit of progress.
    expect(etaSeconds(0.5, 1000, null)).toBe(1000);
    // Both, half-way: the mean of 3000 (slicer) and 1000 (progress).
    expect(etaSeconds(0.5, 1000, 4000)).toBe(2000);
    expect(etaSeconds(0, 0, null)).toBeNull();
    expect(etaSeconds(1, 500, 400)).toBe(0);
  });

  it('offers the actions that make sense in each state', () => {
    expect(jobActions('standby', true)).toEqual({ start: true, pause: false, resume: false, cancel: false });
    expect(jobActions('printing', true)).toEqual({ start: false, pause: true, resume: false, cancel: true });
    expect(jobActions('paused', true)).toEqual({ start: false, pause: false, resume: true, cancel: true });
    expect(jobActions('complete', true).start).toBe(true);
    expect(jobActions('printing', false)).toEqual({ start: false, pause: false, resume: false, cancel: false });
  });

  it('formats durations and sizes', () => {
    expect(durationParts(3725.4)).toEqual({ h: 1, m: 2, s: 5 });
    expect(durationParts(-3)).toEqual({ h: 0, m: 0, s: 0 });
    expect(sizeParts(512)).toEqual({ value: '512', unit: 'B' });
    expect(sizeParts(1536)).toEqual({ value: '1.5', unit: 'KiB' });
    expect(sizeParts(25 * 1024 * 1024)).toEqual({ value: '25', unit: 'MiB' });
  });

  it('picks a thumbnail the browser can show, scaled down rather than up', () => {
    const t = (width: number, format: string) => ({ width, height: width, format, base64: 'AAAA' });
    expect(pickThumbnail([t(300, 'png'), t(16, 'png'), t(96, 'jpg'), t(64, 'qoi')], 64)).toEqual(t(96, 'jpg'));
    expect(pickThumbnail([t(16, 'png'), t(32, 'png')], 64)).toEqual(t(32, 'png'));
    expect(pickThumbnail([t(64, 'qoi')], 64)).toBeNull();
    expect(thumbnailUrl(t(32, 'jpg'))).toBe('data:image/jpeg;base64,AAAA');
  });
});

describe('upload pieces', () => {
  it('splits a file into in-order chunks that fit the API', () => {
    expect(chunkRanges(0)).toEqual([]);
    expect(chunkRanges(10, 4)).toEqual([
      [0, 4],
      [4, 8],
      [8, 10],
    ]);
    expect(chunkRanges(UPLOAD_CHUNK_BYTES * 2 + 1).length).toBe(3);
  });
  it('encodes base64 like Node does, across the fromCharCode slices', () => {
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 31) % 256);
    expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    expect(bytesToBase64(new Uint8Array())).toBe('');
  });
});

function source(name: string, text: string): UploadSource {
  const bytes = new TextEncoder().encode(text);
  return { name, size: bytes.length, slice: (a, b) => ({ arrayBuffer: async () => bytes.slice(a, b).buffer }) };
}

const info = (name: string, sizeBytes: number): GCodeFileInfo => ({ name, sizeBytes, modifiedMs: 1000 });

describe('uploadFile', () => {
  it('sends every chunk in order and the file arrives whole', async () => {
    const text = 'G1 X1\n'.repeat(100_000); // 600 KB: three chunks
    const received: Buffer[] = [];
    const progress: number[] = [];
    const api = scriptedApi({
      'files.uploadBegin': async () => ({ uploadId: 'u-1' }),
      'files.uploadChunk': async ({ offset, dataBase64 }) => {
        expect(offset).toBe(received.reduce((n, b) => n + b.length, 0));
        received.push(Buffer.from(dataBase64, 'base64'));
        return { doneBytes: offset + received.at(-1)!.length, totalBytes: text.length };
      },
      'files.uploadEnd': async () => info('big.gcode', text.length),
    });
    const done = await uploadFile(api.client, 'printer-1', source('big.gcode', text), (d) => progress.push(d));
    expect(api.refused).toEqual([]);
    expect(done).toEqual(info('big.gcode', text.length));
    expect(Buffer.concat(received).toString()).toBe(text);
    expect(progress).toEqual([262_144, 524_288, 600_000]);
  });

  it('aborts the upload when a chunk fails, so nothing half-written stays', async () => {
    const api = scriptedApi({
      'files.uploadBegin': async () => ({ uploadId: 'u-2' }),
      'files.uploadChunk': async () => {
        throw new ApiError('refused', 'disk full');
      },
      'files.uploadAbort': async () => ({ aborted: true }),
    });
    await expect(uploadFile(api.client, 'printer-1', source('a.gcode', 'G28\n'), () => undefined)).rejects.toThrow('disk full');
    expect(api.calls.map((c) => c.method)).toEqual(['files.uploadBegin', 'files.uploadChunk', 'files.uploadAbort']);
  });
});

describe('jobs store', () => {
  const meta: GCodeMetadata = {
    slicer: 'PrusaSlicer',
    slicerVersion: '2.7.1',
    estimatedTimeS: 3600,
    filamentUsedMm: 1200,
    filamentUsedG: 3.5,
    layerCount: 50,
    layerHeightMm: 0.2,
    firstLayerExtruderTempC: 215,
    firstLayerBedTempC: 60,
    objectHeightMm: 10,
    thumbnails: [],
  };

  it('lists files newest first with their metadata, uploads, and refuses non-G-code before sending', async () => {
    const files = [
      { name: 'old.gcode', sizeBytes: 10, modifiedMs: 1 },
      { name: 'new.gcode', sizeBytes: 20, modifiedMs: 2 },
    ];
    const api = scriptedApi({
      'files.list': async () => files,
      'files.metadata': async ({ name }) => ({ ...meta, slicer: name }),
      'files.uploadBegin': async () => ({ uploadId: 'u-3' }),
      'files.uploadChunk': async ({ offset, dataBase64 }) => ({
        doneBytes: offset + Buffer.from(dataBase64, 'base64').length,
        totalBytes: 4,
      }),
      'files.uploadEnd': async () => {
        files.push({ name: 'up.gcode', sizeBytes: 4, modifiedMs: 3 });
        return files.at(-1)!;
      },
    });
    const store = useJobs.getState();
    await store.refresh(api.client, 'printer-1');
    expect(useJobs.getState().files.map((f) => f.name)).toEqual(['new.gcode', 'old.gcode']);
    expect(useJobs.getState().selected).toBe('new.gcode');
    expect(useJobs.getState().metadata['old.gcode'].meta?.slicer).toBe('old.gcode');

    await store.upload(api.client, 'printer-1', [source('up.gcode', 'G28\n'), source('photo.png', 'xx')]);
    expect(api.refused).toEqual([]);
    const s = useJobs.getState();
    expect(s.files[0].name).toBe('up.gcode');
    expect(s.selected).toBe('up.gcode');
    expect(s.uploads).toEqual([{ name: 'photo.png', doneBytes: 0, totalBytes: 2, error: NOT_GCODE }]);
    // Metadata is read once per file version.
    expect(api.calls.filter((c) => c.method === 'files.metadata').map((c) => (c.params as { name: string }).name)).toEqual([
      'new.gcode',
      'old.gcode',
      'up.gcode',
    ]);
  });
});
