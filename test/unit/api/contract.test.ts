// The API's gate: malformed input of every kind is refused before a handler runs, with a
// message naming the field; valid calls reach exactly their handler.
import { describe, expect, it, vi } from 'vitest';
import { apiEvents, apiMethods, MAX_SCRIPT_CHARS, wsCallSchema, type MethodName } from '../../../src-main/api/contract';
import { dispatchCall, type ApiHandlers } from '../../../src-main/api/dispatch';
import { ApiError } from '../../../src-main/api/errors';
import { parse } from '../../../src-main/api/schema';

function params(method: MethodName, value: unknown) {
  return parse(apiMethods[method].params, value, 'params');
}

describe('method param schemas', () => {
  it('accept well-formed params', () => {
    expect(params('app.info', {}).ok).toBe(true);
    expect(params('gcode.run', { printerId: 'printer-1', script: 'M118 hi' }).ok).toBe(true);
    expect(params('printers.add', { name: 'Voron', configPath: '/home/me/printer.cfg' }).ok).toBe(true);
    expect(params('printers.add', { name: 'Ender', configPath: null }).ok).toBe(true);
    expect(params('printers.add', { name: 'Ender' }).ok).toBe(true);
  });

  const malformed: [MethodName, unknown, RegExp][] = [
    ['gcode.run', { printerId: 'printer-1' }, /params\.script: required string is missing/],
    ['gcode.run', { printerId: 'printer-1', script: 42 }, /params\.script: expected string, got number/],
    ['gcode.run', { printerId: 'printer-1', script: '' }, /at least 1/],
    ['gcode.run', { printerId: 'printer-1', script: 'G1'.repeat(MAX_SCRIPT_CHARS) }, /at most 65536/],
    ['gcode.run', { printerId: 'Printer 1', script: 'M105' }, /params\.printerId: must match/],
    ['gcode.run', { printerId: '../../etc', script: 'M105' }, /params\.printerId: must match/],
    ['gcode.run', { printerId: 'p', script: 'M105', extra: true }, /unknown field 'extra'/],
    ['gcode.run', null, /params: expected object, got null/],
    ['gcode.run', ['printer-1', 'M105'], /params: expected object, got array/],
    ['gcode.run', 'M105', /params: expected object, got string/],
    ['app.info', { anything: 1 }, /unknown field 'anything'/],
    ['printers.add', { name: 'x'.repeat(81) }, /at most 80/],
    ['printers.add', { name: 'ok', configPath: 7 }, /configPath: expected string or null/],
    ['printers.remove', {}, /printerId: required/],
    ['host.info', { printerId: 5 }, /printerId: expected string, got number/],
  ];
  it.each(malformed)('%s rejects %j', (method, value, message) => {
    const r = params(method, value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it('rejects prototype tricks and non-plain objects', () => {
    const polluted = JSON.parse('{"printerId":"p","script":"M105","__proto__":{"admin":true}}');
    expect(params('gcode.run', polluted).ok).toBe(false);
    expect(params('gcode.run', new Date()).ok).toBe(false);
    expect(params('gcode.run', Object.assign(Object.create({ inherited: 1 }), { printerId: 'p', script: 'x' })).ok).toBe(false);
  });

  it('rejects non-finite numbers in WebSocket framing', () => {
    expect(parse(wsCallSchema, { type: 'call', id: Number.NaN, method: 'app.info' }).ok).toBe(false);
    expect(parse(wsCallSchema, { type: 'call', id: 1.5, method: 'app.info' }).ok).toBe(false);
    expect(parse(wsCallSchema, { type: 'cast', id: 1, method: 'app.info' }).ok).toBe(false);
    expect(parse(wsCallSchema, { type: 'call', id: 1, method: 'app.info' }).ok).toBe(true);
  });

  it('has an event payload schema that accepts what the host sends', () => {
    expect(parse(apiEvents['console.lines'], { printerId: 'p', lines: [{ kind: 'raw', text: 'ok', timeMs: 1 }] }).ok).toBe(true);
    expect(parse(apiEvents['console.lines'], { printerId: 'p', lines: [{ kind: 'shout', text: 'ok', timeMs: 1 }] }).ok).toBe(false);
    expect(parse(apiEvents['printer.state'], { printerId: 'p', state: 'printing', message: '' }).ok).toBe(false);
  });
});

function fakeHandlers(): ApiHandlers {
  const fail = () => Promise.reject(new Error('not expected in this test'));
  // Methods other features add later answer 'not expected' too (the test need not list each).
  const handlers: Partial<ApiHandlers> = {
    'app.info': vi.fn(async () => ({ appVersion: '0', mode: 'serve' as const, platform: 'linux', dataDir: '/tmp' })),
    'printers.list': vi.fn(async () => []),
    'printers.add': vi.fn(fail),
    'printers.remove': vi.fn(fail),
    'printers.restart': vi.fn(fail),
    'printer.status': vi.fn(async () => {
      throw new ApiError('not_found', "No printer 'nope'.");
    }),
    'host.info': vi.fn(fail),
    'gcode.run': vi.fn(async () => ({ done: true as const })),
    'gcode.commands': vi.fn(async () => {
      throw new TypeError('boom');
    }),
    'ports.list': vi.fn(async () => ({ ports: [], printerPorts: {} })),
    'ports.addVirtual': vi.fn(async () => null),
    'boards.list': vi.fn(async () => []),
    'flash.drives': vi.fn(async () => []),
    'flash.images': vi.fn(async () => []),
    'flash.start': vi.fn(async () => ({ jobId: 'j1' })),
    'flash.cancel': vi.fn(async () => ({ cancelled: true })),
    'flash.reconnect': vi.fn(fail),
  };
  return new Proxy(handlers, { get: (t, k) => (t as Record<string | symbol, unknown>)[k] ?? vi.fn(fail) }) as ApiHandlers;
}

describe('dispatchCall', () => {
  it('passes a valid call to its handler only', async () => {
    const h = fakeHandlers();
    const log = vi.fn();
    const reply = await dispatchCall(h, 'gcode.run', { printerId: 'p', script: 'M118 hi' }, log, 'test');
    expect(reply).toEqual({ ok: true, result: { done: true } });
    expect(h['gcode.run']).toHaveBeenCalledWith({ printerId: 'p', script: 'M118 hi' });
    expect(h['app.info']).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
  });

  it('refuses unknown methods, including inherited property names, and logs them', async () => {
    const h = fakeHandlers();
    const log = vi.fn();
    for (const method of ['gcode.delete', 'toString', '__proto__', 'constructor', 42, null, undefined]) {
      const reply = await dispatchCall(h, method, {}, log, 'test');
      expect(reply.ok).toBe(false);
      if (!reply.ok) expect(reply.error.code).toBe('bad_request');
    }
    expect(log).toHaveBeenCalledTimes(7);
  });

  it('refuses bad params without calling the handler', async () => {
    const h = fakeHandlers();
    const log = vi.fn();
    const reply = await dispatchCall(h, 'gcode.run', { printerId: 'p', script: { evil: true } }, log, 'ipc');
    expect(reply).toEqual({ ok: false, error: { code: 'bad_request', message: 'gcode.run: params.script: expected string, got object' } });
    expect(h['gcode.run']).not.toHaveBeenCalled();
    expect(log.mock.calls[0][0]).toMatch(/^ipc: refused gcode\.run/);
  });

  it('treats missing params as {} for methods without params', async () => {
    const reply = await dispatchCall(fakeHandlers(), 'printers.list', undefined, vi.fn(), 'test');
    expect(reply).toEqual({ ok: true, result: [] });
  });

  it('turns handler errors into replies: ApiError keeps its code, anything else is internal and logged', async () => {
    const h = fakeHandlers();
    const log = vi.fn();
    expect(await dispatchCall(h, 'printer.status', { printerId: 'nope' }, log, 't')).toEqual({
      ok: false,
      error: { code: 'not_found', message: "No printer 'nope'." },
    });
    expect(log).not.toHaveBeenCalled();
    const reply = await dispatchCall(h, 'gcode.commands', { printerId: 'p' }, log, 't');
    expect(reply).toEqual({ ok: false, error: { code: 'internal', message: 'gcode.commands failed: boom' } });
    expect(log.mock.calls[0][0]).toContain('TypeError: boom');
  });
});
