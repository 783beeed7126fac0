import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { flash, flashCommand, FlashError, flattenImage, parseIntelHex, type FlashEvent } from '../../../src-main/flash';
import { toolsPresent } from '../../support/tools';
import { buildSimBoardTools, crc16, simBuild, startSimBoard, waitForUart, type SimBoard } from './sim-board';

// Real bootloaders on simulated chips: optiboot (built from Debian's source) on an atmega328p,
// an atmega644p and an atmega1284p, Debian's prebuilt ATmegaBOOT (old Nano) on an atmega328p and
// its prebuilt stk500v2 on an atmega2560 (images past 64 KiB on the 2560 and the 1284p). The
// board program resets the chip when the pty is opened, like the Arduino auto-reset. The test app
// prints its image's CRC, so a match proves the chip runs exactly what was flashed.
const hexOf = (name: string) => readFileSync(path.join(simBuild, name), 'utf8');
const appImage = (name: string) => parseIntelHex(hexOf(name), name);

function expectedBanner(name: string, tag: string): RegExp {
  const flat = flattenImage(appImage(name));
  const len = flat.data.length.toString(16).padStart(4, '0');
  const crc = crc16(flat.data).toString(16).padStart(4, '0');
  return new RegExp(`TETHER-APP ${tag} len=${len} crc=${crc}`);
}

async function flashError(p: Promise<unknown>): Promise<FlashError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof FlashError) return err;
    throw err;
  }
  throw new Error('expected the flash to fail');
}

