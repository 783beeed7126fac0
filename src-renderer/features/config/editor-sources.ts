// The config editor's brains as plain CodeMirror sources, testable without a browser: lint from
// the host's validation, completion of sections/options/pins from the option catalog, hover docs.
import type { CompletionContext, CompletionResult, Completion } from '@codemirror/autocomplete';
import type { Diagnostic } from '@codemirror/lint';
import type { EditorState, Text } from '@codemirror/state';
import type { ConfigDiagnostic } from '../../../src-main/api/contract';
import type { CatalogOption } from '../../../src-main/host/config/options';
import type { CatalogSection } from '../../../src-main/host/objects/catalog';

/** Host diagnostics (1-based lines) as CodeMirror ones spanning their line's text. */
export function toEditorDiagnostics(doc: Text, diagnostics: readonly ConfigDiagnostic[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    const lineNo = Math.min(Math.max(d.line, 1), doc.lines);
    const line = doc.line(lineNo);
    const message = d.file ? `${d.message} (in ${d.file})` : d.message;
    out.push({ from: line.from, to: Math.max(line.to, line.from), severity: d.severity, message, source: 'Tether host' });
  }
  return out;
}

/** The catalog entry for a section name ('stepper_x' -> the 'stepper_' entry). */
export function catalogSectionFor(catalog: readonly CatalogSection[], sectionName: string): CatalogSection | null {
  const type = sectionName.split(/\s+/)[0];
  return (
    catalog.find((c) => c.name === sectionName) ??
    catalog.find((c) => c.name === type) ??
    // An extra motor on a rail ([stepper_x1], [stepper_z2]) has the options of the 'stepper_z1' entry.
    (/^stepper_[a-z]\d+$/.test(sectionName) ? catalog.find((c) => c.name === 'stepper_z1') : undefined) ??
    catalog.find((c) => c.name.endsWith('_') && sectionName.startsWith(c.name)) ??
    null
  );
}

/** The [section] the given line belongs to (searching up), or null above the first. */
export function sectionAt(doc: Text, lineNo: number): string | null {
  for (let n = lineNo; n >= 1; n--) {
    const m = /^\[([^\]]+)\]/.exec(doc.line(n).text);
    if (m) return m[1].trim();
  }
  return null;
}

function describeOption(o: CatalogOption): string {
  const parts: string[] = [o.type];
  if (o.default !== undefined) parts.push(`default ${JSON.stringify(o.default)}`);
  else if (o.required) parts.push('required');
  const l = o.limits;
  if (l?.minval !== undefined) parts.push(`min ${l.minval}`);
  if (l?.maxval !== undefined) parts.push(`max ${l.maxval}`);
  if (l?.above !== undefined) parts.push(`> ${l.above}`);
  if (l?.below !== undefined) parts.push(`< ${l.below}`);
  if (o.choices) parts.push(`one of ${o.choices.join(', ')}`);
  return parts.join(' · ');
}

/** Section names a new header may take: fixed names as they are, prefixed ones with a hint. */
function sectionCompletions(catalog: readonly CatalogSection[]): Completion[] {
  return catalog.map((c) => {
    const prefix = c.name.endsWith('_') || c.name.includes(' ') ? c.name : null;
    return { label: prefix ?? c.name, type: 'class', detail: prefix ? '…' : undefined, info: c.doc };
  });
}

/** Pin names for completion: the AVR or STM32 port names, whichever the file already uses. */
export function pinNamesFor(text: string): string[] {
  const used = [...text.matchAll(/\bP([A-L])(\d{1,2})\b/g)];
  const stm32 = used.some((m) => Number(m[2]) > 7);
  const ports = stm32 ? 'ABCDEFG' : 'ABCDEFGHJKL';
  const perPort = stm32 ? 16 : 8;
  const out: string[] = [];
  for (const p of ports) for (let i = 0; i < perPort; i++) out.push(`P${p}${i}`);
  return out;
}

