// Live validation of printer.cfg text for the config editor, with the host's own reader and
// option tables, so each diagnostic carries the message the host would give at start. Unlike
// the host (which stops at the first error), this collects every problem it can find.
import path from 'node:path';
import type { ConfigDiagnostic } from './contract';
import { ConfigError } from '../host/config/errors';
import type { OptionSpec } from '../host/config/options';
import { parseConfigText, type RawConfig } from '../host/config/reader';
import { ConfigSection } from '../host/config/section';
import { catalogEntryOf } from '../host/objects/catalog';
import { isKnownUnsupportedSection } from '../host/objects/known-sections';

/** Options whose pin may be shared between sections (Klipper shares stepper enable lines). */
const SHAREABLE_PIN_OPTIONS = new Set(['enable_pin']);

function diagnosticOf(e: ConfigError, mainPath: string, severity: ConfigDiagnostic['severity'] = 'error'): ConfigDiagnostic[] {
  const places = e.place ? [e.place] : e.places;
  if (places.length === 0) return [{ line: 0, severity, message: e.reason }];
  return places.map((p) => ({
    line: p.file === mainPath ? p.line : 0,
    severity,
    message: e.reason,
    ...(p.file === mainPath ? {} : { file: p.file }),
  }));
}

export function validateConfigText(text: string, mainPath: string): ConfigDiagnostic[] {
  const abs = path.resolve(mainPath);
  let raw: RawConfig;
  try {
    raw = parseConfigText(text, abs);
  } catch (e) {
    if (e instanceof ConfigError) return diagnosticOf(e, abs);
    throw e;
  }
  const out: ConfigDiagnostic[] = [];
  const at = (place: { file: string; line: number }, message: string, severity: ConfigDiagnostic['severity'] = 'error'): void => {
    out.push({ line: place.file === abs ? place.line : 0, severity, message, ...(place.file === abs ? {} : { file: place.file }) });
  };
  const pinsSeen = new Map<string, string>();
  for (const rawSection of raw.sections.values()) {
    const entry = catalogEntryOf(rawSection.name);
    if (!entry) {
      if (isKnownUnsupportedSection(rawSection.name)) at(rawSection.place, `Section '${rawSection.name}' is not supported yet: remove or comment it out to use Tether now`, 'warning');
      else at(rawSection.place, `Section '${rawSection.name}' is not a valid config section`);
      continue;
    }
    const section = new ConfigSection(rawSection);
    const specs = new Map<string, OptionSpec>();
    for (const table of entry.options) for (const [name, spec] of Object.entries(table)) if (!specs.has(name)) specs.set(name, spec);
    for (const [name, spec] of specs) {
      // A missing required option: the host names the section.
      if (!section.has(name)) {
        if (spec.default === undefined && !spec.optional && entry.options.length === 1) {
          at(rawSection.place, `Option '${name}' in section '${rawSection.name}' must be specified`);
        }
        continue;
      }
      try {
        const value = section.readSpec(name, spec);
        if (spec.type === 'pin' && value && typeof value === 'object' && 'pin' in value && !SHAREABLE_PIN_OPTIONS.has(name)) {
          const pin = value as { chip: string; pin: string };
          const key = `${pin.chip}:${pin.pin}`;
          const first = pinsSeen.get(key);
          if (first) at(section.placeOf(name), `pin ${pin.pin} used multiple times in config (also by ${first})`);
          else pinsSeen.set(key, `[${rawSection.name}] ${name}`);
        }
      } catch (e) {
        if (e instanceof ConfigError) out.push(...diagnosticOf(e, abs));
        else throw e;
      }
    }
    for (const option of rawSection.options.values()) {
      if (specs.has(option.name)) continue;
      if (rawSection.name.startsWith('gcode_macro ') && option.name.startsWith('variable_')) continue;
      at(option.place, `Option '${option.name}' is not valid in section '${rawSection.name}'`);
    }
  }
  for (const name of ['mcu', 'printer']) {
    if (!raw.sections.has(name)) out.push({ line: 1, severity: 'error', message: `Section [${name}] is missing: every printer needs one` });
  }
  return out.sort((a, b) => a.line - b.line);
}
