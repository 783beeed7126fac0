// Python's printf-style `"%.2f" % value` formatting, as macros use it in messages.
import { TemplateError } from './lexer';
import { isDict, numValue, repr, str } from './values';

function pad(s: string, width: number, flags: string): string {
  if (s.length >= width) return s;
  if (flags.includes('-')) return s.padEnd(width);
  if (flags.includes('0') && /^[+-]?[\d.]/.test(s)) {
    const sign = /^[+-]/.test(s) ? s[0] : '';
    return sign + s.slice(sign.length).padStart(width - sign.length, '0');
  }
  return s.padStart(width);
}

function signed(s: string, x: number, flags: string): string {
  if (x >= 0 && flags.includes('+')) return `+${s}`;
  if (x >= 0 && flags.includes(' ')) return ` ${s}`;
  return s;
}

/** Fixed-point text with Python's rounding: exact binary value, ties to even. */
export function pyToFixed(x: number, prec: number): string {
  const text = x.toFixed(prec);
  if (!Number.isFinite(x) || prec > 40) return text;
  const exact = Math.abs(x).toFixed(Math.min(100, prec + 60));
  const tail = exact.slice(exact.indexOf('.') + 1 + prec);
  if (!/^50*$/.test(tail)) return text;
  // A true tie: toFixed rounded away from zero; Python rounds to the even neighbour.
  const lastDigit = Number(text[text.length - 1]);
  if (lastDigit % 2 === 0) return text;
  const step = 10 ** -prec;
  return (Math.sign(x) * (Math.abs(Number(text)) - step)).toFixed(prec);
}

export function percentFormat(fmt: string, arg: unknown): string {
  const args = Array.isArray(arg) ? arg : [arg];
  const byName = isDict(arg) ? arg : null;
  let n = 0;
  const out = fmt.replace(/%(\(([^)]*)\))?([-+ 0#]*)(\d+|\*)?(?:\.(\d+))?([diouxXeEfFgGcrsa%])/g, (_m, _g, key, flags, widthText, precText, conv) => {
    if (conv === '%') return '%';
    const take = (): unknown => {
      if (byName && key !== undefined) return byName.get(key);
      if (n >= args.length) throw new TemplateError('not enough arguments for format string');
      return args[n++];
    };
    const width = widthText === '*' ? numValue(take()) : widthText ? Number(widthText) : 0;
    const prec = precText !== undefined ? Number(precText) : undefined;
    const v = take();
    let s: string;
    switch (conv) {
      case 'd':
      case 'i':
      case 'u': {
        const x = Math.trunc(numValue(v, 'format argument'));
        s = signed(String(x), x, flags);
        break;
      }
      case 'x':
      case 'X':
      case 'o': {
        const x = Math.trunc(numValue(v, 'format argument'));
        s = x.toString(conv === 'o' ? 8 : 16);
        if (conv === 'X') s = s.toUpperCase();
        break;
      }
      case 'f':
      case 'F': {
        const x = numValue(v, 'format argument');
        s = signed(pyToFixed(x, prec ?? 6), x, flags);
        break;
      }
      case 'e':
      case 'E': {
        const x = numValue(v, 'format argument');
        s = x.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
        if (conv === 'E') s = s.toUpperCase();
        s = signed(s, x, flags);
        break;
      }
      case 'g':
      case 'G': {
        const x = numValue(v, 'format argument');
        s = signed(String(Number(x.toPrecision(prec || 6))), x, flags);
        break;
      }
      case 'c':
        s = typeof v === 'string' ? v : String.fromCharCode(numValue(v));
        break;
      case 'r':
      case 'a':
        s = repr(v);
        break;
      default:
        s = str(v);
        if (prec !== undefined) s = s.slice(0, prec);
    }
    return pad(s, width, flags);
  });
  if (!byName && n < args.length) throw new TemplateError('not all arguments converted during string formatting');
  return out;
}
