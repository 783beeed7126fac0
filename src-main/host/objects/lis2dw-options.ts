// [lis2dw] and [lis3dh] options (Klipper's names and defaults). Pure data for the catalog.
import { ACCEL_SPI_OR_I2C_SPI_OPTIONS, accelI2cOptions, accelRateOptions } from './adxl345-options';

/** LIS2DW12 high-performance output data rates (CTRL1 ODR codes 9 down to 3). */
export const LIS2DW_RATES = [1600, 800, 400, 200, 100, 50, 25] as const;
/** LIS3DH normal/high-resolution rates (CTRL_REG1 ODR codes 9, 7, 6, 5, 4, 3). */
export const LIS3DH_RATES = [1344, 400, 200, 100, 50, 25] as const;

/** I2C address 0x19 (SA0/SDO high), as on common breakout boards. */
export const LIS2DW_OPTIONS = { ...ACCEL_SPI_OR_I2C_SPI_OPTIONS, ...accelI2cOptions(0x19), ...accelRateOptions(LIS2DW_RATES) };
export const LIS3DH_OPTIONS = { ...ACCEL_SPI_OR_I2C_SPI_OPTIONS, ...accelI2cOptions(0x19), ...accelRateOptions(LIS3DH_RATES) };
