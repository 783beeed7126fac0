// Evaluates a parsed template. A tree-walking interpreter over our own value types: templates
// from a downloaded printer.cfg are untrusted, and this design gives them no path to JavaScript,
// Node or the filesystem (attribute access only reaches plain data and our own builtins).
import { TemplateError, tokenizeExpression } from './lexer';
import { type Expr, type Node, parseExpression, parseTemplate } from './parser';
import { percentFormat } from './format';
import {
  BoundMethod,
  Builtin,
  type Dict,
  LazyDict,
  PyFloat,
  Undefined,
  compare,
  equals,
  fromHost,
  isDict,
  isNumber,
  numValue,
  repr,
  str,
  truthy,
} from './values';

type Scope = Map<string, unknown>;
type Callable = (args: unknown[], kwargs: Record<string, unknown>) => unknown;

const MAX_LOOP_ITERATIONS = 1_000_000;
const MAX_OUTPUT_CHARS = 10_000_000;

function isFloat(v: unknown): boolean {
  return v instanceof PyFloat;
}

function makeNumber(x: number, float: boolean): number | PyFloat {
  return float ? new PyFloat(x) : x;
}

function iterate(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isDict(v)) return [...v.keys()];
  if (v instanceof LazyDict) return v.keys();
  if (v instanceof Undefined) throw new TemplateError(`'${v.what}' is undefined`);
  throw new TemplateError(`${repr(v)} is not iterable`);
}

function length(v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (isDict(v)) return v.size;
  if (v instanceof LazyDict) return v.keys().length;
  throw new TemplateError(`object ${repr(v)} has no length`);
}

function toInt(v: unknown, fallback: unknown = 0): unknown {
  if (typeof v === 'number') return Math.trunc(v);
  if (v instanceof PyFloat) return Math.trunc(v.v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim();
    if (/^[+-]?\d+$/.test(t)) return Number(t);
    const f = Number(t);
    if (t && Number.isFinite(f)) return Math.trunc(f);
  }
  return fallback;
}

function toFloat(v: unknown, fallback: unknown = new PyFloat(0)): unknown {
  if (isNumber(v)) return new PyFloat(numValue(v));
  if (typeof v === 'boolean') return new PyFloat(v ? 1 : 0);
  if (typeof v === 'string' && v.trim() !== '') {
    const f = Number(v.trim());
    if (Number.isFinite(f)) return new PyFloat(f);
  }
  return fallback;
}

/** Rounds half to even-free "common" rounding as Jinja's round filter does. */
function roundTo(x: number, precision: number, method: string): number {
  const m = 10 ** precision;
  if (method === 'ceil') return Math.ceil(x * m) / m;
  if (method === 'floor') return Math.floor(x * m) / m;
  return Math.sign(x) * Math.round(Math.abs(x) * m) / m;
}

const FILTERS: Record<string, (v: unknown, args: unknown[], kw: Record<string, unknown>) => unknown> = {
  int: (v, a) => toInt(v, a[0] ?? 0),
  float: (v, a) => toFloat(v, a[0] ?? new PyFloat(0)),
  string: (v) => str(v),
  abs: (v) => makeNumber(Math.abs(numValue(v)), isFloat(v)),
  round: (v, a, kw) => new PyFloat(roundTo(numValue(v), numValue(a[0] ?? kw.precision ?? 0), str(a[1] ?? kw.method ?? 'common'))),
  default: (v, a, kw) => (v instanceof Undefined || ((a[1] ?? kw.boolean) && !truthy(v)) ? (a[0] ?? kw.default_value ?? '') : v),
  lower: (v) => str(v).toLowerCase(),
  upper: (v) => str(v).toUpperCase(),
  capitalize: (v) => {
    const s = str(v);
    return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
  },
  title: (v) => str(v).replace(/\w\S*/g, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()),
  trim: (v) => str(v).trim(),
  length: (v) => length(v),
  count: (v) => length(v),
  join: (v, a, kw) => iterate(v).map(str).join(str(a[0] ?? kw.d ?? '')),
  list: (v) => [...iterate(v)],
  first: (v) => iterate(v)[0] ?? new Undefined('first'),
  last: (v) => {
    const it = iterate(v);
    return it.length ? it[it.length - 1] : new Undefined('last');
  },
  reverse: (v) => (typeof v === 'string' ? [...v].reverse().join('') : [...iterate(v)].reverse()),
  sort: (v, a, kw) => {
    const items = [...iterate(v)].sort((x, y) => (compare(x, y, '<') ? -1 : compare(x, y, '>') ? 1 : 0));
    return truthy(a[0] ?? kw.reverse) ? items.reverse() : items;
  },
  min: (v) => iterate(v).reduce((m, x) => (compare(x, m, '<') ? x : m)),
  max: (v) => iterate(v).reduce((m, x) => (compare(x, m, '>') ? x : m)),
  sum: (v, a, kw) => {
    const items = iterate(v);
    const start = a[0] ?? kw.start ?? 0;
    const float = items.some(isFloat) || isFloat(start);
    return makeNumber(items.reduce((s: number, x) => s + numValue(x), numValue(start)), float);
  },
  replace: (v, a) => str(v).split(str(a[0])).join(str(a[1])),
  unique: (v) => iterate(v).filter((x, i, arr) => arr.findIndex((y) => equals(x, y)) === i),
  format: (v, a) => percentFormat(str(v), a.length === 1 ? a[0] : a),
  tojson: (v) => JSON.stringify(toJson(v)),
  bool: (v) => truthy(v),
};
FILTERS.d = FILTERS.default;

