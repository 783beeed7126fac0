// Splits a Klipper macro template into text, `{ expression }`, `{% statement %}` and `{# comment #}`
// parts, and tokenizes the code inside them. Klipper's macros use Jinja2 syntax with single braces
// for expressions; we implement that language ourselves so templates never reach JavaScript.

export class TemplateError extends Error {
  override name = 'TemplateError';
}

export type TokenType = 'name' | 'number' | 'string' | 'op' | 'end';

export interface Token {
  type: TokenType;
  value: string;
  /** For numbers: the parsed value; for strings: the unescaped text. */
  literal?: number | string;
  /** Whether a number was written as an integer (Python int) rather than a float. */
  isInt?: boolean;
  pos: number;
}

export type Chunk =
  | { kind: 'text'; text: string }
  | { kind: 'expr'; tokens: Token[]; pos: number }
  | { kind: 'stmt'; tokens: Token[]; pos: number };

const OPERATORS = ['**', '//', '==', '!=', '<=', '>=', '+', '-', '*', '/', '%', '<', '>', '(', ')', '[', ']', '{', '}', ',', '.', ':', '|', '~', '='];

/** Tokenizes code starting at `start`; stops at `endMarker` when brace depth is zero. */
function tokenize(src: string, start: number, endMarker: string): { tokens: Token[]; next: number } {
  const tokens: Token[] = [];
  let i = start;
  let depth = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (depth === 0) {
      const trimmed = src[i] === '-' && src.startsWith(endMarker, i + 1);
      if (src.startsWith(endMarker, i) || trimmed) {
        tokens.push({ type: 'end', value: trimmed ? '-' : '', pos: i });
        return { tokens, next: i + endMarker.length + (trimmed ? 1 : 0) };
      }
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 256))!;
      tokens.push({ type: 'name', value: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/.exec(src.slice(i, i + 64))!;
      const text = m[0];
      tokens.push({ type: 'number', value: text, literal: Number(text), isInt: /^\d+$/.test(text), pos: i });
      i += text.length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let out = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) {
          const e = src[j + 1];
          out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
          j += 2;
        } else out += src[j++];
      }
      if (j >= src.length) throw new TemplateError(`unterminated string at position ${i}`);
      tokens.push({ type: 'string', value: src.slice(i, j + 1), literal: out, pos: i });
      i = j + 1;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw new TemplateError(`unexpected character '${c}' at position ${i}`);
    if (op === '{' || op === '(' || op === '[') depth++;
    if (op === '}' || op === ')' || op === ']') depth--;
    tokens.push({ type: 'op', value: op, pos: i });
    i += op.length;
  }
  throw new TemplateError(`missing '${endMarker}' for the block opened near position ${start}`);
}

/** Splits a template into chunks, applying Jinja's `-` whitespace trimming markers. */
export function lex(src: string): Chunk[] {
  const chunks: Chunk[] = [];
  let i = 0;
  let text = '';
  let trimNextText = false;
  const pushText = (t: string, trimRight: boolean): void => {
    let s = t;
    if (trimNextText) s = s.replace(/^\s+/, '');
    if (trimRight) s = s.replace(/\s+$/, '');
    trimNextText = false;
    if (s) chunks.push({ kind: 'text', text: s });
  };
  while (i < src.length) {
    const open = src.indexOf('{', i);
    if (open < 0) {
      text += src.slice(i);
      break;
    }
    text += src.slice(i, open);
    const kind = src[open + 1];
    if (kind === '#') {
      const close = src.indexOf('#}', open + 2);
      if (close < 0) throw new TemplateError(`missing '#}' for the comment at position ${open}`);
      const trimLeft = src[open + 2] === '-';
      pushText(text, trimLeft);
      text = '';
      trimNextText = src[close - 1] === '-';
      i = close + 2;
      continue;
    }
    const isStmt = kind === '%';
    let codeStart = open + (isStmt ? 2 : 1);
    const trimLeft = src[codeStart] === '-';
    if (trimLeft) codeStart++;
    const { tokens, next } = tokenize(src, codeStart, isStmt ? '%}' : '}');
    pushText(text, trimLeft);
    text = '';
    const end = tokens[tokens.length - 1];
    trimNextText = end.value === '-';
    chunks.push({ kind: isStmt ? 'stmt' : 'expr', tokens, pos: open });
    i = next;
  }
  pushText(text, false);
  return chunks;
}

/** Tokenizes a standalone expression (used for `variable_*` values in a config). */
export function tokenizeExpression(src: string): Token[] {
  return tokenize(src + '\u0000', 0, '\u0000').tokens;
}
