// One config section as printer objects see it: typed getters that check limits and remember
// which options were read, so that unread (misspelt or unsupported) options become errors.
import { ConfigError, formatPlace, type SourcePlace } from './errors';
import type { NumberLimits, OptionSpec, OptionTable, OptionValues, PinDesc } from './options';
import type { RawConfig, RawOption, RawSection } from './reader';

export class ConfigSection {
  private readonly accessed = new Set<string>();

  constructor(private readonly raw: RawSection) {}

  get name(): string {
    return this.raw.name;
  }
  get place(): SourcePlace {
    return this.raw.place;
  }
  /** Section name without its type prefix: '[heater_fan hotend]' -> 'hotend'. */
  get suffix(): string {
    const i = this.raw.name.indexOf(' ');
    return i < 0 ? this.raw.name : this.raw.name.slice(i + 1).trim();
  }

  has(option: string): boolean {
    return this.raw.options.has(option.toLowerCase());
  }
  optionNames(): string[] {
    return [...this.raw.options.keys()];
  }
  placeOf(option: string): SourcePlace {
    return this.raw.options.get(option.toLowerCase())?.place ?? this.raw.place;
  }

  /** Options present but never read: each is a mistake in printer.cfg. */
  unreadOptions(): RawOption[] {
    return [...this.raw.options.values()].filter((o) => !this.accessed.has(o.name));
  }

  /** An error about `option` in this section, placed at the option's line. */
  error(option: string, reason: string): ConfigError {
    return new ConfigError(reason, this.placeOf(option));
  }

  /** Reads every option of a table; `defaults` supplies defaults that depend on other values. */
  read<const T extends OptionTable>(table: T, defaults: { [K in keyof T]?: unknown } = {}): OptionValues<T> {
    const out: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(table)) out[name] = this.readSpec(name, spec, defaults[name]);
    return out as OptionValues<T>;
  }

  /** Reads one option by its spec. */
  readSpec(name: string, spec: OptionSpec, dynamicDefault?: unknown): unknown {
    const fallback = dynamicDefault !== undefined ? dynamicDefault : spec.default;
    const raw = this.rawValue(name, fallback === undefined && !spec.optional);
    if (raw === undefined) return fallback;
    switch (spec.type) {
      case 'float':
        return this.checkLimits(name, this.parseNumber(name, raw, false), spec);
      case 'int':
        return this.checkLimits(name, this.parseNumber(name, raw, true), spec);
      case 'boolean':
        return this.parseBoolean(name, raw);
      case 'string':
        return raw;
      case 'choice':
        if (!spec.choices.includes(raw)) {
          throw this.error(
            name,
            `Choice '${raw}' for option '${name}' in section '${this.name}' is not a valid choice (use one of: ${spec.choices.join(', ')})`,
          );
        }
        return raw;
      case 'pin':
        return parsePin(raw, { canInvert: spec.canInvert, canPullup: spec.canPullup }, (why) =>
          this.error(name, `${why} for option '${name}' in section '${this.name}'`),
        );
      case 'floatList': {
        const items = raw
          .split(/[,\n]/)
          .map((s) => s.trim())
          .filter((s) => s !== '');
        if (spec.count !== undefined && items.length !== spec.count) {
          throw this.error(name, `Option '${name}' in section '${this.name}' must have ${spec.count} elements`);
        }
        return items.map((s) => this.checkLimits(name, this.parseNumber(name, s, false), spec));
      }
      case 'stringList':
        return raw
          .split(/[,\n]/)
          .map((s) => s.trim())
          .filter((s) => s !== '');
    }
  }

  getString(name: string, fallback?: string): string {
    return this.readSpec(name, { type: 'string', doc: '', default: fallback }) as string;
  }
  getFloat(name: string, fallback?: number, limits: NumberLimits = {}): number {
    return this.readSpec(name, { type: 'float', doc: '', default: fallback, ...limits }) as number;
  }
  getInt(name: string, fallback?: number, limits: NumberLimits = {}): number {
    return this.readSpec(name, { type: 'int', doc: '', default: fallback, ...limits }) as number;
  }
  getBoolean(name: string, fallback?: boolean): boolean {
    return this.readSpec(name, { type: 'boolean', doc: '', default: fallback }) as boolean;
  }

  /** The raw text (marking the option read); throws if required and missing. */
  private rawValue(name: string, required: boolean): string | undefined {
    const key = name.toLowerCase();
    this.accessed.add(key);
    const opt = this.raw.options.get(key);
    if (!opt) {
      if (required) throw new ConfigError(`Option '${key}' in section '${this.name}' must be specified`, this.raw.place);
      return undefined;
    }
    return opt.value;
  }

  private parseNumber(name: string, raw: string, integer: boolean): number {
    const t = raw.trim();
    const v = t === '' ? NaN : Number(t);
    if (!Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      throw this.error(
        name,
        `Unable to parse option '${name}' in section '${this.name}': '${raw}' is not ${integer ? 'an integer' : 'a number'}`,
      );
    }
    return v;
  }

  private parseBoolean(name: string, raw: string): boolean {
    const t = raw.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(t)) return true;
    if (['false', '0', 'no', 'off'].includes(t)) return false;
    throw this.error(name, `Unable to parse option '${name}' in section '${this.name}': '${raw}' is not True or False`);
  }

  private checkLimits(name: string, v: number, l: NumberLimits): number {
    const where = `Option '${name}' in section '${this.name}'`;
    if (l.minval !== undefined && v < l.minval) throw this.error(name, `${where} must have minimum of ${l.minval}`);
    if (l.maxval !== undefined && v > l.maxval) throw this.error(name, `${where} must have maximum of ${l.maxval}`);
    if (l.above !== undefined && v <= l.above) throw this.error(name, `${where} must be above ${l.above}`);
    if (l.below !== undefined && v >= l.below) throw this.error(name, `${where} must be below ${l.below}`);
    return v;
  }
}

