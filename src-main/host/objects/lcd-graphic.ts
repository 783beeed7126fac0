// 128x64 graphic displays with page memory: uc1701 (SPI + A0 pin), ssd1306 and sh1106 (I2C,
// or SPI + DC pin). Everything is drawn on the host (text with the public-domain host font,
// lcd-font.ts) into a canvas, turned into the controllers' layout: 8 pages of 8 pixel rows,
// one byte per column, bit 0 the top row. Changed bytes go out page by page:
// set page (0xB0 | page), column high nibble (0x10 | hi), low nibble (0x00 | lo), then data.
import { Canvas, glyphCells, hostFontCell, TextMirror, type DisplayGlyph, type LcdDriver } from './lcd-driver';
import { Framebuffer } from './lcd-framebuffer';
import type { LcdLink } from './lcd-link';

export type GraphicChip = 'uc1701' | 'ssd1306' | 'sh1106';

export interface GraphicSettings {
  chip: GraphicChip;
  contrast: number;
  /** ssd1306/sh1106 */
  vcomh?: number;
  invert?: boolean;
  /** Column of the panel's left edge in controller RAM (sh1106 panels: often 2). */
  xOffset?: number;
}

/** Controller set-up from the datasheets (display off, addressing, contrast, display on). */
export function graphicInitCommands(s: GraphicSettings): number[] {
  if (s.chip === 'uc1701') {
    // Reset, power control (booster, regulator, follower), segment/common direction, bias 1/9,
    // resistor ratio, contrast, start line 0, normal (not inverted), all-pixels off, on.
    return [0xe2, 0x2f, 0xa0, 0xc8, 0xa2, 0x27, 0x81, s.contrast, 0x40, 0xa6, 0xa4, 0xaf];
  }
  const cmds = [0xae, 0xd5, 0x80, 0xa8, 0x3f, 0xd3, 0x00, 0x40];
  // SSD1306: charge pump on, page addressing. SH1106: DC-DC on.
  cmds.push(...(s.chip === 'ssd1306' ? [0x8d, 0x14, 0x20, 0x02] : [0xad, 0x8b]));
  cmds.push(0xa1, 0xc8, 0xda, 0x12, 0x81, s.contrast, 0xd9, 0xf1);
  if (s.vcomh) cmds.push(0xdb, s.vcomh);
  cmds.push(0xa4, s.invert ? 0xa7 : 0xa6, 0xaf);
  return cmds;
}

export class GraphicDriver implements LcdDriver {
  readonly columns = 16;
  readonly rows = 4;
  private readonly canvas = new Canvas();
  private readonly pages = new Framebuffer(8 * Canvas.WIDTH, { segment: Canvas.WIDTH, mergeGap: 4 });
  private readonly mirror = new TextMirror(16, 4);

  constructor(
    private readonly link: LcdLink,
    private readonly settings: GraphicSettings,
  ) {}

  init(): void {
    this.link.sendCommands(graphicInitCommands(this.settings));
  }

  clear(): void {
    this.canvas.clear();
    this.mirror.clear();
  }

  writeText(col: number, row: number, text: string): void {
    for (const [c, ch] of this.mirror.put(col, row, text)) this.canvas.setCell(c, row, hostFontCell(ch));
  }

  writeGlyph(col: number, row: number, glyph: DisplayGlyph): number {
    if (!glyph.rows16 || row < 0 || row >= this.rows) return 0;
    const [left, right] = glyphCells(glyph.rows16);
    this.canvas.setCell(col, row, left);
    this.canvas.setCell(col + 1, row, right);
    for (const c of [col, col + 1]) if (c >= 0 && c < this.columns) this.mirror.lines[row][c] = '*';
    return 2;
  }

  /** The canvas in page layout. */
  private toPages(): void {
    const p = this.pages.next;
    p.fill(0);
    for (let page = 0; page < 8; page++) {
      for (let x = 0; x < Canvas.WIDTH; x++) {
        let b = 0;
        for (let bit = 0; bit < 8; bit++) if (this.canvas.pixel(x, page * 8 + bit)) b |= 1 << bit;
        p[page * Canvas.WIDTH + x] = b;
      }
    }
  }

  flush(): void {
    this.toPages();
    const xo = this.settings.xOffset ?? 0;
    for (const run of this.pages.takeChanges()) {
      const page = Math.floor(run.offset / Canvas.WIDTH);
      const col = (run.offset % Canvas.WIDTH) + xo;
      this.link.sendCommands([0xb0 | page, 0x10 | (col >> 4), col & 0x0f]);
      this.link.sendData(run.bytes);
    }
  }

  invalidate(): void {
    this.pages.invalidate();
  }

  textRows(): string[] {
    return this.mirror.text();
  }
}
