// [led NAME], [neopixel NAME], [dotstar NAME], [pca9533 NAME], [pca9632 NAME]: Klipper's options and defaults.
import { defineOptions } from '../config/options';

/** The colour every LED of the section shows at start-up (0..1 each). */
export const LED_INITIAL_OPTIONS = defineOptions({
  initial_RED: { type: 'float', default: 0, minval: 0, maxval: 1, doc: 'Red at start-up (0..1)' },
  initial_GREEN: { type: 'float', default: 0, minval: 0, maxval: 1, doc: 'Green at start-up (0..1)' },
  initial_BLUE: { type: 'float', default: 0, minval: 0, maxval: 1, doc: 'Blue at start-up (0..1)' },
  initial_WHITE: { type: 'float', default: 0, minval: 0, maxval: 1, doc: 'White at start-up (0..1)' },
});

export const LED_PWM_OPTIONS = defineOptions({
  red_pin: { type: 'pin', optional: true, canInvert: true, doc: 'PWM pin of the red channel' },
  green_pin: { type: 'pin', optional: true, canInvert: true, doc: 'PWM pin of the green channel' },
  blue_pin: { type: 'pin', optional: true, canInvert: true, doc: 'PWM pin of the blue channel' },
  white_pin: { type: 'pin', optional: true, canInvert: true, doc: 'PWM pin of the white channel' },
  cycle_time: { type: 'float', default: 0.01, above: 0, maxval: 5, doc: 'PWM period (s)' },
  hardware_pwm: { type: 'boolean', default: false, doc: 'Use the MCU hardware PWM' },
});

export const NEOPIXEL_OPTIONS = defineOptions({
  pin: { type: 'pin', doc: 'Data pin of the WS2812 chain' },
  chain_count: { type: 'int', default: 1, minval: 1, doc: 'Number of LEDs in the chain' },
  color_order: {
    type: 'stringList',
    default: ['GRB'],
    doc: 'Byte order of each LED (GRB, RGB, GRBW, ...): one for all, or one per LED separated by commas',
  },
});

export const DOTSTAR_OPTIONS = defineOptions({
  data_pin: { type: 'pin', doc: 'Data pin of the APA102 chain' },
  clock_pin: { type: 'pin', doc: 'Clock pin of the APA102 chain' },
  chain_count: { type: 'int', default: 1, minval: 1, doc: 'Number of LEDs in the chain' },
});

/** [pca9533]/[pca9632]: the chip on an I2C bus. */
export const PCA_I2C_OPTIONS = defineOptions({
  i2c_address: { type: 'int', default: 98, minval: 0, maxval: 127, doc: 'I2C address of the chip (98 = 0x62)' },
  i2c_mcu: { type: 'string', default: 'mcu', doc: 'MCU the I2C bus is on' },
  i2c_bus: { type: 'string', optional: true, doc: "Hardware I2C bus name (default: the MCU's first bus)" },
  i2c_software_scl_pin: { type: 'pin', optional: true, doc: 'Software I2C clock pin' },
  i2c_software_sda_pin: { type: 'pin', optional: true, doc: 'Software I2C data pin' },
  i2c_speed: { type: 'int', default: 100000, minval: 1, doc: 'I2C clock (Hz)' },
});
export const PCA9632_OPTIONS = defineOptions({
  color_order: { type: 'string', default: 'RGBW', doc: 'Which colour each of the outputs LED0..LED3 drives (RGBW by default)' },
});