function toJson(v: unknown): unknown {
  if (v instanceof PyFloat) return v.v;
  if (v instanceof Undefined) return null;
  if (Array.isArray(v)) return v.map(toJson);
  if (isDict(v)) return Object.fromEntries([...v].map(([k, x]) => [str(k), toJson(x)]));
  if (v instanceof LazyDict) return Object.fromEntries(v.keys().map((k) => [k, toJson(v.get(k))]));
  if (v instanceof Builtin || v instanceof BoundMethod) return null;
  return v;
}

const TESTS: Record<string, (v: unknown, args: unknown[]) => boolean> = {
  defined: (v) => !(v instanceof Undefined),
  undefined: (v) => v instanceof Undefined,
  none: (v) => v === null,
  number: (v) => isNumber(v),
  integer: (v) => typeof v === 'number',
  float: (v) => v instanceof PyFloat,
  string: (v) => typeof v === 'string',
  mapping: (v) => isDict(v) || v instanceof LazyDict,
  sequence: (v) => Array.isArray(v) || typeof v === 'string',
  iterable: (v) => Array.isArray(v) || typeof v === 'string' || isDict(v),
  even: (v) => numValue(v) % 2 === 0,
  odd: (v) => Math.abs(numValue(v) % 2) === 1,
  divisibleby: (v, a) => numValue(v) % numValue(a[0]) === 0,
  eq: (v, a) => equals(v, a[0]),
  ne: (v, a) => !equals(v, a[0]),
  in: (v, a) => contains(a[0], v),
  true: (v) => v === true,
  false: (v) => v === false,
};

function contains(container: unknown, item: unknown): boolean {
  if (typeof container === 'string') return container.includes(str(item));
  if (Array.isArray(container)) return container.some((x) => equals(x, item));
  if (isDict(container)) return [...container.keys()].some((k) => equals(k, item));
  if (container instanceof LazyDict) return container.keys().includes(str(item));
  if (container instanceof Undefined) throw new TemplateError(`'${container.what}' is undefined`);
  throw new TemplateError(`argument of type ${repr(container)} is not iterable`);
}

