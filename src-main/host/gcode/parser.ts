// G-code line parsing: classic words (G1 X10 Y2.5), extended commands (NAME KEY=VALUE ...),
// comments, N line numbers and *checksums, following Klipper's documented G-code rules.

export interface ParsedLine {
  /** Upper-case command name ('G1', 'M104', 'SET_FAN_SPEED'); '' for a blank/comment line. */
  command: string;
  /** Parameters by upper-case name, raw string values. */
  params: Record<string, string>;
  /** Everything after the command name, untouched (M117/M118/RESPOND messages, rawparams). */
  rawParams: string;
  /** N line number when present. */
  lineNumber: number | null;
  /** Checksum given after '*', when present. */
  checksum: number | null;
  /** Checksum computed over the part of the line before '*'. */
  computedChecksum: number | null;
  /** The line without comment, line number and checksum. */
  text: string;
}

// Commands whose whole argument is free text (no parameter parsing).
const RAW_TEXT_COMMANDS = new Set(['M117', 'M118', 'M23', 'M28', 'M29', 'M30', 'M32', 'M36', 'ECHO', 'RESPOND']);

/** XOR checksum used by serial G-code senders ("N12 G1 X1*34"). */
export function lineChecksum(text: string): number {
  let cs = 0;
  for (let i = 0; i < text.length; i++) cs ^= text.charCodeAt(i) & 0xff;
  return cs;
}

function isWordLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10 || c === 11 || c === 12;
}
function isNameChar(c: number): boolean {
  return isWordLetter(c) || isDigit(c) || c === 95;
}

/**
 * Parses one line. A single left-to-right scan with char codes (no regular expressions on the
 * common path): a print file is hundreds of thousands of G1 lines.
 */
export function parseLine(line: string): ParsedLine {
  let checksum: number | null = null;
  let computedChecksum: number | null = null;
  let end = line.length;
  const star = line.indexOf('*');
  const semi = line.indexOf(';');
  if (star >= 0 && (semi < 0 || star < semi)) {
    let j = star + 1;
    while (j < line.length && isSpace(line.charCodeAt(j))) j++;
    const d0 = j;
    while (j < line.length && isDigit(line.charCodeAt(j))) j++;
    if (j > d0) {
      checksum = Number(line.slice(d0, j));
      computedChecksum = lineChecksum(line.slice(0, star));
    }
    end = star;
  } else if (semi >= 0) {
    end = semi;
  }
  let start = 0;
  while (start < end && isSpace(line.charCodeAt(start))) start++;
  while (end > start && isSpace(line.charCodeAt(end - 1))) end--;
  let lineNumber: number | null = null;
  const c0 = line.charCodeAt(start);
  if ((c0 === 78 || c0 === 110) && start + 1 < end && isDigit(line.charCodeAt(start + 1))) {
    let j = start + 1;
    while (j < end && isDigit(line.charCodeAt(j))) j++;
    lineNumber = Number(line.slice(start + 1, j));
    while (j < end && isSpace(line.charCodeAt(j))) j++;
    start = j;
  }
  const body = start === 0 && end === line.length ? line : line.slice(start, end);
  if (!body) return { command: '', params: {}, rawParams: '', lineNumber, checksum, computedChecksum, text: body };

  // Command name: a classic letter+number word (G1, M104.1, T0, also "G1X10") or an extended
  // NAME word (SET_FAN_SPEED).
  const n = body.length;
  let nameEnd: number;
  let isClassic = false;
  if (isWordLetter(body.charCodeAt(0)) && n > 1 && isDigit(body.charCodeAt(1))) {
    isClassic = true;
    nameEnd = 2;
    while (nameEnd < n && isDigit(body.charCodeAt(nameEnd))) nameEnd++;
    if (nameEnd + 1 < n && body.charCodeAt(nameEnd) === 46 && isDigit(body.charCodeAt(nameEnd + 1))) {
      nameEnd += 2;
      while (nameEnd < n && isDigit(body.charCodeAt(nameEnd))) nameEnd++;
    }
  } else if (isWordLetter(body.charCodeAt(0)) || body.charCodeAt(0) === 95) {
    nameEnd = 1;
    while (nameEnd < n && isNameChar(body.charCodeAt(nameEnd))) nameEnd++;
  } else {
    nameEnd = 1;
    while (nameEnd < n && !isSpace(body.charCodeAt(nameEnd))) nameEnd++;
  }
  const name = body.slice(0, nameEnd).toUpperCase();
  let restStart = nameEnd;
  while (restStart < n && isSpace(body.charCodeAt(restStart))) restStart++;
  const rawParams = restStart < n ? body.slice(restStart) : '';
  const params: Record<string, string> = {};
  if (RAW_TEXT_COMMANDS.has(name)) {
    return { command: name, params, rawParams, lineNumber, checksum, computedChecksum, text: body };
  }
  if (isClassic) {
    // Words: a letter followed by an optional value, separated by spaces or not ("X10Y20").
    let i = restStart;
    while (i < n) {
      const c = body.charCodeAt(i);
      if (!isWordLetter(c)) {
        i++;
        continue;
      }
      const letter = c >= 97 ? String.fromCharCode(c - 32) : body[i];
      i++;
      let j = i;
      while (j < n) {
        const cj = body.charCodeAt(j);
        if (isWordLetter(cj) || cj === 32 || cj === 9) break;
        j++;
      }
      params[letter] = body.slice(i, j).trim();
      i = j;
    }
  } else {
    for (const m of rawParams.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*=\s*("[^"]*"|'[^']*'|\S*)/g)) {
      let v = m[2];
      if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
      params[m[1].toUpperCase()] = v;
    }
  }
  return { command: name, params, rawParams, lineNumber, checksum, computedChecksum, text: body };
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * A plain decimal ('-12.345') without making a substring. mantissa / 10^k with both exact
 * (at most 15 digits) is one correctly rounded division, so the result equals Number(text).
 * Anything else (exponents, more digits, junk) goes through Number().
 */
function parseDecimal(s: string, start: number, end: number): number {
  let i = start;
  let neg = false;
  const c0 = s.charCodeAt(i);
  if (c0 === 45 || c0 === 43) {
    neg = c0 === 45;
    i++;
  }
  let mant = 0;
  let digits = 0;
  let frac = -1;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      digits++;
      if (frac >= 0) frac++;
    } else if (c === 46 && frac < 0) frac = 0;
    else return +s.slice(start, end);
  }
  if (digits === 0 || digits > 15) return +s.slice(start, end);
  const v = frac > 0 ? mant / POW10[frac] : mant;
  return neg ? -v : v;
}

