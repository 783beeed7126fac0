// [display_data GROUP NAME], [display_template NAME] and [display_glyph NAME]: what the status
// screen shows. A group is a set of templates, each at a row and column; every refresh renders
// them with the printer tree (our template engine, ../template) and writes the text, where
// ~name~ draws a [display_glyph]. Our default groups (_default_16x4, _default_20x4; Klipper's
// group names so display_group settings carry over) are our own layout: nozzle and bed
// temperatures with targets, fan, speed factor, a progress bar, print time and the M117 message.
import type { ConfigSection } from '../config/section';
import { Template, TemplateError } from '../template';
import { BLOCK, DEGREE, type DisplayGlyph, type LcdDriver } from './lcd-driver';
import { DISPLAY_DATA_OPTIONS, DISPLAY_GLYPH_OPTIONS, DISPLAY_TEMPLATE_OPTIONS } from './display-options';

export interface DisplayDataItem {
  name: string;
  row: number;
  col: number;
  template: Template;
}

const t = (name: string, text: string) => new Template(`display_data ${name}`, text);

/** Our status screen: 16 columns (20 on 2004 displays: the message row is longer). */
function defaultItems(group: string): DisplayDataItem[] {
  return [
    {
      name: 'nozzle',
      row: 0,
      col: 0,
      template: t(
        `${group} nozzle`,
        `{% if 'extruder' in printer %}{% set e = printer.extruder %}N{'%3.0f' % (e.temperature|default(0))}/{'%-3.0f' % (e.target|default(0))}${DEGREE}{% endif %}`,
      ),
    },
    {
      name: 'fan',
      row: 0,
      col: 10,
      template: t(`${group} fan`, `{% if 'fan' in printer %}F{'%3d' % ((printer.fan.speed|default(0)) * 100)|round|int}%{% endif %}`),
    },
    {
      name: 'bed',
      row: 1,
      col: 0,
      template: t(
        `${group} bed`,
        `{% if 'heater_bed' in printer %}{% set b = printer.heater_bed %}B{'%3.0f' % (b.temperature|default(0))}/{'%-3.0f' % (b.target|default(0))}${DEGREE}{% endif %}`,
      ),
    },
    {
      name: 'speed_factor',
      row: 1,
      col: 10,
      template: t(`${group} speed_factor`, `S{'%3d' % ((printer.gcode_move.speed_factor|default(1)) * 100)|round|int}%`),
    },
    {
      name: 'progress',
      row: 2,
      col: 0,
      template: t(
        `${group} progress`,
        `{% set p = printer.display_status.progress|default(0) %}{% set n = (p * 10)|round(0, 'floor')|int %}{'${BLOCK}' * n}{'-' * (10 - n)} {'%3d' % (p * 100)|round|int}%`,
      ),
    },
    {
      name: 'message',
      row: 3,
      col: 0,
      template: t(
        `${group} message`,
        `{% set m = printer.display_status.message %}{% if m %}{m}{% else %}{% set s = printer.print_stats.print_duration|default(0)|int %}T{'%d:%02d' % (s // 3600, (s // 60) % 60)} {printer.print_stats.state|default('standby')|capitalize}{% endif %}`,
      ),
    },
  ];
}

export const DEFAULT_GROUPS = ['_default_16x4', '_default_20x4'];

/** Parses 'rows' lines of 'width' "."/"*" pixels (MSB = leftmost). */
export function parseGlyphRows(section: ConfigSection, option: string, text: string, rows: number, width: number): number[] {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length !== rows || lines.some((l) => l.length !== width || /[^.*]/.test(l))) {
    throw section.error(option, `Option '${option}' in section '${section.name}' must be ${rows} lines of ${width} '.' or '*' characters`);
  }
  return lines.map((l) => [...l].reduce((v, ch) => (v << 1) | (ch === '*' ? 1 : 0), 0));
}

/** The [display_*] sections of a printer.cfg (plus our defaults), shared by every display. */
export class DisplayAssets {
  readonly groups = new Map<string, Map<string, DisplayDataItem>>();
  readonly templates = new Map<string, { template: Template; params: Record<string, string> }>();
  readonly glyphs = new Map<string, DisplayGlyph>();