function stringMethod(s: string, name: string): Callable | null {
  switch (name) {
    case 'lower':
      return () => s.toLowerCase();
    case 'upper':
      return () => s.toUpperCase();
    case 'strip':
      return (a) => (a[0] === undefined ? s.trim() : s.replace(new RegExp(`^[${escapeClass(str(a[0]))}]+|[${escapeClass(str(a[0]))}]+$`, 'g'), ''));
    case 'lstrip':
      return () => s.replace(/^\s+/, '');
    case 'rstrip':
      return () => s.replace(/\s+$/, '');
    case 'split':
      return (a) => {
        const sep = a[0] === undefined || a[0] === null ? null : str(a[0]);
        const max = a[1] === undefined ? -1 : numValue(a[1]);
        const parts = sep === null ? s.trim().split(/\s+/).filter(Boolean) : s.split(sep);
        if (max < 0 || parts.length <= max + 1) return parts;
        return [...parts.slice(0, max), parts.slice(max).join(sep ?? ' ')];
      };
    case 'startswith':
      return (a) => s.startsWith(str(a[0]));
    case 'endswith':
      return (a) => s.endsWith(str(a[0]));
    case 'replace':
      return (a) => s.split(str(a[0])).join(str(a[1]));
    case 'find':
      return (a) => s.indexOf(str(a[0]));
    case 'count':
      return (a) => s.split(str(a[0])).length - 1;
    case 'join':
      return (a) => iterate(a[0]).map(str).join(s);
    case 'isdigit':
      return () => /^\d+$/.test(s);
    case 'format':
      return (a) => {
        let i = 0;
        return s.replace(/\{(\d*)\}/g, (_m, idx: string) => str(a[idx === '' ? i++ : Number(idx)]));
      };
    default:
      return null;
  }
}

function escapeClass(chars: string): string {
  return chars.replace(/[\\\]^-]/g, '\\$&');
}

function dictMethod(d: Dict | LazyDict, name: string): Callable | null {
  const keys = (): unknown[] => (d instanceof LazyDict ? d.keys() : [...d.keys()]);
  const get = (k: unknown): unknown => (d instanceof LazyDict ? d.get(str(k)) : d.get(k));
  switch (name) {
    case 'keys':
      return () => keys();
    case 'values':
      return () => keys().map(get);
    case 'items':
      return () => keys().map((k) => [k, get(k)]);
    case 'get':
      return (a) => {
        const v = keys().some((k) => equals(k, a[0])) ? get(a[0]) : undefined;
        return v === undefined || v instanceof Undefined ? (a[1] ?? null) : v;
      };
    default:
      return null;
  }
}

function listMethod(l: unknown[], name: string): Callable | null {
  switch (name) {
    case 'append':
      return (a) => {
        if (l.length >= MAX_LOOP_ITERATIONS) throw new TemplateError('list too long');
        l.push(a[0]);
        return null;
      };
    case 'index':
      return (a) => {
        const i = l.findIndex((x) => equals(x, a[0]));
        if (i < 0) throw new TemplateError(`${repr(a[0])} is not in list`);
        return i;
      };
    case 'count':
      return (a) => l.filter((x) => equals(x, a[0])).length;
    default:
      return null;
  }
}

function getAttr(o: unknown, name: string, what: string): unknown {
  // Underscore names are how Python (and the known Jinja escapes) reach internals: never allowed.
  if (name.startsWith('_') || name === 'constructor' || name === 'prototype') {
    throw new TemplateError(`access to attribute '${name}' is not allowed`);
  }
  let method: Callable | null = null;
  if (typeof o === 'string') method = stringMethod(o, name);
  else if (isDict(o) || o instanceof LazyDict) method = dictMethod(o, name);
  else if (Array.isArray(o)) method = listMethod(o, name);
  if (method) {
    // A dict key of the same name wins, as Jinja tries the item when the attribute is data.
    if (isDict(o) && o.has(name)) return o.get(name);
    if (o instanceof LazyDict && o.keys().includes(name)) return o.get(name);
    return new BoundMethod(name, method);
  }
  if (isDict(o)) return o.has(name) ? o.get(name) : new Undefined(`${what}.${name}`);
  if (o instanceof LazyDict) {
    const v = o.get(name);
    return v === undefined ? new Undefined(`${what}.${name}`) : v;
  }
  if (o instanceof Undefined) throw new TemplateError(`'${o.what}' is undefined`);
  if (o === null) throw new TemplateError(`'None' has no attribute '${name}'`);
  return new Undefined(`${what}.${name}`);
}

