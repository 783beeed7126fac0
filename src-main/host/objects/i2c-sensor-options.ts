// The I2C environment sensors' sensor_type names (Klipper's) and their per-chip options. Pure
// data: the config editor's catalog imports it. The bus options (i2c_mcu, i2c_bus, i2c_speed,
// software pins) are the I2C chips' shared table (DIGIPOT_I2C_OPTIONS).
import { defineOptions } from '../config/options';
import { DIGIPOT_I2C_OPTIONS } from './digipot-options';

/** The chip family behind each sensor_type, its default address and its status object prefix. */
export const I2C_SENSOR_TYPES = {
  BME280: { family: 'bme280', address: 0x76 },
  BMP280: { family: 'bme280', address: 0x76 },
  SHT3X: { family: 'sht3x', address: 0x44 },
  AHT10: { family: 'aht10', address: 0x38 },
  AHT20: { family: 'aht10', address: 0x38 },
  AHT21: { family: 'aht10', address: 0x38 },
  HTU21D: { family: 'htu21d', address: 0x40 },
  SI7013: { family: 'htu21d', address: 0x40 },
  SI7020: { family: 'htu21d', address: 0x40 },
  SI7021: { family: 'htu21d', address: 0x40 },
  SHT21: { family: 'htu21d', address: 0x40 },
  LM75: { family: 'lm75', address: 0x48 },
  MCP9808: { family: 'mcp9808', address: 0x18 },
} as const;

export type I2cSensorType = keyof typeof I2C_SENSOR_TYPES;

/** Klipper sensor types of the bme280 family whose register maps differ: named so the error is clear. */
export const I2C_SENSOR_TYPES_NOT_YET = ['BME680', 'BMP180', 'BMP388'] as const;

/** The bare sections that only load a sensor type in Klipper ([bme280], [sht3x], ...). */
export const I2C_SENSOR_SECTIONS = ['bme280', 'sht3x', 'aht10', 'htu21d', 'lm75', 'mcp9808'] as const;

export function isI2cSensorType(type: string): boolean {
  return Object.hasOwn(I2C_SENSOR_TYPES, type) || (I2C_SENSOR_TYPES_NOT_YET as readonly string[]).includes(type);
}

export const HTU21D_RESOLUTIONS = ['TEMP14_HUM12', 'TEMP13_HUM10', 'TEMP12_HUM08', 'TEMP11_HUM11'] as const;

export const I2C_SENSOR_OPTIONS = defineOptions({
  i2c_address: {
    type: 'int',
    optional: true,
    minval: 0,
    maxval: 127,
    doc: "I2C sensors: 7-bit address (default: the chip's, e.g. BME280 118 = 0x76, SHT3X 68, AHT10 56, HTU21D 64, LM75 72)",
  },
  bme280_report_time: { type: 'float', default: 0.8, minval: 0.5, doc: 'BME280/BMP280: seconds between readings' },
  bme280_iir_filter: { type: 'int', optional: true, minval: 0, maxval: 7, doc: 'BMP388 only: IIR filter (not used for BME280/BMP280)' },
  bme280_gas_target_temp: { type: 'float', optional: true, doc: 'BME680 only: gas heater target (C)' },
  bme280_gas_heat_duration: { type: 'int', optional: true, doc: 'BME680 only: gas heater duration (ms)' },
  sht3x_report_time: { type: 'int', default: 1, minval: 1, doc: 'SHT3X: seconds between readings' },
  aht10_report_time: { type: 'int', default: 30, minval: 5, doc: 'AHT10/AHT20/AHT21: seconds between readings' },
  htu21d_report_time: { type: 'int', default: 30, minval: 5, doc: 'HTU21D family: seconds between readings' },
  htu21d_resolution: {
    type: 'choice',
    choices: HTU21D_RESOLUTIONS,
    default: 'TEMP11_HUM11',
    doc: 'HTU21D family: temperature/humidity resolution in bits',
  },
  htu21d_hold_master: { type: 'boolean', default: false, doc: 'HTU21D family: the chip holds the bus while measuring' },
  lm75_report_time: { type: 'float', default: 0.8, minval: 0.5, doc: 'LM75: seconds between readings' },
  mcp9808_report_time: { type: 'float', default: 0.8, minval: 0.5, doc: 'MCP9808: seconds between readings' },
});

/** Everything an I2C sensor's section may set (the editor's catalog spreads it into the sensor sections' tables). */
export const I2C_SENSOR_SECTION_OPTIONS = { ...I2C_SENSOR_OPTIONS, ...DIGIPOT_I2C_OPTIONS };
