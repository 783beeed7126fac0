// [display], [display NAME], [display_data GROUP NAME], [display_template NAME],
// [display_glyph NAME] and [menu ...]: option tables with Klipper's names and defaults
// (Config_Reference). Each lcd_type reads its own pin table, so a pin meant for another type is
// reported as "not valid" like any unknown option.
import { defineOptions } from '../config/options';

export const LCD_TYPES = ['st7920', 'emulated_st7920', 'hd44780', 'hd44780_spi', 'aip31068_spi', 'uc1701', 'ssd1306', 'sh1106'] as const;
export type LcdType = (typeof LCD_TYPES)[number];

const inputPin = (doc: string) => ({ type: 'pin', canInvert: true, canPullup: true, optional: true, doc }) as const;
const analogRange = (button: string) =>
  ({ type: 'floatList', count: 2, optional: true, doc: `ADC button: resistance range (ohms) that means "${button}" on its pin` }) as const;

/** Options every display has: type, screen, menu and buttons. */
export const DISPLAY_OPTIONS = defineOptions({
  lcd_type: { type: 'choice', choices: LCD_TYPES, doc: 'The display controller chip' },
  display_group: {
    type: 'string',
    optional: true,
    doc: 'display_data group shown (default _default_16x4, or _default_20x4 on 20-column hd44780)',
  },
  menu_timeout: { type: 'int', default: 0, minval: 0, doc: 'Seconds without input before the menu closes (0: never)' },
  menu_root: { type: 'string', default: '__main', doc: 'Name of the menu opened by a click on the status screen' },
  menu_reverse_navigation: { type: 'boolean', default: false, doc: 'Swap the encoder / up-down directions in lists' },
  encoder_pins: { type: 'stringList', optional: true, doc: 'The two pins of a rotary encoder ("^PC10, ^PC11")' },
  encoder_steps_per_detent: { type: 'int', default: 4, doc: 'Quadrature steps between two clicks of the encoder (2 or 4)' },
  encoder_fast_rate: { type: 'float', default: 0.03, above: 0, doc: 'Encoder steps closer than this (s) count as a fast turn' },
  click_pin: inputPin('The select (encoder push) button'),
  back_pin: inputPin('The back button'),
  up_pin: inputPin('The up button'),
  down_pin: inputPin('The down button'),
  kill_pin: inputPin('The kill button: an emergency stop (M112)'),
  analog_pullup_resistor: { type: 'float', default: 4700, above: 0, doc: 'Pull-up (ohms) of ADC buttons' },
  analog_range_click_pin: analogRange('click'),
  analog_range_back_pin: analogRange('back'),
  analog_range_up_pin: analogRange('up'),
  analog_range_down_pin: analogRange('down'),
  analog_range_kill_pin: analogRange('kill'),
});

const outPin = (doc: string) => ({ type: 'pin', doc }) as const;
const optOutPin = (doc: string) => ({ type: 'pin', optional: true, doc }) as const;

export const ST7920_OPTIONS = defineOptions({
  cs_pin: outPin('ST7920 chip select (RS) pin'),
  sclk_pin: outPin('ST7920 clock (E) pin'),
  sid_pin: outPin('ST7920 data (R/W) pin'),
});

const SOFTWARE_SPI_OPTIONS = {
  spi_software_sclk_pin: outPin('Software SPI clock pin'),
  spi_software_mosi_pin: outPin('Software SPI data-out pin'),
  spi_software_miso_pin: outPin('Software SPI data-in pin (unused by the display, but claimed)'),
} as const;

export const EMULATED_ST7920_OPTIONS = defineOptions({
  en_pin: outPin('Enable (chip select) pin of the display'),
  ...SOFTWARE_SPI_OPTIONS,
});

const HD44780_TEXT_OPTIONS = {
  hd44780_protocol_init: {
    type: 'boolean',
    default: true,
    doc: 'Send the 8-bit to 4-bit switch sequence at start (some clones need it off)',
  },
  line_length: { type: 'int', default: 20, doc: 'Characters per line: 20 (2004 displays) or 16' },
} as const;

export const HD44780_OPTIONS = defineOptions({
  rs_pin: outPin('Register select pin'),
  e_pin: outPin('Enable pin'),
  d4_pin: outPin('Data pin 4'),
  d5_pin: outPin('Data pin 5'),
  d6_pin: outPin('Data pin 6'),
  d7_pin: outPin('Data pin 7'),
  ...HD44780_TEXT_OPTIONS,
});

export const HD44780_SPI_OPTIONS = defineOptions({
  latch_pin: outPin('Latch (chip select) pin of the shift register'),
  ...SOFTWARE_SPI_OPTIONS,
  ...HD44780_TEXT_OPTIONS,
});