function getItem(o: unknown, k: unknown, what: string): unknown {
  if (Array.isArray(o) || typeof o === 'string') {
    let i = numValue(k, 'index');
    if (!Number.isInteger(i)) throw new TemplateError('list indices must be integers');
    if (i < 0) i += o.length;
    if (i < 0 || i >= o.length) return new Undefined(`${what}[${repr(k)}]`);
    return o[i];
  }
  if (isDict(o)) {
    for (const [key, v] of o) if (equals(key, k)) return v;
    return new Undefined(`${what}[${repr(k)}]`);
  }
  if (o instanceof LazyDict) {
    if (typeof k !== 'string') return new Undefined(`${what}[${repr(k)}]`);
    if (k.startsWith('_')) throw new TemplateError(`access to attribute '${k}' is not allowed`);
    const v = o.get(k);
    return v === undefined ? new Undefined(`${what}[${repr(k)}]`) : v;
  }
  if (o instanceof Undefined) throw new TemplateError(`'${o.what}' is undefined`);
  throw new TemplateError(`${repr(o)} is not subscriptable`);
}

function describe(e: Expr): string {
  switch (e.t) {
    case 'name':
      return e.n;
    case 'attr':
      return `${describe(e.o)}.${e.n}`;
    case 'item':
      return `${describe(e.o)}[...]`;
    default:
      return 'value';
  }
}

function arith(op: string, l: unknown, r: unknown): unknown {
  if (op === '+') {
    if (typeof l === 'string' && typeof r === 'string') return l + r;
    if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
  }
  if (op === '*') {
    if (typeof l === 'string' && typeof r === 'number') return l.repeat(Math.max(0, Math.min(r, MAX_OUTPUT_CHARS / Math.max(1, l.length))));
    if (Array.isArray(l) && typeof r === 'number') return Array.from({ length: Math.max(0, r) }, () => l).flat();
  }
  if (op === '%' && typeof l === 'string') return percentFormat(l, r);
  const x = numValue(l, 'left operand');
  const y = numValue(r, 'right operand');
  const float = isFloat(l) || isFloat(r);
  switch (op) {
    case '+':
      return makeNumber(x + y, float);
    case '-':
      return makeNumber(x - y, float);
    case '*':
      return makeNumber(x * y, float);
    case '/':
      if (y === 0) throw new TemplateError('division by zero');
      return new PyFloat(x / y);
    case '//':
      if (y === 0) throw new TemplateError('integer division by zero');
      return makeNumber(Math.floor(x / y), float);
    case '%':
      if (y === 0) throw new TemplateError('modulo by zero');
      return makeNumber(x - y * Math.floor(x / y), float);
    case '**':
      return makeNumber(x ** y, float || y < 0);
    default:
      throw new TemplateError(`unknown operator ${op}`);
  }
}

export interface RenderHooks {
  /** action_respond_info("...") */
  respondInfo?(msg: string): void;
  /** action_emergency_stop("...") */
  emergencyStop?(msg: string): void;
}

export const BUILTINS: Record<string, Builtin> = {
  range: new Builtin('range', (a) => {
    const [start, stop, step] = a.length === 1 ? [0, numValue(a[0]), 1] : [numValue(a[0]), numValue(a[1]), a[2] === undefined ? 1 : numValue(a[2])];
    if (step === 0) throw new TemplateError('range() arg 3 must not be zero');
    const out: number[] = [];
    for (let i = start; step > 0 ? i < stop : i > stop; i += step) {
      if (out.length >= MAX_LOOP_ITERATIONS) throw new TemplateError('range too large');
      out.push(i);
    }
    return out;
  }),
  dict: new Builtin('dict', (_a, kw) => new Map(Object.entries(kw))),
};

class Renderer {
  private out = '';
  private iterations = 0;

  constructor(
    private readonly globals: Scope,
    private readonly hooks: RenderHooks,
  ) {}