/** Bits of parseMoveWords' result: which of X Y Z E F the line gave. */
export const MOVE_X = 1;
export const MOVE_Y = 2;
export const MOVE_Z = 4;
export const MOVE_E = 8;
export const MOVE_F = 16;
const MOVE_BITS: Record<number, number> = { 88: 0, 89: 1, 90: 2, 69: 3, 70: 4, 120: 0, 121: 1, 122: 2, 101: 3, 102: 4 };

/**
 * The print-file fast path: a plain `G0`/`G1` line whose words are only X Y Z E F with numbers
 * (spaces between words, optional ';' comment). Fills out[0..4] (X Y Z E F) and returns the bit
 * mask of words present, or -1 for anything else (line numbers, checksums, other words, bad
 * numbers), which then goes through parseLine and gets its full error message.
 */
export function parseMoveWords(line: string, out: Float64Array): number {
  let i = 0;
  const n = line.length;
  while (i < n && line.charCodeAt(i) === 32) i++;
  const g = line.charCodeAt(i);
  if ((g !== 71 && g !== 103) || i + 2 > n) return -1;
  const d = line.charCodeAt(i + 1);
  if (d !== 48 && d !== 49) return -1;
  i += 2;
  if (i < n && line.charCodeAt(i) !== 32 && line.charCodeAt(i) !== 59 && line.charCodeAt(i) !== 13) return -1;
  let mask = 0;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) {
      i++;
      continue;
    }
    if (c === 59) break;
    const bit = MOVE_BITS[c];
    if (bit === undefined) return -1;
    let j = i + 1;
    while (j < n) {
      const cj = line.charCodeAt(j);
      if (cj === 32 || cj === 59 || cj === 13 || cj === 9) break;
      j++;
    }
    if (j === i + 1) return -1;
    const v = parseDecimal(line, i + 1, j);
    if (v !== v || v === Infinity || v === -Infinity) return -1;
    out[bit] = v;
    mask |= 1 << bit;
    i = j;
  }
  return mask;
}
