// Files, status and print-job methods over the real WebSocket in serve mode, against a host
// driving the sim printer (a real MCU on a pty) with a [virtual_sdcard] folder. No print is
// started here: only the refusals of print.start are checked.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GCodeFileInfo, GCodeMetadata, StatusSnapshot, UploadProgress } from '../../../src-main/api/contract';
import { referenceDir } from '../../support/paths';
import { result, startSimServeSession, type SimServeSession } from './sim-serve-session';
import type { TestClient } from './ws-client';

const CURA = path.join(referenceDir, 'gcode/puzzle_all-cura-2.3.1.gcode');
const NAME = 'puzzle_all-cura-2.3.1.gcode';
const CHUNK_BYTES = 128 * 1024;

describe('jobs API over the WebSocket (serve mode, sim printer)', () => {
  let gcodeDir = '';
  let serve: SimServeSession | null = null;
  let client: TestClient;

  beforeAll(async () => {
    serve = await startSimServeSession({ prefix: 'tether-jobs-api-' });
    // The default sim printer.cfg's [virtual_sdcard] folder, relative to the config file.
    gcodeDir = path.join(serve.dir, 'gcodes');
    client = await serve.openClient();
  }, 60_000);

  afterAll(async () => {
    await serve?.stop();
  });

  it('uploads in chunks with progress, lists with metadata, refuses partial uploads, deletes', async () => {
    const bytes = readFileSync(CURA);
    const { uploadId } = result<{ uploadId: string }>(
      await client.call('files.uploadBegin', { printerId: 'printer-1', name: NAME, size: bytes.length }),
    );
    for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
      const dataBase64 = bytes.subarray(offset, offset + CHUNK_BYTES).toString('base64');
      const r = result<{ doneBytes: number }>(await client.call('files.uploadChunk', { uploadId, offset, dataBase64 }));
      expect(r.doneBytes).toBe(Math.min(offset + CHUNK_BYTES, bytes.length));
      // Not listed until complete.
      if (offset === 0) expect(result<GCodeFileInfo[]>(await client.call('files.list', { printerId: 'printer-1' }))).toEqual([]);
    }
    // A repeated chunk is refused, not appended.
    expect(await client.call('files.uploadChunk', { uploadId, offset: 0, dataBase64: 'AAAA' })).toMatchObject({
      ok: false,
      error: { code: 'refused', message: expect.stringContaining(`expected ${bytes.length}`) },
    });
    const done = result<GCodeFileInfo>(await client.call('files.uploadEnd', { uploadId }));
    expect(done).toMatchObject({ name: NAME, sizeBytes: bytes.length });
    expect(readFileSync(path.join(gcodeDir, NAME)).equals(bytes)).toBe(true);

    await expect.poll(() => client.events.filter((e) => e.event === 'files.progress').length).toBe(Math.ceil(bytes.length / CHUNK_BYTES));
    const progress = client.events.filter((e) => e.event === 'files.progress').map((e) => e.payload as UploadProgress);
    expect(progress.map((p) => p.doneBytes)).toEqual([...progress.map((p) => p.doneBytes)].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual({ uploadId, printerId: 'printer-1', name: NAME, doneBytes: bytes.length, totalBytes: bytes.length });

    // An interrupted upload (bytes missing at the end) never shows up, and leaves nothing behind.
    const half = result<{ uploadId: string }>(
      await client.call('files.uploadBegin', { printerId: 'printer-1', name: 'half.gcode', size: 1000 }),
    );
    result(
      await client.call('files.uploadChunk', { uploadId: half.uploadId, offset: 0, dataBase64: bytes.subarray(0, 600).toString('base64') }),
    );
    expect(await client.call('files.uploadEnd', { uploadId: half.uploadId })).toMatchObject({
      ok: false,
      error: { code: 'refused', message: 'Upload incomplete: 600 of 1000 bytes' },
    });
    // One abandoned mid-way (the window closed) is dropped by files.uploadAbort.
    const gone = result<{ uploadId: string }>(
      await client.call('files.uploadBegin', { printerId: 'printer-1', name: 'gone.gcode', size: 1000 }),
    );
    result(
      await client.call('files.uploadChunk', { uploadId: gone.uploadId, offset: 0, dataBase64: bytes.subarray(0, 300).toString('base64') }),
    );
    expect(result(await client.call('files.uploadAbort', { uploadId: gone.uploadId }))).toEqual({ aborted: true });
    expect(await client.call('files.uploadChunk', { uploadId: gone.uploadId, offset: 300, dataBase64: 'AAAA' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });

    const list = result<GCodeFileInfo[]>(await client.call('files.list', { printerId: 'printer-1' }));
    expect(list.map((f) => f.name)).toEqual([NAME]);
    expect(readdirSync(gcodeDir)).toEqual([NAME]);

    const meta = result<GCodeMetadata>(await client.call('files.metadata', { printerId: 'printer-1', name: NAME }));
    expect(meta).toMatchObject({ slicer: 'Cura', slicerVersion: '2.3.1', layerCount: 119, firstLayerExtruderTempC: 195 });

    // Validation happens before the host: a name leaving the folder is a bad request.
    expect(await client.call('files.delete', { printerId: 'printer-1', name: '../printer.cfg' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    expect(await client.call('files.metadata', { printerId: 'printer-1', name: 'missing.gcode' })).toMatchObject({
      ok: false,
      error: { code: 'refused', message: expect.stringContaining("'missing.gcode' does not exist") },
    });

    expect(result(await client.call('files.delete', { printerId: 'printer-1', name: NAME }))).toEqual({ deleted: NAME });
    expect(result<GCodeFileInfo[]>(await client.call('files.list', { printerId: 'printer-1' }))).toEqual([]);
    expect(existsSync(path.join(gcodeDir, NAME))).toBe(false);
  }, 60_000);

  it('queries, subscribes to change-only deltas, and unsubscribes', async () => {
    const objects = result<string[]>(await client.call('status.objects', { printerId: 'printer-1' }));
    expect(objects).toEqual(expect.arrayContaining(['toolhead', 'print_stats', 'virtual_sdcard']));

    const q = result<{ status: StatusSnapshot }>(
      await client.call('status.query', { printerId: 'printer-1', objects: { print_stats: ['state'], no_such_object: null } }),
    );
    expect(q.status).toEqual({ print_stats: { state: 'standby' } });

    const wanted = { print_stats: null, toolhead: null, virtual_sdcard: null };
    const sub = result<{ status: StatusSnapshot }>(await client.call('status.subscribe', { printerId: 'printer-1', objects: wanted }));
    expect(Object.keys(sub.status).sort()).toEqual(['print_stats', 'toolhead', 'virtual_sdcard']);
    expect(sub.status.toolhead).toHaveProperty('position');

    const before = client.events.length;
    result(await client.call('gcode.run', { printerId: 'printer-1', script: 'SET_KINEMATIC_POSITION X=10 Y=10 Z=5\nG1 X20 F3000\nM400' }));
    const delta = (await client.waitForEvent(
      (e) =>
        e.event === 'status.delta' &&
        client.events.indexOf(e) >= before &&
        ((e.payload as { status: StatusSnapshot }).status.toolhead?.position as number[] | undefined)?.[0] === 20,
    )) as { printerId: string; eventtime: number; status: StatusSnapshot };
    expect(delta.printerId).toBe('printer-1');
    expect(delta.eventtime).toBeGreaterThan(0);
    // Change-only: fields that did not change are not resent.
    expect(delta.status.toolhead).not.toHaveProperty('max_velocity');
    expect(delta.status.virtual_sdcard).toBeUndefined();

    expect(result(await client.call('status.unsubscribe', { printerId: 'printer-1' }))).toEqual({ unsubscribed: true });
    await new Promise((r) => setTimeout(r, 400));
    const after = client.events.length;
    result(await client.call('gcode.run', { printerId: 'printer-1', script: 'G1 X30 F3000\nM400' }));
    await new Promise((r) => setTimeout(r, 800));
    expect(client.events.slice(after).filter((e) => e.event === 'status.delta')).toEqual([]);
  }, 60_000);

  it('refuses print.start for a missing file, and on a printer without [virtual_sdcard] says what to add', async () => {
    expect(await client.call('print.start', { printerId: 'printer-1', name: 'nothing.gcode' })).toMatchObject({
      ok: false,
      error: { code: 'refused', message: expect.stringContaining('upload it first') },
    });
    const bare = result<{ id: string }>(await client.call('printers.add', { name: 'Bare' }));
    const reply = await client.call('print.start', { printerId: bare.id, name: 'part.gcode' });
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'refused', message: expect.stringContaining('has no [virtual_sdcard] section') },
    });
    expect(await client.call('files.list', { printerId: bare.id })).toMatchObject({ ok: false, error: { code: 'refused' } });
    result(await client.call('printers.remove', { printerId: bare.id }));
  }, 60_000);
});
