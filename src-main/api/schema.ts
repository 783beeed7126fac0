// Runtime schemas for everything that crosses a process or network boundary. Hand-written on
// purpose: a few dozen lines cover what the API needs, and each failure names the field path
// so a malformed message is logged with where it went wrong.

export interface Schema<T> {
  /** Short description for error messages ("string", "one of ready, error"). */
  readonly expected: string;
  /** Returns null when `value` matches, or the first problem found, naming `path`. */
  check(value: unknown, path: string): string | null;
  /** Phantom field carrying the static type; never set. */
  readonly _type?: T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export function parse<T>(schema: Schema<T>, value: unknown, path = 'value'): ParseResult<T> {
  const error = schema.check(value, path);
  return error === null ? { ok: true, value: value as T } : { ok: false, error };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function mismatch(path: string, expected: string, value: unknown): string {
  return `${path}: expected ${expected}, got ${describe(value)}`;
}

export interface StringRules {
  minLength?: number;
  maxLength?: number;
  pattern?: RegExp;
}

export function string(rules: StringRules = {}): Schema<string> {
  const { minLength = 0, maxLength = Infinity, pattern } = rules;
  return {
    expected: 'string',
    check(value, path) {
      if (typeof value !== 'string') return mismatch(path, 'string', value);
      if (value.length < minLength) return `${path}: must be at least ${minLength} characters`;
      if (value.length > maxLength) return `${path}: must be at most ${maxLength} characters`;
      if (pattern && !pattern.test(value)) return `${path}: must match ${pattern}`;
      return null;
    },
  };
}

export interface NumberRules {
  integer?: boolean;
  min?: number;
  max?: number;
}

export function number(rules: NumberRules = {}): Schema<number> {
  const { integer = false, min = -Infinity, max = Infinity } = rules;
  const expected = integer ? 'integer' : 'number';
  return {
    expected,
    check(value, path) {
      if (typeof value !== 'number' || !Number.isFinite(value)) return mismatch(path, `finite ${expected}`, value);
      if (integer && !Number.isInteger(value)) return `${path}: must be an integer`;
      if (value < min) return `${path}: must be >= ${min}`;
      if (value > max) return `${path}: must be <= ${max}`;
      return null;
    },
  };
}

export function boolean(): Schema<boolean> {
  return {
    expected: 'boolean',
    check: (value, path) => (typeof value === 'boolean' ? null : mismatch(path, 'boolean', value)),
  };
}

export function oneOf<const T extends readonly (string | number | boolean)[]>(values: T): Schema<T[number]> {
  const expected = `one of ${values.join(', ')}`;
  return {
    expected,
    check: (value, path) =>
      (values as readonly unknown[]).includes(value)
        ? null
        : `${path}: expected ${expected}, got ${JSON.stringify(value) ?? describe(value)}`,
  };
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return {
    expected: `${inner.expected} or null`,
    check(value, path) {
      if (value === null) return null;
      const err = inner.check(value, path);
      // A wrong type should say null was also fine; a rule broken by a value of the right type stays as is.
      return err?.startsWith(`${path}: expected `) ? mismatch(path, `${inner.expected} or null`, value) : err;
    },
  };
}

export function array<T>(item: Schema<T>, rules: { maxItems?: number } = {}): Schema<T[]> {
  const { maxItems = Infinity } = rules;
  return {
    expected: `array of ${item.expected}`,
    check(value, path) {
      if (!Array.isArray(value)) return mismatch(path, `array of ${item.expected}`, value);
      if (value.length > maxItems) return `${path}: at most ${maxItems} items allowed`;
      for (let i = 0; i < value.length; i++) {
        const err = item.check(value[i], `${path}[${i}]`);
        if (err) return err;
      }
      return null;
    },
  };
}

/** Marks an object field as optional (it may be absent; undefined is treated as absent). */
export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly optional: true;
}

export function optional<T>(inner: Schema<T>): OptionalSchema<T> {
  return {
    optional: true,
    expected: `${inner.expected} (optional)`,
    check: (value, path) => (value === undefined ? null : inner.check(value, path)),
  };
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type ObjectOf<S extends Shape> = Simplify<
  { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined> }
>;

/**
 * A plain object with exactly these fields. Unknown fields are rejected rather than ignored:
 * a sender with a typo learns at once, and nothing unexpected rides along to the host.
 */
export function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  const keys = Object.keys(shape);
  return {
    expected: 'object',
    check(value, path) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return mismatch(path, 'object', value);
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return `${path}: expected a plain object`;
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(shape, key)) return `${path}: unknown field '${key}'`;
      }
      for (const key of keys) {
        const field = shape[key];
        const fieldValue = (value as Record<string, unknown>)[key];
        if (fieldValue === undefined && !('optional' in field)) return `${path}.${key}: required ${field.expected} is missing`;
        const err = field.check(fieldValue, `${path}.${key}`);
        if (err) return err;
      }
      return null;
    },
  };
}

/** A record with string keys and values of one schema (e.g. command parameter help). */
export function record<T>(item: Schema<T>): Schema<Record<string, T>> {
  return {
    expected: `record of ${item.expected}`,
    check(value, path) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return mismatch(path, 'object', value);
      for (const [k, v] of Object.entries(value)) {
        const err = item.check(v, `${path}.${k}`);
        if (err) return err;
      }
      return null;
    },
  };
}
