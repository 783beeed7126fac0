// LCD drivers without an MCU: a recording link shows exactly which controller commands and
// display RAM bytes each flush sends. Framebuffer diffing must send the changed bytes (widened
// only where the controller's addressing forces it), the encoder decoder must count detents
// as Klipper's encoders do (2 or 4 quadrature steps per click) and ignore bounce.
import { describe, expect, it } from 'vitest';
import { changedRuns } from '../../../src-main/host/objects/lcd-framebuffer';
import { BLOCK, Canvas, DEGREE, hostFontCell } from '../../../src-main/host/objects/lcd-driver';
import { cellRows8x16, fontRows8x8 } from '../../../src-main/host/objects/lcd-font';
import { Hd44780Driver, hd44780RowAddress } from '../../../src-main/host/objects/lcd-hd44780';
import { St7920Driver } from '../../../src-main/host/objects/lcd-st7920';
import { GraphicDriver } from '../../../src-main/host/objects/lcd-graphic';
import { pack9, type LcdLink } from '../../../src-main/host/objects/lcd-link';
import { EncoderDecoder } from '../../../src-main/host/objects/menu-keys';

type Sent = { kind: 'cmd' | 'data'; bytes: number[] };
function recorder(): LcdLink & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    sendCommands: (b) => void sent.push({ kind: 'cmd', bytes: Array.from(b) }),
    sendData: (b) => void sent.push({ kind: 'data', bytes: Array.from(b) }),
  };
}

describe('changedRuns', () => {
  it('returns the changed bytes only, everything the first time', () => {
    const a = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(changedRuns(null, a)).toEqual([{ offset: 0, bytes: a }]);
    const b = Uint8Array.from([1, 9, 3, 4, 5, 6, 9, 9]);
    expect(changedRuns(a, b)).toEqual([
      { offset: 1, bytes: Uint8Array.from([9]) },
      { offset: 6, bytes: Uint8Array.from([9, 9]) },
    ]);
    expect(changedRuns(a, a.slice())).toEqual([]);
  });

  it('widens to the alignment, merges small gaps, never crosses a segment', () => {
    const a = new Uint8Array(16);
    const b = a.slice();
    b[3] = 1; // aligned to 2: bytes 2..3
    b[6] = 1; // gap of 2 unchanged bytes from 3: merged with mergeGap 2
    b[8] = 1; // next segment (8): its own run
    expect(changedRuns(a, b, { align: 2, mergeGap: 2, segment: 8 })).toEqual([
      { offset: 2, bytes: b.slice(2, 8) },
      { offset: 8, bytes: b.slice(8, 10) },
    ]);
    expect(changedRuns(a, b, { align: 2, segment: 8 }).map((r) => r.offset)).toEqual([2, 6, 8]);
  });
});

describe('host font', () => {
  it('is font8x8 doubled to 8x16, MSB = leftmost pixel', () => {
    // 'A' row 0 is 0x0C (pixels 2 and 3 from the left): 0x30 MSB-first, twice.
    expect(fontRows8x8(0x41)[0]).toBe(0x0c);
    expect(cellRows8x16(0x41).slice(0, 2)).toEqual([0x30, 0x30]);
    expect(cellRows8x16(0x41)).toHaveLength(16);
    // Characters outside the font draw as '?'.
    expect(cellRows8x16(0x1f)).toEqual(cellRows8x16(0x3f));
    expect(hostFontCell(BLOCK).every((r) => r === 0xff)).toBe(true);
    expect(hostFontCell(DEGREE).some((r) => r !== 0)).toBe(true);
  });
});

