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

export function parseLine(line: string): ParsedLine {
  let checksum: number | null = null;
  let computedChecksum: number | null = null;
  let body = line;
  const star = body.indexOf('*');
  const semi = body.indexOf(';');
  if (star >= 0 && (semi < 0 || star < semi)) {
    const digits = body.slice(star + 1).match(/^\s*(\d+)/);
    if (digits) {
      checksum = Number(digits[1]);
      computedChecksum = lineChecksum(body.slice(0, star));
    }
    body = body.slice(0, star);
  } else if (semi >= 0) {
    body = body.slice(0, semi);
  }
  body = body.trim();
  let lineNumber: number | null = null;
  const n = body.match(/^[Nn](\d+)\s*/);
  if (n) {
    lineNumber = Number(n[1]);
    body = body.slice(n[0].length);
  }
  const empty: ParsedLine = { command: '', params: {}, rawParams: '', lineNumber, checksum, computedChecksum, text: body };
  if (!body) return empty;

  // Command name: a classic letter+number word (G1, M104.1, T0, also "G1X10") or an extended
  // NAME word (SET_FAN_SPEED).
  const classicName = body.match(/^([A-Za-z])(\d+(?:\.\d+)?)/);
  const extendedName = body.match(/^[A-Za-z_][A-Za-z0-9_]*/);
  const nameText = classicName ? classicName[0] : extendedName ? extendedName[0] : body.split(/\s+/)[0];
  const name = nameText.toUpperCase();
  const rest = body.slice(nameText.length);
  const rawParams = rest.replace(/^\s+/, '');
  const params: Record<string, string> = {};
  if (RAW_TEXT_COMMANDS.has(name)) {
    return { command: name, params, rawParams, lineNumber, checksum, computedChecksum, text: body };
  }
  const isClassic = classicName !== null;
  if (isClassic) {
    // Words: a letter followed by an optional value, separated by spaces or not ("X10Y20").
    let i = 0;
    const s = rawParams;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (!isWordLetter(c)) {
        i++;
        continue;
      }
      const letter = s[i].toUpperCase();
      i++;
      let j = i;
      while (j < s.length && !isWordLetter(s.charCodeAt(j)) && s[j] !== ' ' && s[j] !== '\t') j++;
      params[letter] = s.slice(i, j).trim();
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
