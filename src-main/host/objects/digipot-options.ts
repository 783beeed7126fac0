// [ad5206], [dac084S085], [mcp4451], [mcp4018], [mcp4728]: the current-control chips of stock
// boards (digital potentiometers and DACs setting the stepper drivers' reference voltage).
// Klipper's options and defaults; every value is 0..scale (checked in digipot.ts, where scale is known).
import { defineOptions } from '../config/options';

export const DIGIPOT_SCALE_OPTIONS = defineOptions({
  scale: {
    type: 'float',
    default: 1,
    above: 0,
    doc: 'What a full-scale value is written as (e.g. amps at the highest setting); values are 0..scale',
  },
});

/** An SPI chip whose chip select is its enable_pin. */
export const DIGIPOT_SPI_OPTIONS = defineOptions({
  enable_pin: { type: 'pin', doc: 'Chip select pin of the chip' },
  spi_bus: { type: 'string', optional: true, doc: "Hardware SPI bus name of the MCU (default: the MCU's first bus)" },
  spi_software_sclk_pin: { type: 'pin', optional: true, doc: 'Software SPI clock pin (all three software pins together)' },
  spi_software_mosi_pin: { type: 'pin', optional: true, doc: 'Software SPI MOSI pin' },
  spi_software_miso_pin: { type: 'pin', optional: true, doc: 'Software SPI MISO pin' },
});

export const AD5206_OPTIONS = defineOptions({
  spi_speed: { type: 'int', default: 25000000, minval: 1, doc: 'SPI clock (Hz)' },
  channel_1: { type: 'float', optional: true, minval: 0, doc: 'Value of channel 1 (0..scale; unset: not written)' },
  channel_2: { type: 'float', optional: true, minval: 0, doc: 'Value of channel 2 (0..scale; unset: not written)' },
  channel_3: { type: 'float', optional: true, minval: 0, doc: 'Value of channel 3 (0..scale; unset: not written)' },
  channel_4: { type: 'float', optional: true, minval: 0, doc: 'Value of channel 4 (0..scale; unset: not written)' },
  channel_5: { type: 'float', optional: true, minval: 0, doc: 'Value of channel 5 (0..scale; unset: not written)' },
  channel_6: { type: 'float', optional: true, minval: 0, doc: 'Value of channel 6 (0..scale; unset: not written)' },
});

export const DAC084S085_OPTIONS = defineOptions({
  spi_speed: { type: 'int', default: 10000000, minval: 1, doc: 'SPI clock (Hz)' },
  channel_a: { type: 'float', optional: true, minval: 0, doc: 'Value of output A (0..scale; unset: not written)' },
  channel_b: { type: 'float', optional: true, minval: 0, doc: 'Value of output B (0..scale; unset: not written)' },
  channel_c: { type: 'float', optional: true, minval: 0, doc: 'Value of output C (0..scale; unset: not written)' },
  channel_d: { type: 'float', optional: true, minval: 0, doc: 'Value of output D (0..scale; unset: not written)' },
});

/** The I2C bus a chip is on (hardware bus or two software pins). */
export const DIGIPOT_I2C_OPTIONS = defineOptions({
  i2c_mcu: { type: 'string', default: 'mcu', doc: 'MCU the I2C bus is on' },
  i2c_bus: { type: 'string', optional: true, doc: "Hardware I2C bus name (default: the MCU's first bus)" },
  i2c_software_scl_pin: { type: 'pin', optional: true, doc: 'Software I2C clock pin' },
  i2c_software_sda_pin: { type: 'pin', optional: true, doc: 'Software I2C data pin' },
  i2c_speed: { type: 'int', default: 100000, minval: 1, doc: 'I2C clock (Hz)' },
});

export const MCP4451_OPTIONS = defineOptions({
  i2c_address: { type: 'int', minval: 0, maxval: 127, doc: 'I2C address of the chip (required: 44..47 by its A0/A1 pins)' },
  wiper_0: { type: 'float', optional: true, minval: 0, doc: 'Wiper 0 (0..scale; unset: not written)' },
  wiper_1: { type: 'float', optional: true, minval: 0, doc: 'Wiper 1 (0..scale; unset: not written)' },
  wiper_2: { type: 'float', optional: true, minval: 0, doc: 'Wiper 2 (0..scale; unset: not written)' },
  wiper_3: { type: 'float', optional: true, minval: 0, doc: 'Wiper 3 (0..scale; unset: not written)' },
});

export const MCP4018_OPTIONS = defineOptions({
  i2c_address: { type: 'int', default: 47, minval: 0, maxval: 127, doc: 'I2C address of the chip (47 = 0x2f)' },
  wiper: { type: 'float', minval: 0, doc: 'Wiper value at start-up (0..scale); SET_DIGIPOT changes it' },
});

export const MCP4728_OPTIONS = defineOptions({
  i2c_address: { type: 'int', default: 96, minval: 0, maxval: 127, doc: 'I2C address of the chip (96 = 0x60)' },
  channel_a: { type: 'float', optional: true, minval: 0, doc: 'Value of output A (0..scale; unset: not written)' },
  channel_b: { type: 'float', optional: true, minval: 0, doc: 'Value of output B (0..scale; unset: not written)' },
  channel_c: { type: 'float', optional: true, minval: 0, doc: 'Value of output C (0..scale; unset: not written)' },
  channel_d: { type: 'float', optional: true, minval: 0, doc: 'Value of output D (0..scale; unset: not written)' },
});