describe.skipIf(!toolsPresent('avr-gcc', 'make', 'cc'))('AVR bootloaders on simavr', () => {
  let board: SimBoard | undefined;
  beforeAll(() => buildSimBoardTools());
  afterEach(async () => {
    await board?.stop();
    board = undefined;
  });

  it('flashes an Uno through optiboot (STK500v1), verifies, and the chip runs the new image', async () => {
    board = await startSimBoard(['--mcu', 'atmega328p', '--boot', path.join(simBuild, 'optiboot_atmega328p.hex'), '--app', path.join(simBuild, 'app_atmega328p_A.hex')]);
    const events: FlashEvent[] = [];
    const result = await flash({ board: 'arduino-uno', image: appImage('app_atmega328p_B.hex'), port: board.pty }, (e) => events.push(e));
    expect(result).toMatchObject({ method: 'stk500v1', verifiedBy: 'read-back', chipId: '1e950f' });
    const writes = events.filter((e) => e.type === 'progress' && e.phase === 'write');
    expect(writes.length).toBeGreaterThan(10);
    expect(events.some((e) => e.type === 'progress' && e.phase === 'verify')).toBe(true);
    await waitForUart(board, expectedBanner('app_atmega328p_B.hex', 'B'));
  });

  it('flashes a Mega 2560 through its stk500v2 bootloader and the chip runs the image', async () => {
    board = await startSimBoard(['--mcu', 'atmega2560', '--boot', path.join(simBuild, 'stk500v2_atmega2560.hex')]);
    const result = await flash({ board: 'arduino-mega2560-ramps', image: appImage('app_atmega2560_A.hex'), port: board.pty });
    expect(result).toMatchObject({ method: 'stk500v2', verifiedBy: 'read-back', chipId: '1e9801' });
    await waitForUart(board, expectedBanner('app_atmega2560_A.hex', 'A'));
  });

  it('flashes a Mega 2560 with an image past 64 KiB (extended addressing) and the chip runs all of it', async () => {
    // Old firmware first, so a write or read that wrapped at 64 KiB could not pass by leftovers.
    board = await startSimBoard(['--mcu', 'atmega2560', '--boot', path.join(simBuild, 'stk500v2_atmega2560.hex'), '--app', path.join(simBuild, 'app_atmega2560_A.hex')]);
    const image = appImage('app_atmega2560_big.hex');
    const flat = flattenImage(image);
    expect(flat.data.length).toBeGreaterThan(0x10000 + 2 * 1024);
    const events: FlashEvent[] = [];
    const result = await flash({ board: 'arduino-mega2560-ramps', image, port: board.pty }, (e) => events.push(e));
    expect(result).toMatchObject({ method: 'stk500v2', verifiedBy: 'read-back', chipId: '1e9801', bytesWritten: flat.data.length });
    // Verified pages reach past 64 KiB.
    const verified = events.filter((e) => e.type === 'progress' && e.phase === 'verify');
    expect(verified.at(-1)).toMatchObject({ doneBytes: Math.ceil(flat.data.length / 256) * 256 });
    // The chip's own CRC over its flash (far reads, 0 .. end of image) matches the file.
    const len = flat.data.length.toString(16).padStart(8, '0');
    const crc = crc16(flat.data).toString(16).padStart(4, '0');
    await waitForUart(board, new RegExp(`TETHER-APP BIG len=${len} crc=${crc}`), 30_000);
  }, 120_000);

  it('flashes a Melzi (atmega1284p) through optiboot past 64 KiB and the chip runs all of it', async () => {
    // optiboot built from Debian's 4.4 source for the 1284p, its page read switched to ELPM
    // (test/tools/simavr-board/Makefile): the stock source reads the lower 64 KiB again above it.
    board = await startSimBoard(['--mcu', 'atmega1284p', '--boot', path.join(simBuild, 'optiboot_atmega1284p.hex')]);
    const image = appImage('app_atmega1284p_big.hex');
    const flat = flattenImage(image);
    expect(flat.data.length).toBeGreaterThan(0x10000 + 2 * 1024);
    const result = await flash({ board: 'creality-melzi', image, port: board.pty });
    expect(result).toMatchObject({ method: 'stk500v1', verifiedBy: 'read-back', chipId: '1e9705', bytesWritten: flat.data.length });
    const len = flat.data.length.toString(16).padStart(8, '0');
    const crc = crc16(flat.data).toString(16).padStart(4, '0');
    await waitForUart(board, new RegExp(`TETHER-APP BIG len=${len} crc=${crc}`), 30_000);
  }, 120_000);

  it('flashes an old Nano through ATmegaBOOT at 57600 baud', async () => {
    board = await startSimBoard(['--mcu', 'atmega328p', '--boot', path.join(simBuild, 'atmegaboot_atmega328p.hex')]);
    const result = await flash({ board: 'arduino-nano-old-bootloader', image: appImage('app_atmega328p_A.hex'), port: board.pty });
    expect(result).toMatchObject({ method: 'stk500v1', verifiedBy: 'read-back', chipId: '1e950f' });
    await waitForUart(board, expectedBanner('app_atmega328p_A.hex', 'A'));
  });

  it('flashes a Sanguinololu (atmega644p) through optiboot with start-up LED flashes', async () => {
    board = await startSimBoard(['--mcu', 'atmega644p', '--boot', path.join(simBuild, 'optiboot_atmega644p.hex')]);
    const result = await flash({ board: 'sanguinololu-644p', image: appImage('app_atmega644p_A.hex'), port: board.pty });
    expect(result).toMatchObject({ method: 'stk500v1', chipId: '1e960a' });
    await waitForUart(board, expectedBanner('app_atmega644p_A.hex', 'A'));
  });

  it('stops between pages when cancelled, and the bootloader stays usable', async () => {
    board = await startSimBoard(['--mcu', 'atmega328p', '--boot', path.join(simBuild, 'optiboot_atmega328p.hex')]);
    const abort = new AbortController();
    const cancelled = await flashError(
      flash({ board: 'arduino-uno', image: appImage('app_atmega328p_A.hex'), port: board.pty }, (e) => {
        if (e.type === 'progress' && e.phase === 'write' && e.doneBytes >= 512) abort.abort();
      }, abort.signal),
    );
    expect(cancelled.code).toBe('cancelled');
    // Reopening resets the chip into optiboot again: a second attempt completes.
    const result = await flash({ board: 'arduino-uno', image: appImage('app_atmega328p_A.hex'), port: board.pty });
    expect(result.verifiedBy).toBe('read-back');
    await waitForUart(board, expectedBanner('app_atmega328p_A.hex', 'A'));
  });

  it('refuses a board whose chip signature differs, before writing anything', async () => {
    board = await startSimBoard(['--mcu', 'atmega328p', '--boot', path.join(simBuild, 'optiboot_atmega328p.hex'), '--app', path.join(simBuild, 'app_atmega328p_A.hex')]);
    const err = await flashError(flash({ board: 'sanguinololu-644p', image: appImage('app_atmega644p_A.hex'), port: board.pty }));
    expect(err.code).toBe('wrong-signature');
    expect(err.message).toMatch(/1e950f \(atmega328p\).*atmega644p/);
    // The old firmware is untouched: after the reset it still runs.
    await waitForUart(board, expectedBanner('app_atmega328p_A.hex', 'A'));
  });

  it('reports a verify mismatch from a worn flash cell', async () => {
    const image = appImage('app_atmega328p_B.hex');
    const flat = flattenImage(image);
    const addr = flat.data.findIndex((b, i) => i > 300 && (b & 1) === 1);
    board = await startSimBoard(['--mcu', 'atmega328p', '--boot', path.join(simBuild, 'optiboot_atmega328p.hex'), '--stuck-bit', String(addr)]);
    const err = await flashError(flash({ board: 'arduino-uno', image, port: board.pty }));
    expect(err.code).toBe('verify-mismatch');
    expect(err.message).toContain(`0x${addr.toString(16)}`);
  });

  it('times out with a clear message when no bootloader answers', async () => {
    board = await startSimBoard(['--mcu', 'atmega328p', '--app', path.join(simBuild, 'app_atmega328p_A.hex')]);
    const err = await flashError(flash({ board: 'arduino-uno', image: appImage('app_atmega328p_B.hex'), port: board.pty }));
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(/No STK500v1 bootloader answered/);
    expect(err.fix).toMatch(/reset button/);
  });

  it('tether flash: flashes from the command line and reports a wrong board with its fix', async () => {
    board = await startSimBoard(['--mcu', 'atmega328p', '--boot', path.join(simBuild, 'optiboot_atmega328p.hex')]);
    const out: string[] = [];
    const err: string[] = [];
    const so = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    const se = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    try {
      const hex = path.join(simBuild, 'app_atmega328p_B.hex');
      expect(await flashCommand.run(['--board', 'arduino-uno', '--port', board.pty, hex])).toBe(0);
      expect(out.join('')).toMatch(/flashed 2\d{3} bytes with stk500v1 .* verified by read-back/);
      expect(err.join('')).toMatch(/write 100%[\s\S]*verify 100%/);
      expect(await flashCommand.run(['--board', 'sanguinololu-644p', '--port', board.pty, hex])).toBe(1);
      expect(err.join('')).toMatch(/reports signature 1e950f \(atmega328p\)[\s\S]*Pick the board that is really connected/);
      // A board whose bootloader speaks another protocol (the Mega's STK500v2) gets no answer.
      expect(await flashCommand.run(['--board', 'arduino-mega2560-ramps', '--port', board.pty, hex])).toBe(1);
      expect(err.join('')).toMatch(/No STK500v2 bootloader answered/);
      expect(await flashCommand.run(['--port', board.pty, hex])).toBe(2);
    } finally {
      so.mockRestore();
      se.mockRestore();
    }
    await waitForUart(board, expectedBanner('app_atmega328p_B.hex', 'B'));
  });

  it.skipIf(!toolsPresent('avrdude'))('flashes through avrdude as the alternative, wrapped in timeouts', async () => {
    board = await startSimBoard(['--mcu', 'atmega328p', '--boot', path.join(simBuild, 'optiboot_atmega328p.hex')]);
    const lines: string[] = [];
    const result = await flash({ board: 'arduino-uno', method: 'avrdude', image: appImage('app_atmega328p_A.hex'), port: board.pty }, (e) => e.type === 'log' && lines.push(e.text));
    expect(result.verifiedBy).toBe('tool');
    expect(lines.join('\n')).toMatch(/bytes of flash verified/);
    await waitForUart(board, expectedBanner('app_atmega328p_A.hex', 'A'));
  });
});

describe('size check', () => {
  it('refuses an image too big for the application section before opening the port', async () => {
    const big = { segments: [{ address: 0, data: new Uint8Array(32256 + 2).fill(0x55) }], source: 'big.hex' };
    // A port that does not exist: if the flasher tried to open it the error would be port-open-failed.
    const err = await flashError(flash({ board: 'arduino-uno', image: big, port: '/dev/tether-no-such-port' }));
    expect(err.code).toBe('image-too-big');
    expect(err.message).toMatch(/needs 32258 bytes.*room for 32256.*Nothing was written/);
  });
});
