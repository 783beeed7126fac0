// [mpu9250] and [icm20948] options (Klipper's names and defaults). Pure data for the catalog.
import { accelI2cOptions, accelRateOptions } from './adxl345-options';

/** MPU-9250/6500: 4000 Hz with the filter bypassed, else 1 kHz / (1 + SMPLRT_DIV). */
export const MPU9250_RATES = [4000, 1000, 500, 250, 200, 125, 100] as const;
/** ICM-20948: 4500 Hz with the filter bypassed, else 1125 Hz / (1 + divider). */
export const ICM20948_RATES = [4500, 1125, 375, 225, 125] as const;

/** I2C address 0x68 (AD0 low). */
export const MPU9250_OPTIONS = { ...accelI2cOptions(0x68), ...accelRateOptions(MPU9250_RATES) };
export const ICM20948_OPTIONS = { ...accelI2cOptions(0x68), ...accelRateOptions(ICM20948_RATES) };
