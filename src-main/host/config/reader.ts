// printer.cfg reading in Klipper's format: [sections], `key: value` / `key = value`, indented
// continuation lines, '#' and ';' comments, [include glob] relative to the including file, and
// the '#*#' SAVE_CONFIG block (kept as text; its values override the ones above it).
// Every section and option remembers file:line so later errors can point at it.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, type SourcePlace } from './errors';

export interface RawOption {
  name: string;
  value: string;
  place: SourcePlace;
}

export interface RawSection {
  name: string;
  place: SourcePlace;
  options: Map<string, RawOption>;
}

export interface RawConfig {
  /** The main printer.cfg path (absolute). */
  mainPath: string;
  /** Sections in first-appearance order; repeated sections are merged, later values win. */
  sections: Map<string, RawSection>;
  /** The SAVE_CONFIG block of the main file exactly as written (marker line included), or ''. */
  saveConfigText: string;
  /** Every file read, main first, in include order. */
  files: string[];
}

/** The marker line Klipper writes above the SAVE_CONFIG block. */
export const SAVE_CONFIG_MARKER = '#*# <---------------------- SAVE_CONFIG ---------------------->';
const SAVE_CONFIG_PREFIX = '#*#';
const SAVE_CONFIG_WARNING = 'DO NOT EDIT THIS BLOCK OR BELOW';

/** Reads printer.cfg (and its includes) from disk. */
export function readConfigFile(mainPath: string): RawConfig {
  const abs = path.resolve(mainPath);
  const text = readText(abs, null);
  return parseConfigText(text, abs);
}

/**
 * Parses printer.cfg text whose file name is `mainPath` (includes are read from disk relative
 * to it). The editor can call this with unsaved text.
 */
export function parseConfigText(text: string, mainPath: string): RawConfig {
  const cfg: RawConfig = { mainPath, sections: new Map(), saveConfigText: '', files: [] };
  const { body, saveText, saveFirstLine } = splitSaveConfig(text);
  cfg.saveConfigText = saveText;
  parseInto(cfg, body, mainPath, [mainPath]);
  if (saveText) {
    // The block's lines are '#*# key = value'; strip the prefix and parse as one more file whose
    // values override the main config (as SAVE_CONFIG results must win).
    const lines = saveText.split('\n').slice(1);
    const stripped = lines.map((l) => {
      const t = l.trimEnd();
      if (t === '') return '';
      if (!t.startsWith(SAVE_CONFIG_PREFIX)) return null;
      const content = t.slice(SAVE_CONFIG_PREFIX.length).replace(/^ /, '');
      // Klipper writes this warning as the block's second line; it is not config.
      return content.startsWith(SAVE_CONFIG_WARNING) ? '' : content;
    });
    const bad = stripped.indexOf(null);
    if (bad >= 0) {
      throw new ConfigError(`Line in the SAVE_CONFIG block does not start with '#*#'; do not edit below the SAVE_CONFIG marker by hand`, {
        file: mainPath,
        line: saveFirstLine + 1 + bad,
      });
    }
    parseInto(cfg, stripped.join('\n'), mainPath, [mainPath], saveFirstLine + 1, true);
  }
  return cfg;
}

function splitSaveConfig(text: string): { body: string; saveText: string; saveFirstLine: number } {
  const lines = text.split(/\r?\n/);
  const idx = lines.findIndex((l) => l.trimEnd() === SAVE_CONFIG_MARKER);
  if (idx < 0) return { body: lines.join('\n'), saveText: '', saveFirstLine: 0 };
  return { body: lines.slice(0, idx).join('\n'), saveText: lines.slice(idx).join('\n'), saveFirstLine: idx + 1 };
}

