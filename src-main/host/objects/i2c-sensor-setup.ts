// A section's I2C sensor (sensor_type BME280, SHT3X, AHT10, HTU21D, LM75, MCP9808, ...): its
// options read, its chip driver, its bus on the MCU, and its status object ('bme280 chamber',
// as Klipper names it: the chip family and the section name's last word).
import type { ConfigSection } from '../config/section';
import type { Printer } from '../printer';
import { AhtChip } from './i2c-aht';
import { Bme280Chip } from './i2c-bme280';
import { Htu21dChip, type Htu21dResolution } from './i2c-htu21d';
import { Lm75Chip } from './i2c-lm75';
import { Mcp9808Chip } from './i2c-mcp9808';
import { DIGIPOT_I2C_OPTIONS } from './digipot-options';
import { i2cDeviceOf, I2cTemperatureSensor, type I2cBus, type I2cChip } from './i2c-sensor';
import { I2C_SENSOR_OPTIONS, I2C_SENSOR_TYPES, isI2cSensorType, type I2cSensorType } from './i2c-sensor-options';
import { Sht3xChip } from './i2c-sht3x';

/** The chip driver a sensor_type names, with its options (report time, resolution) read. */
export function i2cChipOf(section: ConfigSection, sensorType: string): I2cChip {
  const o = section.read(I2C_SENSOR_OPTIONS);
  if (!Object.hasOwn(I2C_SENSOR_TYPES, sensorType))
    throw section.error(
      'sensor_type',
      `sensor_type ${sensorType} in section '${section.name}' is not supported yet (I2C sensors: ${Object.keys(I2C_SENSOR_TYPES).join(', ')})`,
    );
  const type = sensorType as I2cSensorType;
  switch (I2C_SENSOR_TYPES[type].family) {
    case 'bme280':
      return new Bme280Chip(type as 'BME280' | 'BMP280', o.bme280_report_time);
    case 'sht3x':
      return new Sht3xChip(o.sht3x_report_time);
    case 'aht10':
      return new AhtChip(type as 'AHT10' | 'AHT20' | 'AHT21', o.aht10_report_time);
    case 'htu21d':
      return new Htu21dChip(type, o.htu21d_report_time, o.htu21d_resolution as Htu21dResolution, o.htu21d_hold_master);
    case 'lm75':
      return new Lm75Chip(o.lm75_report_time);
    case 'mcp9808':
      return new Mcp9808Chip(o.mcp9808_report_time);
  }
}

/**
 * The sensor of `section` (a heater, [temperature_sensor], [temperature_fan]): on i2c_mcu's bus
 * (or software pins) at i2c_address, default the chip's. `bus` replaces the MCU (unit tests).
 */
export function i2cSensorOf(
  printer: Printer,
  section: ConfigSection,
  sensorType: string,
  minTempC: number,
  maxTempC: number,
  printTimeS: () => number,
  bus?: I2cBus,
): I2cTemperatureSensor {
  const chip = i2cChipOf(section, sensorType);
  const type = sensorType as I2cSensorType;
  const address = section.read(I2C_SENSOR_OPTIONS).i2c_address ?? I2C_SENSOR_TYPES[type].address;
  const dev = bus ?? i2cDeviceOf(printer, section, address);
  const sensor = new I2cTemperatureSensor(printer, section.name, chip, address, dev, minTempC, maxTempC, printTimeS);
  const statusName = `${I2C_SENSOR_TYPES[type].family} ${section.name.split(' ').at(-1)}`;
  if (!printer.lookupObjectOrNull(statusName)) printer.addObject(statusName, sensor);
  return sensor;
}

/**
 * Batch mode (no MCU to read from): a section with an I2C sensor_type has its options checked
 * and read, so the file loads as on a live printer; other sections are left alone.
 */
export function checkI2cSensorOptions(section: ConfigSection): void {
  const type = section.has('sensor_type') ? section.getString('sensor_type') : '';
  if (!isI2cSensorType(type)) return;
  i2cChipOf(section, type);
  section.read(DIGIPOT_I2C_OPTIONS);
}
