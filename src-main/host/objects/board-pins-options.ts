// [board_pins NAME]: pin aliases (EXP1_1=PE6, ...) so printer.cfg can name connector pins.
import { defineOptions } from '../config/options';

export const BOARD_PINS_OPTIONS = defineOptions({
  mcu: { type: 'stringList', default: ['mcu'], doc: 'MCUs the aliases apply to (comma separated)' },
  aliases: { type: 'string', optional: true, doc: 'name=pin pairs, comma separated; <GND> style values mark reserved pins' },
});