  private lookup(scopes: Scope[], name: string): unknown {
    for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i].has(name)) return scopes[i].get(name);
    if (this.globals.has(name)) return this.globals.get(name);
    if (name in BUILTINS) return BUILTINS[name];
    // Actions render as nothing: `{action_respond_info("x")}` must leave no text in the G-code.
    if (name === 'action_respond_info') {
      return new Builtin(name, (a) => {
        this.hooks.respondInfo?.(str(a[0]));
        return '';
      });
    }
    if (name === 'action_raise_error') {
      return new Builtin(name, (a) => {
        throw new TemplateError(str(a[0]));
      });
    }
    if (name === 'action_emergency_stop') {
      return new Builtin(name, (a) => {
        this.hooks.emergencyStop?.(str(a[0] ?? 'action_emergency_stop'));
        return '';
      });
    }
    if (name === 'action_call_remote_method') {
      return new Builtin(name, () => {
        throw new TemplateError('action_call_remote_method is not supported by Tether yet');
      });
    }
    return new Undefined(name);
  }

  eval(e: Expr, scopes: Scope[]): unknown {
    switch (e.t) {
      case 'lit':
        return e.v;
      case 'name':
        return this.lookup(scopes, e.n);
      case 'attr':
        return getAttr(this.eval(e.o, scopes), e.n, describe(e.o));
      case 'item':
        return getItem(this.eval(e.o, scopes), this.eval(e.k, scopes), describe(e.o));
      case 'slice': {
        const o = this.eval(e.o, scopes);
        if (typeof o !== 'string' && !Array.isArray(o)) throw new TemplateError(`${repr(o)} cannot be sliced`);
        const n = o.length;
        const step = e.step ? numValue(this.eval(e.step, scopes)) : 1;
        if (step === 0) throw new TemplateError('slice step cannot be zero');
        const norm = (v: number): number => (v < 0 ? Math.max(v + n, step < 0 ? -1 : 0) : Math.min(v, step < 0 ? n - 1 : n));
        const start = e.start ? norm(numValue(this.eval(e.start, scopes))) : step > 0 ? 0 : n - 1;
        const stop = e.stop ? norm(numValue(this.eval(e.stop, scopes))) : step > 0 ? n : -1;
        const items: unknown[] = [];
        for (let i = start; step > 0 ? i < stop : i > stop; i += step) items.push(o[i]);
        return typeof o === 'string' ? items.join('') : items;
      }
      case 'call': {
        const f = this.eval(e.f, scopes);
        const args = e.args.map((a) => this.eval(a, scopes));
        const kwargs = Object.fromEntries(e.kwargs.map(([k, v]) => [k, this.eval(v, scopes)]));
        if (f instanceof Builtin || f instanceof BoundMethod) return f.fn(args, kwargs);
        if (f instanceof Undefined) throw new TemplateError(`'${f.what}' is undefined`);
        throw new TemplateError(`${describe(e.f)} is not callable`);
      }
      case 'filter': {
        const fn = FILTERS[e.name];
        if (!fn) throw new TemplateError(`no filter named '${e.name}'`);
        const args = e.args.map((a) => this.eval(a, scopes));
        const kwargs = Object.fromEntries(e.kwargs.map(([k, v]) => [k, this.eval(v, scopes)]));
        return fn(this.eval(e.e, scopes), args, kwargs);
      }
      case 'test': {
        const fn = TESTS[e.name];
        if (!fn) throw new TemplateError(`no test named '${e.name}'`);
        const r = fn(this.eval(e.e, scopes), e.args.map((a) => this.eval(a, scopes)));
        return e.negate ? !r : r;
      }
      case 'bin': {
        if (e.op === 'and') {
          const l = this.eval(e.l, scopes);
          return truthy(l) ? this.eval(e.r, scopes) : l;
        }
        if (e.op === 'or') {
          const l = this.eval(e.l, scopes);
          return truthy(l) ? l : this.eval(e.r, scopes);
        }
        const l = this.eval(e.l, scopes);
        const r = this.eval(e.r, scopes);
        if (e.op === '~') return str(l) + str(r);
        return arith(e.op, l, r);
      }
      case 'cmp': {
        let l = this.eval(e.first, scopes);
        for (const [op, re] of e.rest) {
          const r = this.eval(re, scopes);
          const ok = op === 'in' ? contains(r, l) : op === 'not in' ? !contains(r, l) : compare(l, r, op);
          if (!ok) return false;
          l = r;
        }
        return true;
      }
      case 'unary': {
        const v = this.eval(e.e, scopes);
        if (e.op === 'not') return !truthy(v);
        const x = numValue(v, 'operand');
        return makeNumber(e.op === '-' ? -x : x, isFloat(v));
      }
      case 'cond':
        return truthy(this.eval(e.test, scopes)) ? this.eval(e.then, scopes) : e.else ? this.eval(e.else, scopes) : new Undefined('if-expression');
      case 'list':
      case 'tuple':
        return e.items.map((x) => this.eval(x, scopes));
      case 'dict': {
        const m: Dict = new Map();
        for (const [k, v] of e.pairs) m.set(this.eval(k, scopes), this.eval(v, scopes));
        return m;
      }
    }
  }

  run(nodes: Node[], scopes: Scope[]): void {
    for (const n of nodes) {
      switch (n.t) {
        case 'text':
          this.write(n.s);
          break;
        case 'out':
          this.write(str(this.eval(n.e, scopes)));
          break;
        case 'set':
          scopes[scopes.length - 1].set(n.target, this.eval(n.e, scopes));
          break;
        case 'if': {
          const branch = n.branches.find(([c]) => truthy(this.eval(c, scopes)));
          this.run(branch ? branch[1] : n.otherwise, scopes);
          break;
        }
        case 'for': {
          let items = iterate(this.eval(n.iter, scopes));
          const inner: Scope = new Map();
          const frame = [...scopes, inner];
          if (n.filter) {
            items = items.filter((item) => {
              this.bindTargets(inner, n.targets, item);
              return truthy(this.eval(n.filter!, frame));
            });
          }
          if (items.length === 0) {
            this.run(n.otherwise, scopes);
            break;
          }
          items.forEach((item, i) => {
            if (++this.iterations > MAX_LOOP_ITERATIONS) throw new TemplateError('too many loop iterations');
            this.bindTargets(inner, n.targets, item);
            const loop: Dict = new Map<unknown, unknown>([
              ['index', i + 1],
              ['index0', i],
              ['revindex', items.length - i],
              ['revindex0', items.length - i - 1],
              ['first', i === 0],
              ['last', i === items.length - 1],
              ['length', items.length],
            ]);
            inner.set('loop', loop);
            this.run(n.body, frame);
          });
          break;
        }
      }
    }
  }

  private bindTargets(scope: Scope, targets: string[], item: unknown): void {
    if (targets.length === 1) {
      scope.set(targets[0], item);
      return;
    }
    const parts = iterate(item);
    if (parts.length !== targets.length) throw new TemplateError(`cannot unpack ${parts.length} values into ${targets.length} names`);
    targets.forEach((t, i) => scope.set(t, parts[i]));
  }

  private write(s: string): void {
    this.out += s;
    if (this.out.length > MAX_OUTPUT_CHARS) throw new TemplateError('template output too large');
  }

  result(): string {
    return this.out;
  }
}

