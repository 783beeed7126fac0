// The ports/boards/flash API: schemas refuse malformed calls before any handler runs, and the
// services refuse ports, drives and image paths the app did not offer. Real catalog, real
// FlashJobs and PortWatcher (with a recorded port list instead of this machine's).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { apiMethods } from '../../../src-main/api/contract';
import { dispatchCall, type ApiHandlers } from '../../../src-main/api/dispatch';
import { HardwareServices } from '../../../src-main/api/hardware';
import { parse } from '../../../src-main/api/schema';
import type { FlashJobEvent } from '../../../src-main/flash';
import { PortWatcher, type PortInfo } from '../../../src-main/ports';
import { testOutputDir } from '../../support/paths';

const usbPort: PortInfo = {
  path: '/dev/ttyUSB0',
  vendorId: '1a86',
  productId: '7523',
  kind: 'usb-serial-bridge',
  knownName: 'CH340 USB-serial',
};

function services(ports: PortInfo[] = [usbPort], extra: ConstructorParameters<typeof HardwareServices>[0] = {}) {
  let list = ports;
  const watcher = new PortWatcher({ list: async () => list, devDir: null, intervalMs: 60_000 });
  const hw = new HardwareServices({ watcher, listDrives: () => [{ path: '/media/u/SD', label: 'SD', kind: 'sd' }], ...extra });
  return { hw, setPorts: (p: PortInfo[]) => (list = p) };
}

const ok = (method: keyof typeof apiMethods, params: unknown) => parse(apiMethods[method].params, params, 'params');

