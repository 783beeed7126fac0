// printer.cfg as a CodeMirror language: [section] headers, option keys, values (numbers, pins,
// booleans), '#'/';' comments, Jinja-style {templates} in gcode values, the '#*#' SAVE_CONFIG
// block. Sections fold from their header to the next one, and give the outline.
import { foldService, HighlightStyle, StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import type { Extension } from '@codemirror/state';
import { tags as t } from '@lezer/highlight';

interface CfgState {
  /** Inside a value (after the key's ':' or on an indented continuation line). */
  inValue: boolean;
  /** Inside a {% ... %} or {{ ... }} template. */
  inTemplate: boolean;
}

/** A pin as printer.cfg writes it: optional ^ ~ !, optional chip:, then PA1 / P1.4 / ar12 / gpio5. */
export const PIN_PATTERN = /^[\^~]?!?(?:[a-z_][a-z0-9_]*:)?(?:P[A-L]\d{1,2}|P\d\.\d{1,2}|ar\d{1,3}|analog\d{1,2}|gpio\d{1,2}|PIN_\w+)\b/i;

export const cfgStreamLanguage = StreamLanguage.define<CfgState>({
  name: 'printer.cfg',
  startState: () => ({ inValue: false, inTemplate: false }),
  token(stream, state) {
    if (stream.sol()) {
      state.inTemplate = false;
      if (stream.match('#*#')) {
        stream.skipToEnd();
        return 'meta';
      }
      const indented = /\s/.test(stream.peek() ?? '');
      state.inValue = indented;
      if (!indented) {
        if (stream.match(/^\[[^\]]*\]/)) return 'heading';
        if (stream.match(/^[#;]/)) {
          stream.skipToEnd();
          return 'comment';
        }
        if (stream.match(/^[^:=#;\s][^:=]*?(?=\s*[:=])/)) return 'propertyName';
      }
    }
    if (stream.eatSpace()) return null;
    if (!state.inValue) {
      if (stream.match(/^[:=]/)) {
        state.inValue = true;
        return 'punctuation';
      }
      stream.next();
      return null;
    }
    // Inline comments need whitespace before them (Klipper's rule); whole-line ones start the line.
    if (stream.match(/^[#;].*/)) return 'comment';
    if (state.inTemplate) {
      if (stream.match(/^(%\}|\}\})/)) {
        state.inTemplate = false;
        return 'bracket';
      }
      if (stream.match(/^"[^"]*"|^'[^']*'/)) return 'string';
      if (stream.match(/^-?\d+(\.\d+)?/)) return 'number';
      if (stream.match(/^(if|else|elif|endif|for|endfor|in|set|not|and|or|is)\b/)) return 'keyword';
      if (stream.match(/^[A-Za-z_]\w*/)) return 'variableName';
      stream.next();
      return 'operator';
    }
    if (stream.match(/^(\{%|\{\{)/)) {
      state.inTemplate = true;
      return 'bracket';
    }
    if (stream.match(/^-?\d+(\.\d+)?(e-?\d+)?(?=[\s,:]|$)/i)) return 'number';
    if (stream.match(/^(true|false)\b/i)) return 'bool';
    if (stream.match(PIN_PATTERN)) return 'atom';
    if (stream.match(/^[^\s#;{]+/)) return 'string';
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: '#' } },
});

/** Colours that read in light and dark: CSS variables from config.css. */
const cfgHighlight = HighlightStyle.define([
  { tag: t.heading, color: 'var(--cfg-section)', fontWeight: '700' },
  { tag: t.propertyName, color: 'var(--cfg-key)' },
  { tag: t.comment, color: 'var(--cfg-comment)', fontStyle: 'italic' },
  { tag: t.number, color: 'var(--cfg-number)' },
  { tag: t.bool, color: 'var(--cfg-number)' },
  { tag: t.atom, color: 'var(--cfg-pin)', fontWeight: '600' },
  { tag: t.string, color: 'var(--cfg-value)' },
  { tag: [t.bracket, t.keyword], color: 'var(--cfg-template)' },
  { tag: t.variableName, color: 'var(--cfg-template-var)' },
  { tag: t.meta, color: 'var(--cfg-comment)' },
]);

export interface SectionOutline {
  name: string;
  /** 1-based line of the header. */
  line: number;
}

/** Every [section] header with its line, for the outline and folding. */
export function sectionOutline(text: string): SectionOutline[] {
  const out: SectionOutline[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\[([^\]]+)\]/.exec(lines[i]);
    if (m) out.push({ name: m[1].trim(), line: i + 1 });
  }
  return out;
}

/** A section folds from the end of its header line to the last non-blank line before the next header. */
const foldSections = foldService.of((state, lineStart) => {
  const line = state.doc.lineAt(lineStart);
  if (!/^\[[^\]]+\]/.test(line.text)) return null;
  let last = line.number;
  for (let n = line.number + 1; n <= state.doc.lines; n++) {
    const text = state.doc.line(n).text;
    if (/^\[/.test(text) || text.startsWith('#*#')) break;
    if (text.trim() !== '') last = n;
  }
  if (last === line.number) return null;
  return { from: line.to, to: state.doc.line(last).to };
});

export function printerCfg(): Extension {
  return [cfgStreamLanguage, syntaxHighlighting(cfgHighlight), foldSections];
}