/** Parses a pin description: optional '^'/'~' then '!', optional 'chip:' prefix ('P1.4' on LPC176x). */
export function parsePin(text: string, allow: { canInvert?: boolean; canPullup?: boolean }, fail: (why: string) => Error): PinDesc {
  let s = text.trim();
  let pullup: 0 | 1 | -1 = 0;
  let invert = false;
  if (s.startsWith('^') || s.startsWith('~')) {
    if (!allow.canPullup) throw fail(`Pull-up/down '${s[0]}' is not allowed in pin '${text}'`);
    pullup = s.startsWith('^') ? 1 : -1;
    s = s.slice(1).trim();
  }
  if (s.startsWith('!')) {
    if (!allow.canInvert) throw fail(`Inversion '!' is not allowed in pin '${text}'`);
    invert = true;
    s = s.slice(1).trim();
  }
  let chip = 'mcu';
  const colon = s.indexOf(':');
  if (colon >= 0) {
    chip = s.slice(0, colon).trim();
    s = s.slice(colon + 1).trim();
  }
  if (!/^[A-Za-z0-9_.]+$/.test(s) || !/^[A-Za-z0-9_ ]+$/.test(chip)) throw fail(`Invalid pin description '${text}'`);
  return { chip, pin: s, invert, pullup, text: text.trim() };
}

/** All sections of a loaded printer.cfg, as ConfigSection views. */
export class PrinterConfig {
  private readonly views = new Map<string, ConfigSection>();

  constructor(readonly raw: RawConfig) {
    for (const [name, s] of raw.sections) this.views.set(name, new ConfigSection(s));
  }

  has(name: string): boolean {
    return this.views.has(name);
  }
  get(name: string): ConfigSection {
    const s = this.views.get(name);
    if (!s) throw new ConfigError(`Section [${name}] must be present in ${this.raw.mainPath}`);
    return s;
  }
  getOrNull(name: string): ConfigSection | null {
    return this.views.get(name) ?? null;
  }
  sections(): ConfigSection[] {
    return [...this.views.values()];
  }
  /** Sections named `prefix` or starting with it ('stepper_' -> stepper_x, stepper_y, ...). */
  withPrefix(prefix: string): ConfigSection[] {
    return this.sections().filter((s) => s.name.startsWith(prefix));
  }

  /** Every option that no object read, as one error (first option's place, all listed). */
  checkUnread(skipSections: ReadonlySet<string> = new Set()): void {
    const unread: { section: ConfigSection; option: RawOption }[] = [];
    for (const s of this.views.values()) {
      if (skipSections.has(s.name)) continue;
      for (const o of s.unreadOptions()) unread.push({ section: s, option: o });
    }
    if (!unread.length) return;
    const lines = unread.map(
      ({ section, option }) => `Option '${option.name}' is not valid in section '${section.name}' (${formatPlace(option.place)})`,
    );
    throw new ConfigError(
      lines.join('\n'),
      undefined,
      unread.map((u) => u.option.place),
    );
  }
}
