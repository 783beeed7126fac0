import { describe, expect, it } from 'vitest';
import { FlashError, flattenImage, imageFromBinary, loadImage, pagesOf, parseIntelHex, toIntelHex } from '../../../src-main/flash';

const expectBad = (fn: () => unknown, re: RegExp) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FlashError);
    expect((err as FlashError).code).toBe('bad-image');
    expect((err as Error).message).toMatch(re);
    return;
  }
  throw new Error('expected a bad-image error');
};

describe('Intel HEX', () => {
  it('parses data, extended linear and segment addresses, and merges adjacent records', () => {
    const text = [
      ':0400000001020304F2', // 4 bytes at 0
      ':0400040005060708DE', // adjacent: merged
      ':020000040800F2', // upper 0x0800
      ':0200100011AA33', // 2 bytes at 0x08000010
      ':020000021000EC', // segment 0x1000 -> base 0x10000
      ':01000000FF00', // 1 byte at 0x10000
      ':00000001FF',
    ].join('\n');
    const image = parseIntelHex(text, 'x.hex');
    expect(image.segments.map((s) => [s.address, [...s.data]])).toEqual([
      [0, [1, 2, 3, 4, 5, 6, 7, 8]],
      [0x10000, [0xff]],
      [0x08000010, [0x11, 0xaa]],
    ]);
  });

  it('names the file and line of a damaged record', () => {
    expectBad(() => parseIntelHex(':0400000001020304F2\n:0400040005060708DF\n:00000001FF\n', 'fw.hex'), /fw\.hex:2: checksum mismatch/);
    expectBad(() => parseIntelHex(':0400000001020304F2\n', 'fw.hex'), /no end-of-file record/);
    expectBad(() => parseIntelHex('hello\n', 'fw.hex'), /fw\.hex:1: a record must start with ':'/);
    expectBad(() => parseIntelHex(':0500000001020304F2\n:00000001FF', 'fw.hex'), /fw\.hex:1: the record length byte says 5/);
    expectBad(() => parseIntelHex(':0400000001020304F2\n:0400020001020304F0\n:00000001FF', 'o.hex'), /overlapping/);
  });

  it('round-trips through toIntelHex, across a 64 KiB boundary', () => {
    const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
    const image = imageFromBinary(data, 0x0800ff80);
    const back = parseIntelHex(toIntelHex(image), 'rt.hex');
    expect(back.segments).toHaveLength(1);
    expect(back.segments[0].address).toBe(0x0800ff80);
    expect([...back.segments[0].data]).toEqual([...data]);
  });

  it('loads .bin at the board address and refuses .uf2 over serial', () => {
    expect(loadImage('klipper.bin', Uint8Array.of(1, 2), 0x08007000).segments[0].address).toBe(0x08007000);
    expectBad(() => loadImage('klipper.uf2', Uint8Array.of(1), 0), /UF2 file is copied/);
    expectBad(() => loadImage('empty.bin', new Uint8Array(), 0), /empty/);
  });

  it('splits into padded pages and flattens gaps as erased flash', () => {
    const image = { source: 't', segments: [{ address: 3, data: Uint8Array.of(1, 2) }, { address: 9, data: Uint8Array.of(3) }] };
    expect(pagesOf(image, 4).map((p) => [p.address, [...p.data]])).toEqual([
      [0, [0xff, 0xff, 0xff, 1]],
      [4, [2, 0xff, 0xff, 0xff]],
      [8, [0xff, 3, 0xff, 0xff]],
    ]);
    expect([...flattenImage(image).data]).toEqual([1, 2, 0xff, 0xff, 0xff, 0xff, 3]);
  });
});
