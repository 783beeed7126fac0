// Option tables: every config section declares its options once (type, default, limits, one-line
// doc). The typed getters read through these tables and the editor's catalog lists them, so the
// two can never disagree.

interface OptionBase {
  /** One line for the editor's hover/completion. */
  doc: string;
  /** When true and no default is given, a missing option reads as undefined instead of an error. */
  optional?: boolean;
}

export interface NumberLimits {
  minval?: number;
  maxval?: number;
  above?: number;
  below?: number;
}

export interface FloatOption extends OptionBase, NumberLimits {
  type: 'float';
  default?: number;
}
export interface IntOption extends OptionBase, NumberLimits {
  type: 'int';
  default?: number;
}
export interface BooleanOption extends OptionBase {
  type: 'boolean';
  default?: boolean;
}
export interface StringOption extends OptionBase {
  type: 'string';
  default?: string;
}
export interface ChoiceOption extends OptionBase {
  type: 'choice';
  choices: readonly string[];
  default?: string;
}
export interface PinOption extends OptionBase {
  type: 'pin';
  /** '!' allowed (active-low). */
  canInvert?: boolean;
  /** '^' (pull-up) and '~' (pull-down) allowed. */
  canPullup?: boolean;
  default?: string;
}
export interface FloatListOption extends OptionBase, NumberLimits {
  type: 'floatList';
  /** Exact number of items, when fixed. */
  count?: number;
  default?: readonly number[];
}
export interface StringListOption extends OptionBase {
  type: 'stringList';
  default?: readonly string[];
}

export type OptionSpec =
  FloatOption | IntOption | BooleanOption | StringOption | ChoiceOption | PinOption | FloatListOption | StringListOption;

export type OptionTable = Record<string, OptionSpec>;

/** A parsed pin: `^!PA1` -> { pin: 'PA1', invert: true, pullup: 1, chip: 'mcu' }. */
export interface PinDesc {
  chip: string;
  pin: string;
  invert: boolean;
  /** 1 pull-up, -1 pull-down, 0 none. */
  pullup: 0 | 1 | -1;
  /** As written, for messages. */
  text: string;
}

type ValueOfSpec<S> = S extends FloatOption | IntOption
  ? number
  : S extends BooleanOption
    ? boolean
    : S extends PinOption
      ? PinDesc
      : S extends FloatListOption
        ? number[]
        : S extends StringListOption
          ? string[]
          : string;

type HasDefault<S> = S extends { default: unknown } ? true : false;

/** The object `ConfigSection.read(table)` returns: one typed value per option. */
export type OptionValues<T extends OptionTable> = {
  -readonly [K in keyof T]: HasDefault<T[K]> extends true
    ? ValueOfSpec<T[K]>
    : T[K] extends { optional: true }
      ? ValueOfSpec<T[K]> | undefined
      : ValueOfSpec<T[K]>;
};

/** Declares an option table keeping literal types (so read() knows which values may be undefined). */
export function defineOptions<const T extends OptionTable>(table: T): T {
  return table;
}

/** One option as the editor's catalog shows it. */
export interface CatalogOption {
  name: string;
  type: OptionSpec['type'];
  default?: unknown;
  required: boolean;
  limits?: NumberLimits;
  choices?: readonly string[];
  doc: string;
}

export function catalogOptions(table: OptionTable): CatalogOption[] {
  return Object.entries(table).map(([name, spec]) => {
    const limits: NumberLimits = {};
    if ('minval' in spec && spec.minval !== undefined) limits.minval = spec.minval;
    if ('maxval' in spec && spec.maxval !== undefined) limits.maxval = spec.maxval;
    if ('above' in spec && spec.above !== undefined) limits.above = spec.above;
    if ('below' in spec && spec.below !== undefined) limits.below = spec.below;
    const entry: CatalogOption = {
      name,
      type: spec.type,
      required: spec.default === undefined && !spec.optional,
      doc: spec.doc,
    };
    if (spec.default !== undefined) entry.default = spec.default;
    if (Object.keys(limits).length) entry.limits = limits;
    if (spec.type === 'choice') entry.choices = spec.choices;
    return entry;
  });
}