export const AIP31068_SPI_OPTIONS = defineOptions({
  latch_pin: outPin('Chip select pin of the AiP31068'),
  ...SOFTWARE_SPI_OPTIONS,
  line_length: HD44780_TEXT_OPTIONS.line_length,
});

/** A hardware or software SPI bus (uc1701, ssd1306/sh1106 in SPI mode). */
const SPI_BUS_OPTIONS = {
  spi_speed: { type: 'int', default: 10000000, minval: 1, doc: 'SPI clock (Hz)' },
  spi_bus: { type: 'string', optional: true, doc: "Hardware SPI bus name (default: the MCU's first bus)" },
  spi_software_sclk_pin: optOutPin('Software SPI clock pin (all three software pins together)'),
  spi_software_mosi_pin: optOutPin('Software SPI data-out pin'),
  spi_software_miso_pin: optOutPin('Software SPI data-in pin'),
} as const;

export const UC1701_OPTIONS = defineOptions({
  cs_pin: outPin('Chip select pin'),
  a0_pin: outPin('A0 (command/data) pin'),
  rst_pin: optOutPin('Reset pin'),
  contrast: { type: 'int', default: 40, minval: 0, maxval: 63, doc: 'Contrast (0-63)' },
  ...SPI_BUS_OPTIONS,
});

export const SSD1306_OPTIONS = defineOptions({
  i2c_mcu: { type: 'string', default: 'mcu', doc: 'MCU the I2C bus is on' },
  i2c_bus: { type: 'string', optional: true, doc: "Hardware I2C bus name (default: the MCU's first bus)" },
  i2c_software_scl_pin: optOutPin('Software I2C clock pin'),
  i2c_software_sda_pin: optOutPin('Software I2C data pin'),
  i2c_speed: { type: 'int', default: 100000, minval: 1, doc: 'I2C clock (Hz)' },
  i2c_address: { type: 'int', default: 60, minval: 0, maxval: 127, doc: 'I2C address of the display (60 = 0x3C)' },
  cs_pin: optOutPin('SPI mode: chip select pin (instead of I2C)'),
  dc_pin: optOutPin('SPI mode: data/command pin'),
  ...SPI_BUS_OPTIONS,
  reset_pin: optOutPin('Reset pin'),
  contrast: { type: 'int', default: 239, minval: 0, maxval: 255, doc: 'Contrast (0-255)' },
  vcomh: { type: 'int', default: 0, minval: 0, maxval: 63, doc: 'VCOMH deselect level (0-63; 0 keeps the chip default)' },
  invert: { type: 'boolean', default: false, doc: 'Show light pixels on dark (inverted) colours' },
  x_offset: { type: 'int', default: 0, minval: 0, maxval: 3, doc: 'Columns the panel is shifted by (SH1106 panels often need 2)' },
});

export const DISPLAY_DATA_OPTIONS = defineOptions({
  position: { type: 'string', doc: 'Row and column of the text: "row, column"' },
  text: { type: 'string', doc: 'Template of the text (~name~ draws a [display_glyph])' },
});

export const DISPLAY_TEMPLATE_OPTIONS = defineOptions({
  text: { type: 'string', doc: 'Template rendered by render("name", param=...); param_* options give defaults' },
});

export const DISPLAY_GLYPH_OPTIONS = defineOptions({
  data: { type: 'string', optional: true, doc: '16 rows of 16 "." / "*" pixels for graphic displays and st7920' },
  hd44780_data: { type: 'string', optional: true, doc: '8 rows of 5 "." / "*" pixels for hd44780' },
  hd44780_slot: { type: 'int', optional: true, minval: 0, maxval: 7, doc: 'hd44780 character slot (0-7) for hd44780_data' },
});

export const MENU_TYPES = ['list', 'command', 'input', 'vsdlist', 'disabled'] as const;

export const MENU_OPTIONS = defineOptions({
  type: {
    type: 'choice',
    choices: MENU_TYPES,
    doc: 'list (a sub-menu), command (runs gcode), input (edits a value), vsdlist (SD card files), disabled',
  },
  name: { type: 'string', doc: 'Template of the shown name' },
  enable: { type: 'string', default: 'True', doc: 'Template: the item is shown when it renders true' },
  index: { type: 'int', optional: true, minval: 0, doc: 'Position among its siblings (default: after them)' },
  gcode: { type: 'string', default: '', doc: 'Template run on click (input: when the value is set; menu.input holds it)' },
  input: { type: 'string', optional: true, doc: 'Template of the starting value of an input item' },
  input_min: { type: 'float', optional: true, doc: 'Smallest value of an input item' },
  input_max: { type: 'float', optional: true, doc: 'Largest value of an input item' },
  input_step: { type: 'float', optional: true, above: 0, doc: 'Change per encoder click of an input item' },
  realtime: { type: 'boolean', default: false, doc: 'Input: run gcode at every change, not only on the final click' },
});
