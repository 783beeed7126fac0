// [board_pins NAME]: connector names for MCU pins. "EXP1_1=PE6" lets any pin option say
// EXP1_1; a value in angle brackets ("EXP1_9=<GND>") reserves the name, so using it is an error.
// Klipper also accepts aliases_<name> options holding more pairs; we read them the same way.
import type { ConfigSection } from '../config/section';
import type { Printer } from '../printer';
import { BOARD_PINS_OPTIONS } from './board-pins-options';
import type { PinRegistry } from './pins';

export function loadBoardPins(printer: Printer, section: ConfigSection): void {
  const o = section.read(BOARD_PINS_OPTIONS);
  const lists: [string, string][] = [];
  if (o.aliases !== undefined) lists.push(['aliases', o.aliases]);
  for (const { name } of section.unreadOptions()) {
    if (name.startsWith('aliases_')) lists.push([name, section.readSpec(name, BOARD_PINS_OPTIONS.aliases) as string]);
  }
  const registry = printer.lookupObject<PinRegistry>('pins');
  for (const [option, text] of lists) {
    for (const pair of text
      .split(/[,\n]/)
      .map((p) => p.trim())
      .filter((p) => p !== '')) {
      const eq = pair.indexOf('=');
      const name = eq > 0 ? pair.slice(0, eq).trim() : '';
      const value = eq > 0 ? pair.slice(eq + 1).trim() : '';
      if (!name || !value) throw section.error(option, `Unable to parse alias '${pair}' in section '${section.name}': use name=pin`);
      for (const chip of o.mcu) {
        try {
          registry.addAlias(chip, name, value);
        } catch (e) {
          throw section.error(option, `${(e as Error).message} (section '${section.name}')`);
        }
      }
    }
  }
}
