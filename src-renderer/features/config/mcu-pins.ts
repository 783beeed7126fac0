// Pin names checked against the connected MCU's own data dictionary: a pin the firmware does not
// have (a typo, a pin of another chip, an STM32 name on an AVR) is flagged on its line before
// the host refuses the config at start. Only pins of this MCU ('PA0', '^!mcu:PA0') are checked;
// other chips (probe:z_virtual_endstop, a second MCU) and [board_pins] aliases are resolved or left alone.
import type { ConfigDiagnostic } from '../../../src-main/api/contract';
import type { CatalogSection } from '../../../src-main/host/objects/catalog';
import { catalogSectionFor } from './editor-sources';

export interface McuPins {
  mcu: string;
  pins: readonly string[];
}

const SECTION = /^\[([^\]]+)\]/;
const OPTION = /^([A-Za-z0-9_]+)\s*[:=]\s*(.*)$/;

function stripComment(value: string): string {
  return value.replace(/\s[#;].*$/, '').trim();
}

/** alias -> pin from every [board_pins] section's `aliases:` (continuation lines included). */
export function boardPinAliases(lines: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  let inBoardPins = false;
  let inAliases = false;
  for (const line of lines) {
    const sec = SECTION.exec(line);
    if (sec) {
      inBoardPins = /^board_pins\b/.test(sec[1].trim());
      inAliases = false;
      continue;
    }
    if (!inBoardPins) continue;
    const opt = OPTION.exec(line);
    let text: string | null = null;
    if (opt) {
      inAliases = opt[1].toLowerCase() === 'aliases' || opt[1].toLowerCase().startsWith('aliases_');
      if (inAliases) text = opt[2];
    } else if (inAliases && /^\s+\S/.test(line)) text = line;
    if (text === null) continue;
    for (const pair of stripComment(text).split(',')) {
      const [name, pin] = pair.split('=').map((s) => s.trim());
      if (name && pin) out.set(name, pin);
    }
  }
  return out;
}

/** Diagnostics for pin options whose pin this MCU does not have. */
export function mcuPinDiagnostics(text: string, mcuPins: McuPins, catalog: readonly CatalogSection[]): ConfigDiagnostic[] {
  const lines = text.split(/\r?\n/);
  const known = new Set(mcuPins.pins);
  const byUpper = new Map(mcuPins.pins.map((p) => [p.toUpperCase(), p]));
  const aliases = boardPinAliases(lines);
  const out: ConfigDiagnostic[] = [];
  let section: CatalogSection | null = null;
  let sectionName = '';
  lines.forEach((line, i) => {
    const sec = SECTION.exec(line);
    if (sec) {
      sectionName = sec[1].trim();
      section = catalogSectionFor(catalog, sectionName);
      return;
    }
    const opt = OPTION.exec(line);
    if (!opt || !section) return;
    const option = section.options.find((o) => o.name === opt[1].toLowerCase());
    if (option?.type !== 'pin') return;
    const value = stripComment(opt[2]).replace(/^[\^~!\s]+/, '');
    if (!value) return;
    let pin = value;
    const colon = value.indexOf(':');
    if (colon >= 0) {
      if (value.slice(0, colon).trim() !== mcuPins.mcu) return; // another chip: not this dictionary's
      pin = value.slice(colon + 1).trim();
    }
    const resolved = aliases.get(pin) ?? pin;
    if (known.has(resolved)) return;
    const suggestion = byUpper.get(resolved.toUpperCase());
    const via = resolved !== pin ? ` (alias '${pin}' in [board_pins])` : '';
    const hint = suggestion ? ` Did you mean '${suggestion}'?` : ` It has ${mcuPins.pins.length} pins, e.g. ${mcuPins.pins.slice(0, 4).join(', ')}.`;
    out.push({
      line: i + 1,
      severity: 'error',
      message: `Pin '${resolved}'${via} in [${sectionName}] ${option.name} is not a pin of MCU '${mcuPins.mcu}': its firmware's data dictionary has no such pin.${hint}`,
    });
  });
  return out;
}
