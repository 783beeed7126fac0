// Parses lexed template chunks into a small tree of statements and expressions (a Jinja2 subset:
// the constructs Klipper macros use). Nothing here is ever turned into JavaScript source.
import { type Chunk, type Token, TemplateError, lex } from './lexer';

export type Expr =
  | { t: 'lit'; v: unknown }
  | { t: 'name'; n: string }
  | { t: 'attr'; o: Expr; n: string }
  | { t: 'item'; o: Expr; k: Expr }
  | { t: 'slice'; o: Expr; start: Expr | null; stop: Expr | null; step: Expr | null }
  | { t: 'call'; f: Expr; args: Expr[]; kwargs: [string, Expr][] }
  | { t: 'filter'; e: Expr; name: string; args: Expr[]; kwargs: [string, Expr][] }
  | { t: 'test'; e: Expr; name: string; negate: boolean; args: Expr[] }
  | { t: 'bin'; op: string; l: Expr; r: Expr }
  | { t: 'cmp'; first: Expr; rest: [string, Expr][] }
  | { t: 'unary'; op: string; e: Expr }
  | { t: 'cond'; test: Expr; then: Expr; else: Expr | null }
  | { t: 'list' | 'tuple'; items: Expr[] }
  | { t: 'dict'; pairs: [Expr, Expr][] };

export type Node =
  | { t: 'text'; s: string }
  | { t: 'out'; e: Expr }
  | { t: 'if'; branches: [Expr, Node[]][]; otherwise: Node[] }
  | { t: 'for'; targets: string[]; iter: Expr; filter: Expr | null; body: Node[]; otherwise: Node[] }
  | { t: 'set'; target: string; e: Expr };

/** A float literal keeps its Python type so `{1.0}` renders "1.0" as Klipper does. */
export class PyFloat {
  constructor(readonly v: number) {}
}

class TokenStream {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}
  peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
  }
  next(): Token {
    return this.tokens[this.i++] ?? this.tokens[this.tokens.length - 1];
  }
  isOp(v: string): boolean {
    const t = this.peek();
    return t.type === 'op' && t.value === v;
  }
  isName(v: string): boolean {
    const t = this.peek();
    return t.type === 'name' && t.value === v;
  }
  skipOp(v: string): boolean {
    if (!this.isOp(v)) return false;
    this.i++;
    return true;
  }
  skipName(v: string): boolean {
    if (!this.isName(v)) return false;
    this.i++;
    return true;
  }
  expectOp(v: string): void {
    if (!this.skipOp(v)) throw this.error(`expected '${v}'`);
  }
  expectName(): string {
    const t = this.next();
    if (t.type !== 'name') throw new TemplateError(`expected a name, found '${t.value || 'end'}'`);
    return t.value;
  }
  atEnd(): boolean {
    return this.peek().type === 'end';
  }
  error(msg: string): TemplateError {
    const t = this.peek();
    return new TemplateError(`${msg}, found '${t.type === 'end' ? 'end of block' : t.value}'`);
  }
}

const COMPARE_OPS = new Set(['==', '!=', '<', '>', '<=', '>=']);

function parseExpr(s: TokenStream, allowCond = true): Expr {
  const e = parseOr(s);
  if (allowCond && s.skipName('if')) {
    const test = parseOr(s);
    const other = s.skipName('else') ? parseExpr(s) : null;
    return { t: 'cond', test, then: e, else: other };
  }
  return e;
}

function parseOr(s: TokenStream): Expr {
  let l = parseAnd(s);
  while (s.skipName('or')) l = { t: 'bin', op: 'or', l, r: parseAnd(s) };
  return l;
}

function parseAnd(s: TokenStream): Expr {
  let l = parseNot(s);
  while (s.skipName('and')) l = { t: 'bin', op: 'and', l, r: parseNot(s) };
  return l;
}

function parseNot(s: TokenStream): Expr {
  if (s.skipName('not')) return { t: 'unary', op: 'not', e: parseNot(s) };
  return parseCompare(s);
}

function parseCompare(s: TokenStream): Expr {
  const first = parseConcat(s);
  const rest: [string, Expr][] = [];
  for (;;) {
    const t = s.peek();
    if (t.type === 'op' && COMPARE_OPS.has(t.value)) {
      s.next();
      rest.push([t.value, parseConcat(s)]);
    } else if (s.isName('in')) {
      s.next();
      rest.push(['in', parseConcat(s)]);
    } else if (s.isName('not') && s.peek(1).type === 'name' && s.peek(1).value === 'in') {
      s.next();
      s.next();
      rest.push(['not in', parseConcat(s)]);
    } else if (s.isName('is')) {
      s.next();
      const negate = s.skipName('not');
      const name = s.expectName();
      const args: Expr[] = [];
      if (s.skipOp('(')) {
        while (!s.skipOp(')')) {
          args.push(parseExpr(s));
          if (!s.isOp(')')) s.expectOp(',');
        }
      } else if (['number', 'string'].includes(s.peek().type) || (s.peek().type === 'name' && !['and', 'or', 'else', 'if'].includes(s.peek().value))) {
        args.push(parseConcat(s));
      }
      return rest.length ? { t: 'cmp', first, rest } : { t: 'test', e: first, name, negate, args };
    } else break;
  }
  return rest.length ? { t: 'cmp', first, rest } : first;
}