/** A compiled template: parse once at config load, render many times. */
export class Template {
  private readonly nodes: Node[];

  constructor(
    readonly name: string,
    source: string,
  ) {
    try {
      this.nodes = parseTemplate(source);
    } catch (e) {
      throw new TemplateError(`Error loading template '${name}': ${(e as Error).message}`);
    }
  }

  /** Renders with the given context (plain host data is converted; LazyDicts stay lazy). */
  render(context: Record<string, unknown>, hooks: RenderHooks = {}): string {
    const globals: Scope = new Map(Object.entries(context).map(([k, v]) => [k, fromHost(v)]));
    const r = new Renderer(globals, hooks);
    try {
      r.run(this.nodes, [new Map()]);
    } catch (e) {
      if (e instanceof TemplateError) throw new TemplateError(`Error evaluating '${this.name}': ${e.message}`);
      throw e;
    }
    return r.result();
  }
}

/**
 * Parses a Python literal as Klipper's `variable_*` options allow (numbers, strings, lists,
 * dicts, True/False/None); anything else is an error naming the option.
 */
export function parseLiteral(text: string): unknown {
  const expr = parseExpression(tokenizeExpression(text));
  const check = (e: Expr): void => {
    if (e.t === 'list' || e.t === 'tuple') e.items.forEach(check);
    else if (e.t === 'dict') e.pairs.forEach(([k, v]) => (check(k), check(v)));
    else if (e.t === 'unary' && (e.op === '-' || e.op === '+')) check(e.e);
    else if (e.t !== 'lit') throw new TemplateError(`'${text}' is not a literal (a number, string, list, dict, True, False or None)`);
  };
  check(expr);
  return new Renderer(new Map(), {}).eval(expr, []);
}