export function configCompletionSource(catalog: readonly CatalogSection[]) {
  return (ctx: CompletionContext): CompletionResult | null => {
    const line = ctx.state.doc.lineAt(ctx.pos);
    const before = line.text.slice(0, ctx.pos - line.from);
    // A section header being typed: [stepp|
    const header = /^\[([\w ]*)$/.exec(before);
    if (header) return { from: ctx.pos - header[1].length, options: sectionCompletions(catalog), validFor: /^[\w ]*$/ };
    const sectionName = sectionAt(ctx.state.doc, line.number);
    const entry = sectionName ? catalogSectionFor(catalog, sectionName) : null;
    // An option name at the start of a line.
    const key = /^([a-z_0-9]*)$/i.exec(before);
    if (key && entry) {
      if (!ctx.explicit && key[1] === '') return null;
      const present = new Set<string>();
      for (let n = line.number + 1; n <= ctx.state.doc.lines && !/^\[/.test(ctx.state.doc.line(n).text); n++) {
        const m = /^(\w+)\s*[:=]/.exec(ctx.state.doc.line(n).text);
        if (m) present.add(m[1].toLowerCase());
      }
      for (let n = line.number - 1; n >= 1 && !/^\[/.test(ctx.state.doc.line(n).text); n--) {
        const m = /^(\w+)\s*[:=]/.exec(ctx.state.doc.line(n).text);
        if (m) present.add(m[1].toLowerCase());
      }
      const options = entry.options
        .filter((o) => !present.has(o.name))
        .map((o) => ({ label: o.name, apply: `${o.name}: `, type: 'property', detail: describeOption(o), info: o.doc, boost: o.required ? 1 : 0 }));
      return { from: ctx.pos - key[1].length, options, validFor: /^\w*$/ };
    }
    // A value: pins for pin options, choices for choice options.
    const value = /^(\w+)\s*[:=]\s*([\^~!]*)(\w*)$/.exec(before);
    if (value && entry) {
      const option = entry.options.find((o) => o.name === value[1].toLowerCase());
      if (option?.type === 'pin') {
        return { from: ctx.pos - value[3].length, options: pinNamesFor(ctx.state.doc.toString()).map((p) => ({ label: p, type: 'constant' })), validFor: /^\w*$/ };
      }
      if (option?.choices) return { from: ctx.pos - value[3].length, options: option.choices.map((c) => ({ label: c, type: 'enum' })) };
      if (option?.type === 'boolean') return { from: ctx.pos - value[3].length, options: ['True', 'False'].map((c) => ({ label: c, type: 'keyword' })) };
    }
    return null;
  };
}

/** Hover text for the word at a position: an option's type/limits/doc or a section's doc. */
export function hoverDocAt(state: EditorState, pos: number, catalog: readonly CatalogSection[]): { from: number; to: number; title: string; detail: string; doc: string } | null {
  const line = state.doc.lineAt(pos);
  const header = /^\[([^\]]+)\]/.exec(line.text);
  if (header) {
    const entry = catalogSectionFor(catalog, header[1].trim());
    return entry ? { from: line.from, to: line.from + header[0].length, title: `[${header[1].trim()}]`, detail: '', doc: entry.doc } : null;
  }
  const key = /^(\w+)\s*[:=]/.exec(line.text);
  if (!key || pos > line.from + key[1].length) return null;
  const sectionName = sectionAt(state.doc, line.number);
  const entry = sectionName ? catalogSectionFor(catalog, sectionName) : null;
  const option = entry?.options.find((o) => o.name === key[1].toLowerCase());
  if (!option) return null;
  return { from: line.from, to: line.from + key[1].length, title: option.name, detail: describeOption(option), doc: option.doc };
}

/** Line diff (LCS) for the save dialog: kept, added and removed lines with their numbers. */
export interface DiffLine {
  kind: 'same' | 'add' | 'del';
  text: string;
  oldLine?: number;
  newLine?: number;
}

export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  // Trim the common head and tail first: configs differ in a few places.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const lcs: number[][] = Array.from({ length: am.length + 1 }, () => new Array<number>(bm.length + 1).fill(0));
  for (let i = am.length - 1; i >= 0; i--) for (let j = bm.length - 1; j >= 0; j--) lcs[i][j] = am[i] === bm[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: DiffLine[] = [];
  for (let k = 0; k < head; k++) out.push({ kind: 'same', text: a[k], oldLine: k + 1, newLine: k + 1 });
  let i = 0;
  let j = 0;
  while (i < am.length || j < bm.length) {
    if (i < am.length && j < bm.length && am[i] === bm[j]) {
      out.push({ kind: 'same', text: am[i], oldLine: head + i + 1, newLine: head + j + 1 });
      i++;
      j++;
    } else if (i < am.length && (j >= bm.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
      // Removed lines first, then their replacement (the usual diff reading order).
      out.push({ kind: 'del', text: am[i], oldLine: head + i + 1 });
      i++;
    } else {
      out.push({ kind: 'add', text: bm[j], newLine: head + j + 1 });
      j++;
    }
  }
  for (let k = 0; k < tail; k++) out.push({ kind: 'same', text: a[a.length - tail + k], oldLine: a.length - tail + k + 1, newLine: b.length - tail + k + 1 });
  return out;
}

/** Only the changed lines with `context` lines around them ('…' rows mark the gaps as null). */
export function diffHunks(diff: readonly DiffLine[], context = 2): (DiffLine | null)[] {
  const keep = new Array<boolean>(diff.length).fill(false);
  diff.forEach((d, i) => {
    if (d.kind !== 'same') for (let k = Math.max(0, i - context); k <= Math.min(diff.length - 1, i + context); k++) keep[k] = true;
  });
  const out: (DiffLine | null)[] = [];
  diff.forEach((d, i) => {
    if (keep[i]) out.push(d);
    else if (out.length && out[out.length - 1] !== null) out.push(null);
  });
  if (out[out.length - 1] === null) out.pop();
  return out;
}