function parseConcat(s: TokenStream): Expr {
  let l = parseAdd(s);
  while (s.skipOp('~')) l = { t: 'bin', op: '~', l, r: parseAdd(s) };
  return l;
}

function parseAdd(s: TokenStream): Expr {
  let l = parseMul(s);
  for (;;) {
    if (s.isOp('+') || s.isOp('-')) {
      const op = s.next().value;
      l = { t: 'bin', op, l, r: parseMul(s) };
    } else return l;
  }
}

function parseMul(s: TokenStream): Expr {
  let l = parsePow(s);
  for (;;) {
    if (s.isOp('*') || s.isOp('/') || s.isOp('//') || s.isOp('%')) {
      const op = s.next().value;
      l = { t: 'bin', op, l, r: parsePow(s) };
    } else return l;
  }
}

function parsePow(s: TokenStream): Expr {
  const l = parseUnary(s);
  if (s.skipOp('**')) return { t: 'bin', op: '**', l, r: parseUnary(s) };
  return l;
}

// As in Jinja, `-3|abs` filters the negated value: filters apply after the unary operator.
function parseUnary(s: TokenStream, withFilter = true): Expr {
  let e: Expr;
  if (s.isOp('-') || s.isOp('+')) {
    const op = s.next().value;
    e = { t: 'unary', op, e: parseUnary(s, false) };
  } else e = parsePostfix(s, parsePrimary(s));
  return withFilter ? parseFilters(s, e) : e;
}

function parseArgs(s: TokenStream): { args: Expr[]; kwargs: [string, Expr][] } {
  const args: Expr[] = [];
  const kwargs: [string, Expr][] = [];
  while (!s.skipOp(')')) {
    if (s.peek().type === 'name' && s.peek(1).type === 'op' && s.peek(1).value === '=') {
      const k = s.expectName();
      s.expectOp('=');
      kwargs.push([k, parseExpr(s)]);
    } else args.push(parseExpr(s));
    if (!s.isOp(')')) s.expectOp(',');
  }
  return { args, kwargs };
}

function parsePostfix(s: TokenStream, base: Expr): Expr {
  let e = base;
  for (;;) {
    if (s.skipOp('.')) {
      const t = s.next();
      if (t.type !== 'name' && t.type !== 'number') throw new TemplateError(`expected an attribute name after '.'`);
      e = t.type === 'number' ? { t: 'item', o: e, k: { t: 'lit', v: t.literal } } : { t: 'attr', o: e, n: t.value };
    } else if (s.skipOp('[')) {
      let start: Expr | null = null;
      if (!s.isOp(':')) start = parseExpr(s);
      if (s.skipOp(':')) {
        const stop = s.isOp(']') || s.isOp(':') ? null : parseExpr(s);
        const step = s.skipOp(':') && !s.isOp(']') ? parseExpr(s) : null;
        s.expectOp(']');
        e = { t: 'slice', o: e, start, stop, step };
      } else {
        s.expectOp(']');
        e = { t: 'item', o: e, k: start! };
      }
    } else if (s.skipOp('(')) {
      const { args, kwargs } = parseArgs(s);
      e = { t: 'call', f: e, args, kwargs };
    } else return e;
  }
}

function parseFilters(s: TokenStream, base: Expr): Expr {
  let e = base;
  while (s.skipOp('|')) {
    const name = s.expectName();
    let args: Expr[] = [];
    let kwargs: [string, Expr][] = [];
    if (s.skipOp('(')) ({ args, kwargs } = parseArgs(s));
    e = parsePostfix(s, { t: 'filter', e, name, args, kwargs });
  }
  return e;
}