  constructor() {
    for (const g of DEFAULT_GROUPS) this.groups.set(g, new Map(defaultItems(g).map((i) => [i.name, i])));
  }

  private template(section: ConfigSection, option: string, text: string): Template {
    try {
      return new Template(section.name, text);
    } catch (e) {
      if (e instanceof TemplateError) throw section.error(option, e.message);
      throw e;
    }
  }

  /** [display_data GROUP NAME] */
  addData(section: ConfigSection): void {
    const parts = section.name.split(/\s+/);
    if (parts.length !== 3) throw section.error('text', `Section name '${section.name}' must be [display_data GROUP NAME]`);
    const o = section.read(DISPLAY_DATA_OPTIONS);
    const pos = o.position.split(',').map((s) => Number(s.trim()));
    if (pos.length !== 2 || pos.some((n) => !Number.isInteger(n) || n < 0)) {
      throw section.error('position', `Option 'position' in section '${section.name}' must be "row, column" (two whole numbers)`);
    }
    const [, group, name] = parts;
    if (!this.groups.has(group)) this.groups.set(group, new Map());
    this.groups.get(group)!.set(name, { name, row: pos[0], col: pos[1], template: this.template(section, 'text', o.text) });
  }

  /** [display_template NAME] */
  addTemplate(section: ConfigSection): void {
    const o = section.read(DISPLAY_TEMPLATE_OPTIONS);
    const params: Record<string, string> = {};
    for (const opt of section.optionNames().filter((n) => n.startsWith('param_'))) params[opt.slice(6)] = section.getString(opt);
    this.templates.set(section.suffix, { template: this.template(section, 'text', o.text), params });
  }

  /** [display_glyph NAME] */
  addGlyph(section: ConfigSection): void {
    const o = section.read(DISPLAY_GLYPH_OPTIONS);
    const glyph: DisplayGlyph = { name: section.suffix };
    if (o.data !== undefined) glyph.rows16 = parseGlyphRows(section, 'data', o.data, 16, 16);
    if (o.hd44780_data !== undefined) {
      if (o.hd44780_slot === undefined)
        throw section.error('hd44780_data', `Section '${section.name}' needs hd44780_slot (0-7) with hd44780_data`);
      glyph.hd44780 = { slot: o.hd44780_slot, rows: parseGlyphRows(section, 'hd44780_data', o.hd44780_data, 8, 5) };
    }
    if (!glyph.rows16 && !glyph.hd44780) throw section.error('data', `Section '${section.name}' needs data (16x16) or hd44780_data (5x8)`);
    this.glyphs.set(glyph.name, glyph);
  }
}

/** The printer's display assets, created by the first [display_*] section or display. */
export function displayAssetsOf(printer: {
  lookupObjectOrNull<T>(n: string): T | null;
  addObject(n: string, o: unknown): void;
}): DisplayAssets {
  let a = printer.lookupObjectOrNull<DisplayAssets>('display_assets');
  if (!a) {
    a = new DisplayAssets();
    printer.addObject('display_assets', a);
  }
  return a;
}

/** Writes rendered text at (col, row), drawing ~name~ glyphs. */
export function writeWithGlyphs(
  driver: LcdDriver,
  glyphs: ReadonlyMap<string, DisplayGlyph>,
  col: number,
  row: number,
  text: string,
): void {
  let c = col;
  for (const [i, part] of text.split(/~(\w+)~/).entries()) {
    if (i % 2 === 1) {
      const g = glyphs.get(part);
      if (g) c += driver.writeGlyph(c, row, g);
      continue;
    }
    driver.writeText(c, row, part);
    c += [...part].length;
  }
}

/**
 * Renders a group onto the driver. A template that fails shows '?' and its error is returned
 * (the caller reports each new one once), so one bad template does not blank the screen.
 */
export function renderGroup(driver: LcdDriver, assets: DisplayAssets, group: string, context: Record<string, unknown>): string[] {
  const errors: string[] = [];
  for (const item of assets.groups.get(group)?.values() ?? []) {
    let text: string;
    try {
      text = item.template.render(context).replace(/\n/g, '');
    } catch (e) {
      errors.push((e as Error).message);
      text = '?';
    }
    writeWithGlyphs(driver, assets.glyphs, item.col, item.row, text);
  }
  return errors;
}
