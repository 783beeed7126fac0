// What every display driver offers the screen renderer: a grid of character cells (16x4 on
// 128x64 graphic displays, whose cells are 8x16 pixels; line_length x 4 on hd44780), text and
// glyphs written into a framebuffer, and flush() sending only what changed. Two characters are
// drawn specially by every driver: BLOCK (a full cell, progress bars) and DEGREE.
import { cellRows8x16 } from './lcd-font';

export const BLOCK = '\u2588';
export const DEGREE = '\u00b0';

/** A [display_glyph]: 16x16 pixels for graphic displays and st7920, 5x8 in a CGRAM slot on hd44780. */
export interface DisplayGlyph {
  name: string;
  /** 16 rows, bit 15 = leftmost pixel. */
  rows16?: number[];
  hd44780?: { slot: number; rows: number[] };
}

export interface LcdDriver {
  readonly columns: number;
  readonly rows: number;
  /** Controller set-up (sent as init commands of the MCU config, at every connect). */
  init(): void;
  /** Empties the next frame. */
  clear(): void;
  writeText(col: number, row: number, text: string): void;
  /** Draws a glyph at a cell; returns the cells used (0: this display cannot show it). */
  writeGlyph(col: number, row: number, glyph: DisplayGlyph): number;
  /** Sends what changed since the last flush. */
  flush(): void;
  /** The display lost its contents (MCU restart): the next flush sends everything. */
  invalidate(): void;
  /** The text of the next frame, one string per row (tests, status). */
  textRows(): string[];
}

/** Text rows kept alongside any framebuffer, so status and tests can read the screen. */
export class TextMirror {
  readonly lines: string[][];
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    this.lines = Array.from({ length: rows }, () => Array<string>(columns).fill(' '));
  }
  clear(): void {
    for (const l of this.lines) l.fill(' ');
  }
  /** The cells of `text` that fit, as [col, char] pairs. */
  put(col: number, row: number, text: string): [number, string][] {
    if (row < 0 || row >= this.rows) return [];
    const out: [number, string][] = [];
    let c = col;
    for (const ch of text) {
      if (c >= this.columns) break;
      if (c >= 0) {
        this.lines[row][c] = ch;
        out.push([c, ch]);
      }
      c++;
    }
    return out;
  }
  text(): string[] {
    return this.lines.map((l) => l.join(''));
  }
}

/** A 128x64 one-bit picture, 16 bytes a row, MSB = leftmost pixel. */
export class Canvas {
  static readonly WIDTH = 128;
  static readonly HEIGHT = 64;
  readonly bits = new Uint8Array((Canvas.WIDTH / 8) * Canvas.HEIGHT);

  clear(): void {
    this.bits.fill(0);
  }
  /** An 8x16 cell at character position (col, row). */
  setCell(col: number, row: number, rows16: number[]): void {
    if (col < 0 || col >= Canvas.WIDTH / 8 || row < 0 || row >= Canvas.HEIGHT / 16) return;
    for (let y = 0; y < 16; y++) this.bits[(row * 16 + y) * 16 + col] = rows16[y] & 0xff;
  }
  pixel(x: number, y: number): boolean {
    return (this.bits[y * 16 + (x >> 3)] & (0x80 >> (x & 7))) !== 0;
  }
}

const DEGREE_CELL = [0, 0, 0x38, 0x38, 0x6c, 0x6c, 0x38, 0x38, 0, 0, 0, 0, 0, 0, 0, 0];
const BLOCK_CELL = Array<number>(16).fill(0xff);

/** The 8x16 pixels of a character in the host font (BLOCK and DEGREE included). */
export function hostFontCell(ch: string): number[] {
  if (ch === BLOCK) return BLOCK_CELL;
  if (ch === DEGREE) return DEGREE_CELL;
  return cellRows8x16(ch.charCodeAt(0));
}

/** The two 8x16 cells (left, right) of a 16x16 glyph. */
export function glyphCells(rows16: number[]): [number[], number[]] {
  return [rows16.map((r) => (r >> 8) & 0xff), rows16.map((r) => r & 0xff)];
}
