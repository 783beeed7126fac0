// The values a template works with, and their Python-like behaviour (truthiness, str(), repr(),
// comparison). Only plain data, our own lazy status views and our own builtins ever reach a
// template: no JavaScript object, prototype or function is reachable from template code.
import { PyFloat } from './parser';
import { TemplateError } from './lexer';

export { PyFloat };

/** A name or attribute that does not exist; renders as '' and works with |default. */
export class Undefined {
  constructor(readonly what: string) {}
}

/** A dictionary whose entries are computed on demand (the `printer` object tree). */
export class LazyDict {
  constructor(
    private readonly getter: (key: string) => unknown,
    private readonly keyLister: () => string[],
  ) {}
  get(key: string): unknown {
    return this.getter(key);
  }
  keys(): string[] {
    return this.keyLister();
  }
}

/** A function that templates may call: only ones we define. */
export class Builtin {
  constructor(
    readonly name: string,
    readonly fn: (args: unknown[], kwargs: Record<string, unknown>) => unknown,
  ) {}
}

/** A method bound to a value (`"abc".upper`). */
export class BoundMethod {
  constructor(
    readonly name: string,
    readonly fn: (args: unknown[], kwargs: Record<string, unknown>) => unknown,
  ) {}
}

export type Dict = Map<unknown, unknown>;

export function isDict(v: unknown): v is Dict {
  return v instanceof Map;
}

export function isNumber(v: unknown): v is number | PyFloat {
  return typeof v === 'number' || v instanceof PyFloat;
}

export function numValue(v: unknown, what = 'value'): number {
  if (typeof v === 'number') return v;
  if (v instanceof PyFloat) return v.v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Undefined) throw new TemplateError(`'${v.what}' is undefined`);
  throw new TemplateError(`${what} ${repr(v)} is not a number`);
}

export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v instanceof Undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (v instanceof PyFloat) return v.v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isDict(v)) return v.size > 0;
  if (v instanceof LazyDict) return v.keys().length > 0;
  return true;
}

function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return x.toFixed(1);
  // JS and Python both print the shortest round-tripping digits; only exponents differ.
  return String(x).replace(/e([+-])(\d)$/, 'e$10$2').replace('e+', 'e+');
}

/** Python's str(). */
export function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Undefined) return '';
  return repr(v);
}

/** Python's repr(). */
export function repr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v instanceof Undefined) return '';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : floatRepr(v);
  if (v instanceof PyFloat) return floatRepr(v.v);
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  if (Array.isArray(v)) return `[${v.map(repr).join(', ')}]`;
  if (isDict(v)) return `{${[...v].map(([k, x]) => `${repr(k)}: ${repr(x)}`).join(', ')}}`;
  if (v instanceof LazyDict) return `{${v.keys().map((k) => `${repr(k)}: ${repr(v.get(k))}`).join(', ')}}`;
  if (v instanceof Builtin || v instanceof BoundMethod) return `<built-in function ${v.name}>`;
  return '<object>';
}

export function equals(a: unknown, b: unknown): boolean {
  if (isNumber(a) || typeof a === 'boolean') {
    if (isNumber(b) || typeof b === 'boolean') return numValue(a) === numValue(b);
    return false;
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equals(x, b[i]));
  if (isDict(a) && isDict(b)) return a.size === b.size && [...a].every(([k, x]) => b.has(k) && equals(x, b.get(k)));
  if (a instanceof Undefined && b instanceof Undefined) return true;
  return a === b;
}

export function compare(a: unknown, b: unknown, op: string): boolean {
  if (op === '==') return equals(a, b);
  if (op === '!=') return !equals(a, b);
  let x: number | string;
  let y: number | string;
  if (typeof a === 'string' && typeof b === 'string') [x, y] = [a, b];
  else [x, y] = [numValue(a, 'left operand'), numValue(b, 'right operand')];
  switch (op) {
    case '<':
      return x < y;
    case '>':
      return x > y;
    case '<=':
      return x <= y;
    default:
      return x >= y;
  }
}

/** Converts host status data (plain JSON-like values) into template values. */
export function fromHost(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isInteger(v) ? v : new PyFloat(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof PyFloat || v instanceof LazyDict || v instanceof Map) return v;
  if (Array.isArray(v)) return v.map(fromHost);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, fromHost);
  if (typeof v === 'object') {
    const m: Dict = new Map();
    for (const k of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[k];
      if (typeof x !== 'function') m.set(k, fromHost(x));
    }
    return m;
  }
  return null; // functions, symbols, bigints never enter a template
}

/** Converts a template value back to plain data (for macro variables exposed as status). */
export function toHost(v: unknown): unknown {
  if (v instanceof PyFloat) return v.v;
  if (v instanceof Undefined) return null;
  if (Array.isArray(v)) return v.map(toHost);
  if (isDict(v)) return Object.fromEntries([...v].map(([k, x]) => [str(k), toHost(x)]));
  if (v instanceof LazyDict || v instanceof Builtin || v instanceof BoundMethod) return null;
  return v;
}