describe('ports/boards/flash schemas', () => {
  it('accept well-formed calls', () => {
    expect(ok('ports.list', {}).ok).toBe(true);
    expect(ok('ports.addVirtual', { path: '/tmp/printer', label: 'sim' }).ok).toBe(true);
    expect(ok('flash.images', { boardId: 'arduino-mega2560-ramps' }).ok).toBe(true);
    expect(
      ok('flash.start', {
        boardId: 'arduino-uno',
        port: '/dev/ttyUSB0',
        image: { kind: 'bytes', fileName: 'a.hex', contentBase64: 'AAEC' },
      }).ok,
    ).toBe(true);
    expect(
      ok('flash.start', {
        boardId: 'btt-skr-pico',
        drivePath: '/media/RPI-RP2',
        method: 'uf2-copy',
        image: { kind: 'path', path: '/x/tether.uf2' },
      }).ok,
    ).toBe(true);
    expect(ok('flash.cancel', { jobId: 'abc' }).ok).toBe(true);
    expect(ok('flash.reconnect', { boardId: 'arduino-uno', port: '/dev/ttyUSB0' }).ok).toBe(true);
  });

  it('refuse malformed ones, naming the field', () => {
    const cases: [keyof typeof apiMethods, unknown, RegExp][] = [
      ['ports.list', { all: true }, /unknown field 'all'/],
      ['ports.addVirtual', { path: '', label: 'x' }, /params\.path: must be at least 1/],
      ['ports.addVirtual', { path: '/tmp/p' }, /params\.label: required/],
      ['flash.images', { boardId: '../../etc' }, /params\.boardId: must match/],
      ['flash.start', { boardId: 'arduino-uno', image: { kind: 'file', path: '/x' } }, /params\.image\.kind: expected one of bytes, path/],
      [
        'flash.start',
        { boardId: 'arduino-uno', image: { kind: 'bytes', fileName: 'a.hex', contentBase64: 'not base64!' } },
        /contentBase64: must match/,
      ],
      [
        'flash.start',
        { boardId: 'arduino-uno', image: { kind: 'bytes', fileName: 'a.hex', contentBase64: 'A'.repeat(2_000_000) } },
        /contentBase64: must be at most/,
      ],
      [
        'flash.start',
        { boardId: 'arduino-uno', method: 'jtag', image: { kind: 'path', path: '/x' } },
        /params\.method: expected one of stk500v1/,
      ],
      [
        'flash.start',
        { boardId: 'arduino-uno', baudRate: 115200.5, image: { kind: 'path', path: '/x' } },
        /params\.baudRate: must be an integer/,
      ],
      ['flash.start', { boardId: 'arduino-uno', entry: 'magic', image: { kind: 'path', path: '/x' } }, /params\.entry: expected one of/],
      ['flash.start', { boardId: 'arduino-uno' }, /params\.image: required/],
      ['flash.cancel', { jobId: 7 }, /params\.jobId: expected string/],
      ['flash.reconnect', { boardId: 'arduino-uno' }, /params\.port: required/],
    ];
    for (const [method, params, error] of cases) {
      const r = ok(method, params);
      expect(r.ok, `${method} ${JSON.stringify(params).slice(0, 80)}`).toBe(false);
      if (!r.ok) expect(r.error).toMatch(error);
    }
  });

  it('never reach the handler with malformed params', async () => {
    const start = vi.fn();
    const r = await dispatchCall(
      { 'flash.start': start } as unknown as ApiHandlers,
      'flash.start',
      { boardId: 'x', image: null },
      () => undefined,
      'test',
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(start).not.toHaveBeenCalled();
  });
});

describe('HardwareServices', () => {
  it('lists ports with the printers that use them and pushes plug/unplug and virtual ports', async () => {
    const { hw, setPorts } = services([usbPort], { printerPorts: () => [{ name: 'Ender', identity: { path: '/dev/ttyUSB0' } }] });
    const changes: unknown[] = [];
    hw.onPortsChanged((e) => changes.push(e));
    expect(await hw.listPorts()).toEqual({ ports: [usbPort], printerPorts: { '/dev/ttyUSB0': 'Ender' } });
    setPorts([]);
    expect((await hw.listPorts()).ports).toEqual([]);
    expect(changes.at(-1)).toMatchObject({ removed: [usbPort], added: [] });
    const dir = path.join(testOutputDir, 'api-hardware');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'pty'), '');
    await hw.addVirtual(path.join(dir, 'pty'), 'My sim');
    expect((await hw.listPorts()).ports).toEqual([{ path: path.join(dir, 'pty'), kind: 'virtual', virtual: true, knownName: 'My sim' }]);
    await expect(hw.addVirtual('/no/such/pty', 'x')).rejects.toMatchObject({
      code: 'refused',
      problem: { code: 'vanished', path: '/no/such/pty' },
    });
    await expect(hw.addVirtual('relative/pty', 'x')).rejects.toMatchObject({ code: 'bad_request' });
    hw.close();
  });

  it('carries a classified problem with its fix when the port list fails', async () => {
    const watcher = new PortWatcher({
      list: async () => Promise.reject(Object.assign(new Error('spawn udevadm ENOENT'), { code: 'ENOENT' })),
      devDir: null,
    });
    const hw = new HardwareServices({ watcher });
    await expect(hw.listPorts()).rejects.toMatchObject({
      code: 'refused',
      problem: { code: 'no-udevadm', fix: expect.stringMatching(/udev/) },
    });
    // ...and the reply on the wire keeps the problem for the UI.
    const reply = await dispatchCall(
      { 'ports.list': () => hw.listPorts() } as unknown as ApiHandlers,
      'ports.list',
      {},
      () => undefined,
      'test',
    );
    expect(reply).toMatchObject({ ok: false, error: { code: 'refused', problem: { code: 'no-udevadm' } } });
    hw.close();
  });

  it('offers firmware builds matching the board (AVR by clock, STM32 by application offset)', () => {
    const dir = path.join(testOutputDir, 'api-hardware/firmware');
    for (const name of [
      'avr-atmega2560-16000000',
      'avr-atmega2560-20000000',
      'avr-atmega328p-16000000',
      'stm32-stm32f446xe-32768-hse12000000',
      'stm32-stm32f446xe-0',
    ]) {
      mkdirSync(path.join(dir, name), { recursive: true });
      writeFileSync(path.join(dir, name, name.startsWith('avr') ? 'tether.hex' : 'tether.bin'), ':00000001FF\n');
    }
    const { hw } = services([], { firmwareBuildDir: dir });
    expect(hw.images('arduino-mega2560-ramps').map((i) => i.id)).toEqual(['avr-atmega2560-16000000']);
    expect(hw.images('btt-octopus-v1.1').map((i) => i.id)).toEqual(['stm32-stm32f446xe-32768-hse12000000']);
    expect(hw.images('arduino-mega2560-ramps')[0]).toMatchObject({
      source: 'built',
      path: path.join(dir, 'avr-atmega2560-16000000/tether.hex'),
    });
    expect(() => hw.images('no-such-board')).toThrow(/No board 'no-such-board'/);
  });

  it('refuses to flash a port, drive or image path it did not offer, and runs a job otherwise', async () => {
    const { hw } = services();
    await hw.listPorts();
    const image = { kind: 'bytes' as const, fileName: 'fw.hex', contentBase64: Buffer.from('not a hex file').toString('base64') };
    expect(() => hw.startFlash({ boardId: 'arduino-uno', port: '/dev/ttyS99', image })).toThrow(/not a port Tether listed/);
    expect(() => hw.startFlash({ boardId: 'btt-skr-pico', method: 'uf2-copy', drivePath: '/etc', image })).toThrow(
      /not a mounted removable drive/,
    );
    expect(() => hw.startFlash({ boardId: 'arduino-uno', port: '/dev/ttyUSB0', image: { kind: 'path', path: '/etc/passwd' } })).toThrow(
      /not an image Tether offered/,
    );
    expect(() => hw.startFlash({ boardId: 'nope', port: '/dev/ttyUSB0', image })).toThrow(/No board 'nope'/);
    // A real job: the bytes are not Intel HEX, so it fails before touching the port, as an event.
    const events: FlashJobEvent[] = [];
    hw.onFlashEvent((e) => events.push(e));
    const { jobId } = hw.startFlash({ boardId: 'arduino-uno', port: '/dev/ttyUSB0', image });
    await vi.waitFor(() => expect(events.some((e) => e.type === 'failed')).toBe(true), { timeout: 10_000 });
    const failed = events.find((e) => e.type === 'failed')!;
    expect(failed.jobId).toBe(jobId);
    expect(failed).toMatchObject({ error: { code: expect.any(String), fix: expect.any(String) } });
    expect(hw.cancelFlash(jobId)).toEqual({ cancelled: false });
    hw.close();
  });
});
