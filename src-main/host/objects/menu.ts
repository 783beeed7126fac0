// The display menu: [menu ...] sections (and our default menu, menu-default.ts) form a tree by
// name ('__main __control __home' is an item of '__main __control'). A click on the status
// screen opens menu_root; the encoder or up/down moves the cursor; click opens a list, runs a
// command, or starts/ends editing an input (the value changes by input_step per detent and its
// gcode runs with menu.input set); back (or the '..' row) goes up a level, and from the root
// back to the status screen. Name, enable and input are templates rendered with the printer tree.
import type { ConfigSection } from '../config/section';
import { Template, TemplateError } from '../template';
import type { LcdDriver } from './lcd-driver';
import { MENU_OPTIONS, type MENU_TYPES } from './display-options';
import type { MenuKey } from './menu-keys';

export type MenuType = (typeof MENU_TYPES)[number];

/** One item as written (templates as text); defaults and [menu] sections both give these. */
export interface MenuItemSpec {
  id: string;
  type: MenuType;
  name: string;
  enable?: string;
  index?: number;
  gcode?: string;
  input?: string;
  /** Templates (our defaults read limits from the printer) or numbers from printer.cfg. */
  inputMin?: string;
  inputMax?: string;
  inputStep?: number;
  realtime?: boolean;
}

export class MenuItem {
  readonly children: MenuItem[] = [];
  readonly name: Template;
  readonly enable: Template;
  readonly gcode: Template;
  readonly input: Template | null;
  readonly inputMin: Template | null;
  readonly inputMax: Template | null;

  constructor(readonly spec: MenuItemSpec) {
    const tpl = (what: string, text: string) => new Template(`menu ${spec.id}:${what}`, text);
    this.name = tpl('name', spec.name);
    this.enable = tpl('enable', spec.enable ?? 'True');
    this.gcode = tpl('gcode', spec.gcode ?? '');
    this.input = spec.input !== undefined ? tpl('input', spec.input) : null;
    this.inputMin = spec.inputMin !== undefined ? tpl('input_min', spec.inputMin) : null;
    this.inputMax = spec.inputMax !== undefined ? tpl('input_max', spec.inputMax) : null;
  }
  get id(): string {
    return this.spec.id;
  }
  get type(): MenuType {
    return this.spec.type;
  }
}

/** Reads a [menu ...] section into a spec (its templates are checked when the tree is built). */
export function menuSpecOf(section: ConfigSection): MenuItemSpec {
  const o = section.read(MENU_OPTIONS);
  const spec: MenuItemSpec = {
    id: section.suffix.trim().replace(/\s+/g, ' '),
    type: o.type as MenuType,
    name: o.name,
    enable: o.enable,
    gcode: o.gcode,
  };
  if (o.index !== undefined) spec.index = o.index;
  if (o.type === 'input') {
    if (o.input === undefined) throw section.error('input', `Section '${section.name}' (type: input) needs an input option`);
    spec.input = o.input;
    if (o.input_min !== undefined) spec.inputMin = String(o.input_min);
    if (o.input_max !== undefined) spec.inputMax = String(o.input_max);
    spec.inputStep = o.input_step ?? 1;
    spec.realtime = o.realtime;
  }
  return spec;
}

/** Builds the tree: `specs` later in the list replace earlier ones with the same id. */
export function buildMenuTree(specs: MenuItemSpec[], onError: (id: string, msg: string) => Error): Map<string, MenuItem> {
  const byId = new Map<string, MenuItem>();
  for (const s of specs) {
    try {
      byId.set(s.id, new MenuItem(s));
    } catch (e) {
      if (e instanceof TemplateError) throw onError(s.id, e.message);
      throw e;
    }
  }
  for (const item of byId.values()) {
    const cut = item.id.lastIndexOf(' ');
    if (cut < 0) continue;
    const parent = byId.get(item.id.slice(0, cut));
    if (!parent) throw onError(item.id, `menu item '${item.id}' has no parent menu '${item.id.slice(0, cut)}'`);
    if (parent.type !== 'list') throw onError(item.id, `menu item '${item.id}': its parent '${parent.id}' is not a list`);
    parent.children.push(item);
  }
  // Items with an index go to that position among their siblings (as Klipper places them).
  for (const item of byId.values()) {
    const plain = item.children.filter((c) => c.spec.index === undefined);
    const indexed = item.children.filter((c) => c.spec.index !== undefined).sort((a, b) => a.spec.index! - b.spec.index!);
    for (const c of indexed) plain.splice(Math.min(c.spec.index!, plain.length), 0, c);
    item.children.splice(0, item.children.length, ...plain);
  }
  return byId;
}

/** A row of the open list: a menu item, '..' (up a level), or an SD card file. */
interface MenuRow {
  label: string;
  item?: MenuItem;
  back?: boolean;
  file?: string;
}

export interface MenuEnvironment {
  /** Template context: the printer tree. */
  context(): Record<string, unknown>;
  /** Runs G-code as if typed (errors are reported by the G-code layer). */
  runGcode(script: string): void;
  /** Files of virtual_sdcard (for vsdlist). */
  listFiles(): string[];
  reportError(msg: string): void;
}

/** A rendered enable template: '', False, None and 0 mean no (Klipper reads it as a literal). */
export function renderedTrue(text: string): boolean {
  return !['', 'false', 'none', '0', '0.0'].includes(text.trim().toLowerCase());
}

const num = (v: string): number => {
  const n = Number(v.trim());
  return Number.isFinite(n) ? n : 0;
};

