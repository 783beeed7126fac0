// Character displays: hd44780 (4-bit parallel through the firmware), hd44780_spi (behind a
// shift register) and aip31068_spi. Text goes in the controller's DDRAM and is drawn with its
// ROM character set (A00: ASCII, 0xDF degree sign, 0xFF full block); [display_glyph] sections
// with hd44780_data are loaded into the 8 CGRAM slots at start-up and drawn by slot number.
import { BLOCK, DEGREE, TextMirror, type DisplayGlyph, type LcdDriver } from './lcd-driver';
import { Framebuffer } from './lcd-framebuffer';
import type { LcdLink } from './lcd-link';

/** DDRAM address of each row's first character (rows 2 and 3 continue rows 0 and 1). */
export function hd44780RowAddress(row: number, columns: number): number {
  return [0x00, 0x40, columns, 0x40 + columns][row];
}

/** A00 ROM code of a character ('?' for what the ROM lacks). */
export function hd44780Code(ch: string): number {
  if (ch === DEGREE) return 0xdf;
  if (ch === BLOCK) return 0xff;
  const c = ch.charCodeAt(0);
  // 0x5C is a yen sign and 0x7E/0x7F arrows in the A00 ROM; everything else printable is ASCII.
  if (c >= 0x20 && c < 0x7e && c !== 0x5c) return c;
  return 0x3f;
}

export interface Hd44780Settings {
  columns: number;
  /** Send the 8-bit to 4-bit switch first (4-bit parallel and shift-register wiring). */
  protocolInit: boolean;
  /** 4-bit interface (hd44780, hd44780_spi) or 8-bit (aip31068_spi). */
  fourBit: boolean;
  glyphs: DisplayGlyph[];
}

export class Hd44780Driver implements LcdDriver {
  readonly rows = 4;
  readonly columns: number;
  private readonly fb: Framebuffer;
  private readonly mirror: TextMirror;

  constructor(
    private readonly link: LcdLink,
    private readonly settings: Hd44780Settings,
  ) {
    this.columns = settings.columns;
    this.fb = new Framebuffer(this.columns * this.rows, { segment: this.columns });
    this.mirror = new TextMirror(this.columns, this.rows);
    this.clear();
  }

  init(): void {
    const s = this.settings;
    const cmds: number[] = [];
    if (s.protocolInit && s.fourBit) cmds.push(0x33, 0x32); // nibbles 3,3,3,2: any state -> 4-bit
    // Function set (interface, 2 lines, 5x8), display off, entry mode (increment), display on.
    cmds.push(s.fourBit ? 0x28 : 0x38, 0x08, 0x06, 0x0c);
    this.link.sendCommands(cmds);
    for (const g of s.glyphs) {
      if (!g.hd44780) continue;
      this.link.sendCommands([0x40 | (g.hd44780.slot << 3)]);
      this.link.sendData(g.hd44780.rows.slice(0, 8));
    }
  }

  clear(): void {
    this.fb.next.fill(0x20);
    this.mirror.clear();
  }

  writeText(col: number, row: number, text: string): void {
    for (const [c, ch] of this.mirror.put(col, row, text)) this.fb.next[row * this.columns + c] = hd44780Code(ch);
  }

  writeGlyph(col: number, row: number, glyph: DisplayGlyph): number {
    if (!glyph.hd44780 || row < 0 || row >= this.rows || col < 0 || col >= this.columns) return 0;
    this.fb.next[row * this.columns + col] = glyph.hd44780.slot;
    this.mirror.lines[row][col] = '*';
    return 1;
  }

  flush(): void {
    for (const run of this.fb.takeChanges()) {
      const row = Math.floor(run.offset / this.columns);
      this.link.sendCommands([0x80 | (hd44780RowAddress(row, this.columns) + (run.offset % this.columns))]);
      this.link.sendData(run.bytes);
    }
  }

  invalidate(): void {
    this.fb.invalidate();
  }

  textRows(): string[] {
    return this.mirror.text();
  }
}
