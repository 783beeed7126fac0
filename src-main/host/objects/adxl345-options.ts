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
