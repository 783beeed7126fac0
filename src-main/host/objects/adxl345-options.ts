// [adxl345] options (Klipper's names and defaults). Pure data for the catalog.
import { defineOptions } from '../config/options';

/** The output data rates the chip offers (BW_RATE codes 0x0f down to 0x0a). */
export const ADXL345_RATES = [3200, 1600, 800, 400, 200, 100] as const;

export const ADXL345_OPTIONS = defineOptions({
  cs_pin: { type: 'pin', doc: 'Chip select pin of the ADXL345' },
  spi_speed: { type: 'int', default: 5000000, minval: 1, doc: 'SPI clock (Hz); the chip allows 5 MHz' },
  spi_bus: { type: 'string', optional: true, doc: "Hardware SPI bus name of the MCU (default: the MCU's first bus)" },
  spi_software_sclk_pin: { type: 'pin', optional: true, doc: 'Software SPI clock pin (all three software pins together)' },
  spi_software_mosi_pin: { type: 'pin', optional: true, doc: 'Software SPI MOSI pin' },
  spi_software_miso_pin: { type: 'pin', optional: true, doc: 'Software SPI MISO pin' },
  axes_map: { type: 'string', default: 'x, y, z', doc: "The chip's axes on the printer's, e.g. 'x, z, -y'" },
  rate: { type: 'int', default: 3200, doc: 'Output data rate (Hz): 3200, 1600, 800, 400, 200 or 100' },
});

/** An accelerometer on SPI or I2C ([lis2dw], [lis3dh]): cs_pin picks SPI, its absence I2C. */
export const ACCEL_SPI_OR_I2C_SPI_OPTIONS = defineOptions({
  cs_pin: { type: 'pin', optional: true, doc: 'Chip select pin when the chip is on SPI (leave out for I2C)' },
  spi_speed: { type: 'int', default: 5000000, minval: 1, doc: 'SPI clock (Hz)' },
  spi_bus: { type: 'string', optional: true, doc: "Hardware SPI bus name of the MCU (default: the MCU's first bus)" },
  spi_software_sclk_pin: { type: 'pin', optional: true, doc: 'Software SPI clock pin (all three software pins together)' },
  spi_software_mosi_pin: { type: 'pin', optional: true, doc: 'Software SPI MOSI pin' },
  spi_software_miso_pin: { type: 'pin', optional: true, doc: 'Software SPI MISO pin' },
});

/** An accelerometer's I2C options; the address default is the chip's. */
export function accelI2cOptions(defaultAddress: number) {
  return defineOptions({
    i2c_address: {
      type: 'int',
      default: defaultAddress,
      minval: 0,
      maxval: 127,
      doc: `I2C address of the chip (default ${defaultAddress})`,
    },
    i2c_mcu: { type: 'string', default: 'mcu', doc: 'MCU the I2C bus is on' },
    i2c_bus: { type: 'string', optional: true, doc: "Hardware I2C bus name (default: the MCU's first bus)" },
    i2c_software_scl_pin: { type: 'pin', optional: true, doc: 'Software I2C clock pin' },
    i2c_software_sda_pin: { type: 'pin', optional: true, doc: 'Software I2C data pin' },
    i2c_speed: { type: 'int', default: 400000, minval: 1, doc: 'I2C clock (Hz); fast mode keeps up with the sample rate' },
  });
}

/** axes_map and rate, with the chip's rates. */
export function accelRateOptions(rates: readonly number[]) {
  return defineOptions({
    axes_map: { type: 'string', default: 'x, y, z', doc: "The chip's axes on the printer's, e.g. 'x, z, -y'" },
    rate: { type: 'int', default: rates[0], doc: `Output data rate (Hz): ${rates.join(', ')}` },
  });
}

/** The rate option checked against the chip's rates. */
export function checkRate(section: { error(o: string, r: string): Error }, rate: number, rates: readonly number[]): void {
  if (!rates.includes(rate)) throw section.error('rate', `Invalid rate parameter: ${rate} (choose one of ${rates.join(', ')})`);
}