describe('hd44780 driver', () => {
  it('init: 4-bit switch, function set, glyph slots into CGRAM', () => {
    const link = recorder();
    const glyph = { name: 'g', hd44780: { slot: 2, rows: [1, 2, 3, 4, 5, 6, 7, 8] } };
    new Hd44780Driver(link, { columns: 20, protocolInit: true, fourBit: true, glyphs: [glyph] }).init();
    expect(link.sent).toEqual([
      { kind: 'cmd', bytes: [0x33, 0x32, 0x28, 0x08, 0x06, 0x0c] },
      { kind: 'cmd', bytes: [0x40 | (2 << 3)] },
      { kind: 'data', bytes: [1, 2, 3, 4, 5, 6, 7, 8] },
    ]);
  });

  it('first flush writes all 4 rows; later flushes exactly the changed characters at their DDRAM address', () => {
    const link = recorder();
    const d = new Hd44780Driver(link, { columns: 16, protocolInit: false, fourBit: true, glyphs: [] });
    d.writeText(0, 0, 'N200/210');
    d.flush();
    expect(link.sent.filter((s) => s.kind === 'cmd').map((s) => s.bytes[0])).toEqual([0x80, 0xc0, 0x90, 0xd0]);
    expect(link.sent.filter((s) => s.kind === 'data').every((s) => s.bytes.length === 16)).toBe(true);
    link.sent.length = 0;
    d.clear();
    d.writeText(0, 0, 'N201/210');
    d.writeText(5, 3, `${BLOCK}${DEGREE}`);
    d.flush();
    expect(link.sent).toEqual([
      { kind: 'cmd', bytes: [0x80 | 3] },
      { kind: 'data', bytes: ['1'.charCodeAt(0)] },
      { kind: 'cmd', bytes: [0x80 | (hd44780RowAddress(3, 16) + 5)] },
      { kind: 'data', bytes: [0xff, 0xdf] },
    ]);
    expect(d.textRows()[0]).toBe('N201/210        ');
    link.sent.length = 0;
    d.flush();
    expect(link.sent).toEqual([]);
  });
});

describe('st7920 driver', () => {
  it('text goes to DDRAM two characters per address; graphics only where pixels changed', () => {
    const link = recorder();
    const d = new St7920Driver(link);
    d.writeText(0, 1, 'Hello');
    d.flush();
    // Full first frame: 4 text rows + 32 GDRAM rows.
    expect(link.sent.filter((s) => s.kind === 'cmd' && s.bytes[0] === 0x30)).toHaveLength(4);
    expect(link.sent.filter((s) => s.kind === 'cmd' && s.bytes[0] === 0x36)).toHaveLength(32);
    link.sent.length = 0;
    d.clear();
    d.writeText(0, 1, 'Hellp'); // char 4 changes: address pair 4-5 -> DDRAM 0x90 + 2
    d.flush();
    expect(link.sent).toEqual([
      { kind: 'cmd', bytes: [0x30, 0x92] },
      { kind: 'data', bytes: ['p'.charCodeAt(0), 0x20] },
    ]);
    link.sent.length = 0;
    d.clear();
    d.writeText(0, 1, 'Hellp');
    d.writeText(3, 2, BLOCK); // drawn in GDRAM: screen rows 32..47 are GDRAM rows 0..15, words 8..15
    d.flush();
    const cmds = link.sent.filter((s) => s.kind === 'cmd');
    expect(cmds).toHaveLength(16);
    cmds.forEach((c, i) => expect(c.bytes).toEqual([0x36, 0x80 | i, 0x80 | (8 + 1)]));
    // Cell 3 is the right half of word 9: the word is sent whole (0x00, 0xFF).
    link.sent.filter((s) => s.kind === 'data').forEach((s) => expect(s.bytes).toEqual([0x00, 0xff]));
  });
});

