// ST7920 (st7920 through the firmware, emulated_st7920 over plain SPI): 16x4 text in DDRAM drawn
// by the chip's own 8x16 ROM font, and a 128x64 graphics layer (GDRAM) the chip shows XORed over
// it, where glyphs, the degree sign and progress-bar blocks are drawn with the host font.
// DDRAM: one address per 2 characters, rows at 0x80, 0x90, 0x88, 0x98 (basic instructions).
// GDRAM (extended instructions, graphics on): 32 rows of 16 two-byte words; screen rows 32-63 are
// words 8-15 of rows 0-31.
import { BLOCK, Canvas, DEGREE, glyphCells, hostFontCell, TextMirror, type DisplayGlyph, type LcdDriver } from './lcd-driver';
import { Framebuffer } from './lcd-framebuffer';
import type { LcdLink } from './lcd-link';

const BASIC = 0x30;
const EXTENDED_GRAPHICS = 0x36;
const DDRAM_ROW = [0x80, 0x90, 0x88, 0x98];
const GDRAM_ROW_BYTES = 32;

export class St7920Driver implements LcdDriver {
  readonly columns = 16;
  readonly rows = 4;
  private readonly text = new Framebuffer(16 * 4, { segment: 16, align: 2 });
  private readonly graphics = new Framebuffer(32 * GDRAM_ROW_BYTES, { segment: GDRAM_ROW_BYTES, align: 2, mergeGap: 4 });
  private readonly canvas = new Canvas();
  private readonly mirror = new TextMirror(16, 4);

  constructor(private readonly link: LcdLink) {
    this.clear();
  }

  init(): void {
    // Basic set twice (8-bit interface), display on without cursor, entry mode increment,
    // then extended set with graphics on.
    this.link.sendCommands([BASIC, BASIC, 0x0c, 0x06, 0x34, EXTENDED_GRAPHICS]);
  }

  clear(): void {
    this.text.next.fill(0x20);
    this.canvas.clear();
    this.mirror.clear();
  }

  writeText(col: number, row: number, text: string): void {
    for (const [c, ch] of this.mirror.put(col, row, text)) {
      const code = ch.charCodeAt(0);
      if (ch === BLOCK || ch === DEGREE || code < 0x20 || code > 0x7e) {
        // Not in the ROM font as such: a space in the text layer, the pixels in graphics.
        this.text.next[row * 16 + c] = 0x20;
        this.canvas.setCell(c, row, hostFontCell(ch));
      } else this.text.next[row * 16 + c] = code;
    }
  }

  writeGlyph(col: number, row: number, glyph: DisplayGlyph): number {
    if (!glyph.rows16 || row < 0 || row >= this.rows) return 0;
    const [left, right] = glyphCells(glyph.rows16);
    this.canvas.setCell(col, row, left);
    this.canvas.setCell(col + 1, row, right);
    for (const c of [col, col + 1]) {
      if (c < 0 || c >= this.columns) continue;
      this.text.next[row * 16 + c] = 0x20;
      this.mirror.lines[row][c] = '*';
    }
    return 2;
  }

  /** The canvas in GDRAM order. */
  private toGdram(): void {
    const g = this.graphics.next;
    for (let y = 0; y < 32; y++) {
      g.set(this.canvas.bits.subarray(y * 16, y * 16 + 16), y * GDRAM_ROW_BYTES);
      g.set(this.canvas.bits.subarray((y + 32) * 16, (y + 32) * 16 + 16), y * GDRAM_ROW_BYTES + 16);
    }
  }

  flush(): void {
    for (const run of this.text.takeChanges()) {
      const row = Math.floor(run.offset / 16);
      this.link.sendCommands([BASIC, DDRAM_ROW[row] + (run.offset % 16) / 2]);
      this.link.sendData(run.bytes);
    }
    this.toGdram();
    for (const run of this.graphics.takeChanges()) {
      const y = Math.floor(run.offset / GDRAM_ROW_BYTES);
      const word = (run.offset % GDRAM_ROW_BYTES) / 2;
      this.link.sendCommands([EXTENDED_GRAPHICS, 0x80 | y, 0x80 | word]);
      this.link.sendData(run.bytes);
    }
  }

  invalidate(): void {
    this.text.invalidate();
    this.graphics.invalidate();
  }

  textRows(): string[] {
    return this.mirror.text();
  }
}