/** Where the user is in the menu: the lists entered, the cursor, an input being edited. */
export class MenuSession {
  private readonly stack: { item: MenuItem; cursor: number; top: number }[] = [];
  private editing: { item: MenuItem; value: number; min: number; max: number; step: number } | null = null;

  constructor(
    private readonly root: MenuItem,
    private readonly env: MenuEnvironment,
  ) {
    this.stack.push({ item: root, cursor: 0, top: 0 });
  }

  /** False once the user left the root: the display shows the status screen again. */
  get open(): boolean {
    return this.stack.length > 0;
  }

  get editingItem(): string | null {
    return this.editing?.item.id ?? null;
  }

  private render(t: Template, extra: Record<string, unknown> = {}): string {
    try {
      return t.render({ ...this.env.context(), ...extra });
    } catch (e) {
      this.env.reportError((e as Error).message);
      return '?';
    }
  }

  private inputOf(item: MenuItem): number {
    return item.input ? num(this.render(item.input)) : 0;
  }

  private menuContext(item: MenuItem): Record<string, unknown> {
    const value = this.editing?.item === item ? this.editing.value : item.type === 'input' ? this.inputOf(item) : 0;
    return { menu: { input: value, is_editing: this.editing?.item === item } };
  }

  private rows(): MenuRow[] {
    const level = this.stack[this.stack.length - 1];
    const rows: MenuRow[] = [{ label: '..', back: true }];
    if (level.item.type === 'vsdlist') {
      for (const f of this.env.listFiles()) rows.push({ label: f, file: f });
      return rows;
    }
    for (const c of level.item.children) {
      if (!renderedTrue(this.render(c.enable))) continue;
      rows.push({ label: '', item: c });
    }
    return rows;
  }

  /** Handles one key; returns false when the key closed the menu. */
  key(key: MenuKey): boolean {
    if (!this.open) return false;
    if (this.editing) return this.editKey(key);
    const level = this.stack[this.stack.length - 1];
    const rows = this.rows();
    level.cursor = Math.min(level.cursor, rows.length - 1);
    switch (key) {
      case 'up':
      case 'fast_up':
        level.cursor = Math.max(0, level.cursor - 1);
        break;
      case 'down':
      case 'fast_down':
        level.cursor = Math.min(rows.length - 1, level.cursor + 1);
        break;
      case 'back':
        this.stack.pop();
        break;
      case 'click':
        this.select(rows[level.cursor]);
        break;
      default:
        break;
    }
    return this.open;
  }

  private select(row: MenuRow): void {
    if (row.back) {
      this.stack.pop();
      return;
    }
    if (row.file !== undefined) {
      this.env.runGcode(`SDCARD_PRINT_FILE FILENAME="${row.file}"`);
      this.stack.length = 0; // back to the status screen to watch the print
      return;
    }
    const item = row.item!;
    if (item.type === 'list' || item.type === 'vsdlist') this.stack.push({ item, cursor: 0, top: 0 });
    else if (item.type === 'command') this.runItem(item, 0);
    else if (item.type === 'input') {
      const min = item.inputMin ? num(this.render(item.inputMin)) : -Infinity;
      const max = item.inputMax ? num(this.render(item.inputMax)) : Infinity;
      this.editing = { item, value: this.inputOf(item), min, max, step: item.spec.inputStep ?? 1 };
    }
  }

  private runItem(item: MenuItem, value: number): void {
    const script = this.render(item.gcode, { menu: { input: value, is_editing: false } });
    if (script.trim()) this.env.runGcode(script);
  }

  private editKey(key: MenuKey): boolean {
    const e = this.editing!;
    const stepOf = (k: MenuKey) => ({ up: 1, down: -1, fast_up: 10, fast_down: -10 })[k as 'up'] ?? 0;
    if (stepOf(key) !== 0) {
      // Rounded to the step's decimals so 0.1 steps do not drift (0.30000000000000004).
      const decimals = Math.max(0, -Math.floor(Math.log10(e.step)) + 1);
      const value = Number(Math.min(e.max, Math.max(e.min, e.value + stepOf(key) * e.step)).toFixed(decimals));
      if (value === e.value) return true; // at a limit: nothing changed, nothing to send
      e.value = value;
      if (e.item.spec.realtime) this.runItem(e.item, e.value);
    } else if (key === 'click') {
      this.editing = null;
      this.runItem(e.item, e.value);
    } else if (key === 'back') this.editing = null;
    return true;
  }

  /** Draws the open list: its name on row 0, then the rows around the cursor ('>' marks it). */
  draw(driver: LcdDriver): void {
    const level = this.stack[this.stack.length - 1];
    if (!level) return;
    const rows = this.rows();
    level.cursor = Math.min(level.cursor, rows.length - 1);
    const visible = driver.rows - 1;
    if (level.cursor < level.top) level.top = level.cursor;
    if (level.cursor >= level.top + visible) level.top = level.cursor - visible + 1;
    driver.writeText(0, 0, this.render(level.item.name, this.menuContext(level.item)).slice(0, driver.columns));
    for (let i = 0; i < visible; i++) {
      const row = rows[level.top + i];
      if (!row) break;
      const selected = level.top + i === level.cursor;
      let label = row.label;
      if (row.item) {
        label = this.render(row.item.name, this.menuContext(row.item));
        if (row.item.type === 'list' || row.item.type === 'vsdlist') label += '>';
      }
      const mark = selected ? (this.editing?.item === row.item && row.item ? '*' : '>') : ' ';
      driver.writeText(0, i + 1, (mark + label).slice(0, driver.columns));
    }
  }
}
