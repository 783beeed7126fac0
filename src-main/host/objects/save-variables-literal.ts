// Python literals, as SAVE_VARIABLE's VALUE= and the [save_variables] file hold them: numbers,
// 'strings', True/False/None, [lists], (tuples) and {dicts}. parsePythonLiteral gives the value
// macros see (tuples as arrays, dicts as objects) and its repr, the text the file keeps, so a
// float stays 1.0 and an int 1 across restarts (JavaScript numbers cannot tell them apart).

export class LiteralError extends Error {
  override name = 'LiteralError';
}

export interface PythonLiteral {
  value: unknown;
  repr: string;
}

export function parsePythonLiteral(text: string): PythonLiteral {
  const p = new LiteralParser(text);
  const v = p.value();
  p.skipSpace();
  if (!p.atEnd()) throw p.fail('unexpected text after the value');
  return v;
}

/** Python's repr of a float: shortest digits, '1.0' for whole numbers, exponent below 1e-4 or from 1e16. */
export function pythonFloatRepr(x: number): string {
  if (!Number.isFinite(x)) throw new LiteralError(`${x} is not a Python literal`);
  const [mant, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const s = String(x);
  return Number.isInteger(x) ? `${s}.0` : s;
}

/** Python's repr of a str: single quotes unless the text has ' and no ". */
export function pythonStringRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += `\\${q}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}

class LiteralParser {
  private i = 0;
  constructor(private readonly s: string) {}

  atEnd(): boolean {
    return this.i >= this.s.length;
  }

  fail(why: string): LiteralError {
    return new LiteralError(`${why} at character ${this.i + 1}`);
  }

  skipSpace(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  value(): PythonLiteral {
    this.skipSpace();
    const c = this.s[this.i];
    if (c === undefined) throw this.fail('a value is missing');
    if (c === "'" || c === '"') return this.string();
    if (c === '[') return this.sequence('[', ']');
    if (c === '(') return this.sequence('(', ')');
    if (c === '{') return this.dict();
    const word = /^(True|False|None)\b/.exec(this.s.slice(this.i));
    if (word) {
      this.i += word[1]!.length;
      return { value: word[1] === 'None' ? null : word[1] === 'True', repr: word[1]! };
    }
    return this.number();
  }

  private number(): PythonLiteral {
    const m = /^([+-]?)\s*(0[xX][0-9a-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?)/.exec(this.s.slice(this.i));
    if (!m) throw this.fail(`'${this.s.slice(this.i, this.i + 10)}' is not a number, string, list, dict, True, False or None`);
    this.i += m[0].length;
    const sign = m[1] === '-' ? -1 : 1;
    const body = m[2]!.replace(/_/g, '');
    if (/^0[xX]/.test(body) || /^\d+$/.test(body)) {
      if (/^0\d/.test(body)) throw this.fail('leading zeros are not allowed in an integer');
      const v = sign * Number(body);
      return { value: v, repr: String(v) };
    }
    const v = sign * Number(body);
    return { value: v, repr: pythonFloatRepr(v) };
  }

  private string(): PythonLiteral {
    const q = this.s[this.i++]!;
    let out = '';
    for (;;) {
      const c = this.s[this.i++];
      if (c === undefined || c === '\n') throw this.fail('unterminated string');
      if (c === q) break;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.s[this.i++];
      const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
      if (e !== undefined && e in simple) out += simple[e];
      else if (e === 'x' && /^[0-9a-fA-F]{2}/.test(this.s.slice(this.i))) {
        out += String.fromCharCode(parseInt(this.s.slice(this.i, this.i + 2), 16));
        this.i += 2;
      } else out += `\\${e ?? ''}`;
    }
    // Adjacent strings join, as in Python ('a' 'b').
    this.skipSpace();
    if (this.s[this.i] === "'" || this.s[this.i] === '"') {
      const next = this.string();
      out += next.value as string;
    }
    return { value: out, repr: pythonStringRepr(out) };
  }

  private sequence(open: string, close: string): PythonLiteral {
    this.i++;
    const items: PythonLiteral[] = [];
    let trailingComma = false;
    for (;;) {
      this.skipSpace();
      if (this.s[this.i] === close) {
        this.i++;
        break;
      }
      items.push(this.value());
      this.skipSpace();
      trailingComma = false;
      if (this.s[this.i] === ',') {
        this.i++;
        trailingComma = true;
      } else if (this.s[this.i] !== close) throw this.fail(`expected ',' or '${close}'`);
    }
    const inner = items.map((v) => v.repr).join(', ');
    // (x) without a comma is just x in Python.
    if (open === '(' && items.length === 1 && !trailingComma) return items[0]!;
    const repr = open === '(' ? `(${inner}${items.length === 1 ? ',' : ''})` : `[${inner}]`;
    return { value: items.map((v) => v.value), repr };
  }

  private dict(): PythonLiteral {
    this.i++;
    const value: Record<string, unknown> = {};
    const reprs: string[] = [];
    for (;;) {
      this.skipSpace();
      if (this.s[this.i] === '}') {
        this.i++;
        break;
      }
      const key = this.value();
      if (typeof key.value !== 'string' && typeof key.value !== 'number') throw this.fail('dict keys must be strings or numbers');
      this.skipSpace();
      if (this.s[this.i++] !== ':') throw this.fail("expected ':' after a dict key");
      const v = this.value();
      value[String(key.value)] = v.value;
      reprs.push(`${key.repr}: ${v.repr}`);
      this.skipSpace();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') throw this.fail("expected ',' or '}'");
    }
    return { value, repr: `{${reprs.join(', ')}}` };
  }
}