describe('graphic driver (uc1701 / ssd1306 / sh1106)', () => {
  it('sends only page bytes inside a changed cell, offset by x_offset', () => {
    const link = recorder();
    const d = new GraphicDriver(link, { chip: 'sh1106', contrast: 200, xOffset: 2 });
    d.writeText(0, 0, 'Temp 20');
    d.flush();
    expect(link.sent.filter((s) => s.kind === 'data').reduce((n, s) => n + s.bytes.length, 0)).toBe(1024);
    link.sent.length = 0;
    d.clear();
    d.writeText(0, 0, 'Temp 21'); // cell 6 of row 0: pages 0-1, columns 48..55 (+2 offset)
    d.flush();
    const cmds = link.sent.filter((s) => s.kind === 'cmd');
    expect(cmds.length).toBeGreaterThan(0);
    for (let i = 0; i < link.sent.length; i += 2) {
      const [page, hi, lo] = link.sent[i].bytes;
      const col = (((hi & 0x0f) << 4) | lo) - 2;
      expect([0xb0, 0xb1]).toContain(page);
      expect(col).toBeGreaterThanOrEqual(48);
      expect(col + link.sent[i + 1].bytes.length).toBeLessThanOrEqual(56);
    }
    // Every byte that differs between '0' and '1' was sent: compare pixel columns of both cells.
    const cellBytes = (ch: string, page: number) => {
      const rows = hostFontCell(ch);
      return Array.from({ length: 8 }, (_, x) =>
        Array.from({ length: 8 }, (_, bit) => ((rows[(page % 2) * 8 + bit] & (0x80 >> x)) !== 0 ? 1 << bit : 0)).reduce((a, b) => a | b, 0),
      );
    };
    for (const page of [0, 1]) {
      const want = cellBytes('1', page);
      const old = cellBytes('0', page);
      const sent = new Map<number, number>();
      for (let i = 0; i < link.sent.length; i += 2) {
        const [p, hi, lo] = link.sent[i].bytes;
        if (p !== (0xb0 | page)) continue;
        link.sent[i + 1].bytes.forEach((b, k) => sent.set((((hi & 0x0f) << 4) | lo) - 2 + k, b));
      }
      for (let x = 0; x < 8; x++) if (want[x] !== old[x]) expect(sent.get(48 + x), `page ${page} col ${x}`).toBe(want[x]);
    }
  });

  it('canvas cells land on the right pixels', () => {
    const c = new Canvas();
    c.setCell(1, 2, Array<number>(16).fill(0x80));
    expect(c.pixel(8, 32)).toBe(true);
    expect(c.pixel(9, 32)).toBe(false);
    expect(c.pixel(8, 48)).toBe(false);
  });
});

describe('aip31068 9-bit packing', () => {
  it('packs RS + 8 bits MSB first, padding the tail', () => {
    // 1 0100 0001 ('A' as data) -> 1010 0000 | 1xxx xxxx
    expect(pack9(1, [0x41])).toEqual([0xa0, 0x80]);
    expect(pack9(0, [0xff, 0x00])).toEqual([0x7f, 0x80, 0x00]);
  });
});

describe('encoder decoding', () => {
  const seq = (d: EncoderDecoder, steps: [0 | 1, boolean][]) => steps.forEach(([p, s], i) => d.pinChanged(p, s, i));
  // One detent of a 4-step encoder turning 'A leads': A closes, B closes, A opens, B opens; and B leading.
  const CW: [0 | 1, boolean][] = [
    [0, true],
    [1, true],
    [0, false],
    [1, false],
  ];
  const CCW: [0 | 1, boolean][] = [
    [1, true],
    [0, true],
    [1, false],
    [0, false],
  ];

  it('4 steps per detent: one turn per full cycle, each way; bounce counts nothing', () => {
    const turns: number[] = [];
    const d = new EncoderDecoder(4, (dir) => turns.push(dir), 0);
    seq(d, CW);
    seq(d, CW);
    seq(d, CCW);
    // Bounce: A closes and opens again at rest.
    seq(d, [
      [0, true],
      [0, false],
    ]);
    expect(turns).toEqual([1, 1, -1]);
  });

  it('2 steps per detent: a turn at each rest position (both open or both closed)', () => {
    const turns: number[] = [];
    const d = new EncoderDecoder(2, (dir) => turns.push(dir), 0);
    seq(d, CW);
    expect(turns).toEqual([1, 1]);
    seq(d, CCW);
    expect(turns).toEqual([1, 1, -1, -1]);
  });

  it('marks quick detents as fast', () => {
    const fast: boolean[] = [];
    const d = new EncoderDecoder(4, (_dir, f) => fast.push(f), 0.03);
    CW.forEach(([p, s]) => d.pinChanged(p, s, 1.0));
    CW.forEach(([p, s]) => d.pinChanged(p, s, 1.01));
    CW.forEach(([p, s]) => d.pinChanged(p, s, 2.0));
    expect(fast).toEqual([false, true, false]);
  });
});