function readText(file: string, from: SourcePlace | null): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(e as Error).message})`;
    throw new ConfigError(`Config file '${file}' ${why}`, from ?? undefined);
  }
}

/** Strips a comment: whole-line '#'/';', or inline ones preceded by whitespace (Klipper's rule). */
function stripComment(line: string): string {
  const t = line.trimStart();
  if (t.startsWith('#') || t.startsWith(';')) return '';
  const m = /\s[#;]/.exec(line);
  return m ? line.slice(0, m.index) : line;
}

function parseInto(cfg: RawConfig, text: string, file: string, stack: string[], firstLine = 1, isSaveBlock = false): void {
  cfg.files.push(file);
  const lines = text.split(/\r?\n/);
  let section: RawSection | null = null;
  let option: RawOption | null = null;
  for (let i = 0; i < lines.length; i++) {
    const place: SourcePlace = { file, line: firstLine + i };
    const raw = lines[i];
    const line = stripComment(raw).trimEnd();
    if (line.trim() === '') continue;
    if (/^\s/.test(line)) {
      // Continuation of the previous option's value (multi-line values such as gcode).
      if (!option) throw new ConfigError(`Indented line '${line.trim()}' does not continue an option`, place);
      option.value = option.value === '' ? line.trim() : `${option.value}\n${line.trim()}`;
      continue;
    }
    option = null;
    if (line.startsWith('[')) {
      const m = /^\[([^\]]*)\]\s*$/.exec(line);
      if (!m) throw new ConfigError(`Unable to parse section header '${line}'`, place);
      const name = m[1].trim().replace(/\s+/g, ' ');
      if (!name) throw new ConfigError('Empty section name []', place);
      if (name.startsWith('include ')) {
        if (isSaveBlock) throw new ConfigError('[include] is not allowed in the SAVE_CONFIG block', place);
        section = null;
        includeFiles(cfg, name.slice('include '.length).trim(), place, stack);
        continue;
      }
      section = cfg.sections.get(name) ?? null;
      if (!section) {
        section = { name, place, options: new Map() };
        cfg.sections.set(name, section);
      }
      continue;
    }
    const sep = /[:=]/.exec(line);
    if (!sep) throw new ConfigError(`Unable to parse line '${line}': expected 'option: value' or a [section]`, place);
    const key = line.slice(0, sep.index).trim().toLowerCase();
    if (!key) throw new ConfigError(`Missing option name in '${line}'`, place);
    if (!section) throw new ConfigError(`Option '${key}' is outside of any [section]`, place);
    option = { name: key, value: line.slice(sep.index + 1).trim(), place };
    section.options.set(key, option);
  }
}

function includeFiles(cfg: RawConfig, pattern: string, place: SourcePlace, stack: string[]): void {
  if (!pattern) throw new ConfigError('[include] needs a file name', place);
  const base = path.dirname(place.file);
  const full = path.resolve(base, pattern);
  const matches = hasGlob(full) ? globFiles(full) : [full];
  if (!hasGlob(full) && !fs.existsSync(full)) throw new ConfigError(`Include file '${full}' does not exist`, place);
  for (const f of matches) {
    if (stack.includes(f)) throw new ConfigError(`Recursive include of config file '${f}'`, place);
    const text = readText(f, place);
    parseInto(cfg, text, f, [...stack, f]);
  }
}

function hasGlob(p: string): boolean {
  return /[*?[]/.test(p);
}

function globToRegExp(part: string): RegExp {
  let re = '';
  for (const c of part) {
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&').replace('[', '[');
  }
  return new RegExp(`^${re}$`);
}

/** Sorted files matching an absolute pattern with '*', '?' or [...] in any path component. */
function globFiles(pattern: string): string[] {
  const parts = pattern.split(path.sep);
  let current = [parts[0] === '' ? path.sep : parts[0]];
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i];
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const dir of current) {
      if (!hasGlob(part)) {
        const p = path.join(dir, part);
        if (fs.existsSync(p)) next.push(p);
        continue;
      }
      const re = globToRegExp(part);
      let entries: fs.Dirent[] = [];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        if (!re.test(e.name)) continue;
        if (last ? e.isFile() : e.isDirectory()) next.push(path.join(dir, e.name));
      }
    }
    current = next;
  }
  return current.sort();
}
