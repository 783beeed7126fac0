// Status, files and print methods (issue 7 wired for the UI): every malformed call is refused by
// the schema before a handler runs; file names cannot leave the folder or break out of
// SDCARD_PRINT_FILE; uploads are bounded in size and chunk size.
import { describe, expect, it, vi } from 'vitest';
import { apiEvents, apiMethods, MAX_UPLOAD_BYTES, MAX_UPLOAD_CHUNK_BYTES, type MethodName } from '../../../src-main/api/contract';
import { dispatchCall, type ApiHandlers } from '../../../src-main/api/dispatch';
import { parse } from '../../../src-main/api/schema';

const params = (method: MethodName, value: unknown) => parse(apiMethods[method].params, value, 'params');
const b64 = (bytes: number) => Buffer.alloc(bytes, 0x47).toString('base64');

describe('status, files and print params', () => {
  it('accept well-formed calls', () => {
    const ok: [MethodName, unknown][] = [
      ['status.query', { printerId: 'p', objects: { toolhead: ['position', 'homed_axes'], print_stats: null } }],
      ['status.query', { printerId: 'p', objects: { 'heater_generic chamber': null } }],
      ['status.subscribe', { printerId: 'p', objects: { virtual_sdcard: null } }],
      ['status.unsubscribe', { printerId: 'p' }],
      ['status.objects', { printerId: 'p' }],
      ['files.list', { printerId: 'p' }],
      ['files.metadata', { printerId: 'p', name: 'puzzle_all-cura-2.3.1.gcode' }],
      ['files.delete', { printerId: 'p', name: 'Benchy v2 (PLA).GCO' }],
      ['files.uploadBegin', { printerId: 'p', name: 'a.g', size: 0 }],
      ['files.uploadBegin', { printerId: 'p', name: 'big.gcode', size: MAX_UPLOAD_BYTES }],
      ['files.uploadChunk', { uploadId: '0f1e-2d', offset: 0, dataBase64: b64(MAX_UPLOAD_CHUNK_BYTES) }],
      ['files.uploadEnd', { uploadId: 'abc' }],
      ['files.uploadAbort', { uploadId: 'abc' }],
      ['print.start', { printerId: 'p', name: 'part.gcode' }],
      ['print.pause', { printerId: 'p' }],
      ['print.resume', { printerId: 'p' }],
      ['print.cancel', { printerId: 'p' }],
    ];
    for (const [m, v] of ok) expect(params(m, v), `${m} ${JSON.stringify(v).slice(0, 100)}`).toEqual({ ok: true, value: v });
  });

  const malformed: [MethodName, unknown, RegExp][] = [
    ['status.query', { printerId: 'p' }, /params\.objects: required/],
    ['status.query', { printerId: 'p', objects: {} }, /name at least one status object/],
    ['status.query', { printerId: 'p', objects: ['toolhead'] }, /params\.objects: expected object/],
    ['status.query', { printerId: 'p', objects: { toolhead: 'position' } }, /params\.objects\.toolhead: expected array of string or null/],
    ['status.query', { printerId: 'p', objects: { toolhead: [1] } }, /toolhead\[0\]: expected string/],
    ['status.query', { printerId: 'p', objects: { '../x': null } }, /key '\.\.\/x': must match/],
    [
      'status.query',
      { printerId: 'p', objects: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`o${i}`, null])) },
      /at most 64 objects/,
    ],
    ['status.subscribe', { printerId: 'P!', objects: { toolhead: null } }, /printerId: must match/],
    ['status.objects', { printerId: 'p', objects: {} }, /unknown field 'objects'/],
    ['files.metadata', { printerId: 'p', name: '../printer.cfg' }, /params\.name: must match/],
    ['files.metadata', { printerId: 'p', name: 'sub/part.gcode' }, /params\.name: must match/],
    ['files.delete', { printerId: 'p', name: '..\\..\\x.gcode' }, /params\.name: must match/],
    ['files.delete', { printerId: 'p', name: '/etc/passwd.gcode' }, /params\.name: must match/],
    ['files.delete', { printerId: 'p', name: 'a..b.gcode' }, /params\.name: must match/],
    ['files.delete', { printerId: 'p', name: '.hidden.gcode' }, /params\.name: must match/],
    ['files.delete', { printerId: 'p', name: 'notes.txt' }, /params\.name: must match/],
    ['print.start', { printerId: 'p', name: 'x".gcode' }, /params\.name: must match/],
    ['print.start', { printerId: 'p', name: 'x\nM112\n.gcode' }, /params\.name: must match/],
    ['print.start', { printerId: 'p', name: 'x;y.gcode' }, /params\.name: must match/],
    ['print.start', { printerId: 'p', name: `${'x'.repeat(250)}.gcode` }, /at most 255/],
    ['print.start', { printerId: 'p' }, /params\.name: required/],
    ['files.uploadBegin', { printerId: 'p', name: 'a.gcode', size: -1 }, /size: must be >= 0/],
    ['files.uploadBegin', { printerId: 'p', name: 'a.gcode', size: MAX_UPLOAD_BYTES + 1 }, /size: must be <= /],
    ['files.uploadBegin', { printerId: 'p', name: 'a.gcode', size: 1.5 }, /size: must be an integer/],
    ['files.uploadBegin', { printerId: 'p', name: 'a.gcode' }, /size: required/],
    ['files.uploadChunk', { uploadId: 'u', offset: 0, dataBase64: b64(MAX_UPLOAD_CHUNK_BYTES + 3) }, /dataBase64: must be at most/],
    ['files.uploadChunk', { uploadId: 'u', offset: 0, dataBase64: 'not base64!' }, /dataBase64: must match/],
    ['files.uploadChunk', { uploadId: 'u', offset: -5, dataBase64: 'AAAA' }, /offset: must be >= 0/],
    ['files.uploadChunk', { uploadId: '../u', offset: 0, dataBase64: 'AAAA' }, /uploadId: must match/],
    ['files.uploadEnd', {}, /uploadId: required/],
    ['print.pause', { printerId: 'p', script: 'M112' }, /unknown field 'script'/],
  ];
  it.each(malformed)('%s rejects %j', (method, value, message) => {
    const r = params(method, value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it('refuses a malformed call before its handler runs', async () => {
    const handler = vi.fn(async () => ({ done: true as const }));
    const handlers = new Proxy({ 'print.start': handler } as Partial<ApiHandlers>, {
      get: (t, k) => (t as Record<string | symbol, unknown>)[k] ?? vi.fn(),
    }) as ApiHandlers;
    const log = vi.fn();
    const bad = await dispatchCall(handlers, 'print.start', { printerId: 'p', name: '../../etc/x.gcode' }, log, 'ws');
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringContaining('params.name') } });
    expect(handler).not.toHaveBeenCalled();
    expect(await dispatchCall(handlers, 'print.start', { printerId: 'p', name: 'ok.gcode' }, log, 'ws')).toEqual({
      ok: true,
      result: { done: true },
    });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('has event schemas for status deltas and upload progress', () => {
    expect(parse(apiEvents['status.delta'], { printerId: 'p', eventtime: 12.5, status: { toolhead: { position: [0, 0, 0, 0] } } }).ok).toBe(
      true,
    );
    expect(parse(apiEvents['status.delta'], { printerId: 'p', eventtime: 1, status: { toolhead: 5 } }).ok).toBe(false);
    expect(parse(apiEvents['files.progress'], { uploadId: 'u', printerId: 'p', name: 'a.gcode', doneBytes: 10, totalBytes: 20 }).ok).toBe(
      true,
    );
    expect(parse(apiEvents['files.progress'], { uploadId: 'u', printerId: 'p', name: 'a.gcode', doneBytes: -1, totalBytes: 20 }).ok).toBe(
      false,
    );
  });
});