function parsePrimary(s: TokenStream): Expr {
  const t = s.next();
  if (t.type === 'number') return { t: 'lit', v: t.isInt ? t.literal : new PyFloat(t.literal as number) };
  if (t.type === 'string') {
    // Adjacent string literals concatenate, as in Python and Jinja.
    let text = t.literal as string;
    while (s.peek().type === 'string') text += s.next().literal as string;
    return { t: 'lit', v: text };
  }
  if (t.type === 'name') {
    switch (t.value) {
      case 'true':
      case 'True':
        return { t: 'lit', v: true };
      case 'false':
      case 'False':
        return { t: 'lit', v: false };
      case 'none':
      case 'None':
        return { t: 'lit', v: null };
      default:
        return { t: 'name', n: t.value };
    }
  }
  if (t.type === 'op') {
    if (t.value === '(') {
      if (s.skipOp(')')) return { t: 'tuple', items: [] };
      const first = parseExpr(s);
      if (s.skipOp(')')) return first;
      const items = [first];
      while (s.skipOp(',')) {
        if (s.isOp(')')) break;
        items.push(parseExpr(s));
      }
      s.expectOp(')');
      return { t: 'tuple', items };
    }
    if (t.value === '[') {
      const items: Expr[] = [];
      while (!s.skipOp(']')) {
        items.push(parseExpr(s));
        if (!s.isOp(']')) s.expectOp(',');
      }
      return { t: 'list', items };
    }
    if (t.value === '{') {
      const pairs: [Expr, Expr][] = [];
      while (!s.skipOp('}')) {
        const k = parseExpr(s);
        s.expectOp(':');
        pairs.push([k, parseExpr(s)]);
        if (!s.isOp('}')) s.expectOp(',');
      }
      return { t: 'dict', pairs };
    }
  }
  throw new TemplateError(`unexpected '${t.type === 'end' ? 'end of expression' : t.value}'`);
}

/** Parses a whole expression that must consume all tokens. */
export function parseExpression(tokens: Token[]): Expr {
  const s = new TokenStream(tokens);
  const e = parseExpr(s);
  // A bare tuple `a, b` at the top level (as in `"%s %s" % a, b` is not allowed; Python needs parens).
  if (!s.atEnd()) throw s.error('unexpected trailing input');
  return e;
}

class ChunkParser {
  private i = 0;
  constructor(private readonly chunks: Chunk[]) {}

  /** Parses nodes until one of the `stops` statement keywords (returned, not consumed). */
  parseBody(stops: string[]): { nodes: Node[]; stop: string | null } {
    const nodes: Node[] = [];
    while (this.i < this.chunks.length) {
      const c = this.chunks[this.i];
      if (c.kind === 'text') {
        nodes.push({ t: 'text', s: c.text });
        this.i++;
      } else if (c.kind === 'expr') {
        nodes.push({ t: 'out', e: parseExpression(c.tokens) });
        this.i++;
      } else {
        const kw = c.tokens[0].type === 'name' ? c.tokens[0].value : '';
        if (stops.includes(kw)) return { nodes, stop: kw };
        this.i++;
        nodes.push(this.parseStatement(kw, new TokenStream(c.tokens)));
      }
    }
    if (stops.length) throw new TemplateError(`missing {% ${stops[stops.length - 1]} %}`);
    return { nodes, stop: null };
  }

  private currentStream(): TokenStream {
    const c = this.chunks[this.i];
    this.i++;
    return new TokenStream(c.kind === 'text' ? [] : c.tokens);
  }

  private parseStatement(kw: string, s: TokenStream): Node {
    s.next(); // the keyword
    switch (kw) {
      case 'if': {
        const branches: [Expr, Node[]][] = [];
        let cond = parseExpr(s);
        if (!s.atEnd()) throw s.error('unexpected input after if condition');
        let otherwise: Node[] = [];
        for (;;) {
          const { nodes, stop } = this.parseBody(['elif', 'else', 'endif']);
          branches.push([cond, nodes]);
          const st = this.currentStream();
          st.next();
          if (stop === 'elif') {
            cond = parseExpr(st);
            continue;
          }
          if (stop === 'else') {
            otherwise = this.parseBody(['endif']).nodes;
            this.i++;
          }
          break;
        }
        return { t: 'if', branches, otherwise };
      }
      case 'for': {
        const targets = [s.expectName()];
        while (s.skipOp(',')) targets.push(s.expectName());
        if (!s.skipName('in')) throw s.error("expected 'in'");
        const iter = parseExpr(s, false);
        const filter = s.skipName('if') ? parseExpr(s, false) : null;
        if (!s.atEnd()) throw s.error('unexpected input in for');
        const { nodes: body, stop } = this.parseBody(['else', 'endfor']);
        this.i++;
        let otherwise: Node[] = [];
        if (stop === 'else') {
          otherwise = this.parseBody(['endfor']).nodes;
          this.i++;
        }
        return { t: 'for', targets, iter, filter, body, otherwise };
      }
      case 'set': {
        const target = s.expectName();
        s.expectOp('=');
        const e = parseExpr(s);
        if (!s.atEnd()) throw s.error('unexpected input after set');
        return { t: 'set', target, e };
      }
      default:
        throw new TemplateError(`unknown statement '{% ${kw} %}'`);
    }
  }
}

export function parseTemplate(src: string): Node[] {
  return new ChunkParser(lex(src)).parseBody([]).nodes;
}
