// [mpu9250] / [mpu9250 NAME]: an InvenSense MPU-9250, MPU-9255, MPU-6500, MPU-6515 or MPU-6050
// (told apart by WHO_AM_I, as Klipper accepts them) on I2C, read by the MCU's mpu9250 commands
// (config_mpu9250, query_mpu9250, query_mpu9250_status; samples are the FIFO's 6-byte
// entries). The host sets the chip up from the datasheet: gyro off, +-16 g, the rate, then
// the FIFO collecting accelerometer samples.
import type { ConfigSection } from '../config/section';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import { BulkAccelerometer, addAccelerometer, checkChipId } from './adxl345';
import { accelI2cBus } from './adxl345-bus';
import { checkRate } from './adxl345-options';
import { MPU_FORMAT } from './adxl345-samples';
import { MPU9250_OPTIONS, MPU9250_RATES } from './mpu9250-options';

const REG_SMPLRT_DIV = 0x19;
const REG_CONFIG = 0x1a;
const REG_ACCEL_CONFIG = 0x1c;
const REG_ACCEL_CONFIG2 = 0x1d;
const REG_FIFO_EN = 0x23;
const REG_USER_CTRL = 0x6a;
const REG_PWR_MGMT_1 = 0x6b;
const REG_PWR_MGMT_2 = 0x6c;
const REG_WHO_AM_I = 0x75;
const MPU6050_ID = 0x68;
/** MPU-6050, MPU-6500, MPU-9250, MPU-9255, MPU-6515. */
export const MPU_IDS = [MPU6050_ID, 0x70, 0x71, 0x73, 0x74] as const;
/** The FIFO holds 512 bytes (85 samples): poll every 16 samples. */
export const MPU_SAMPLES_PER_POLL = 16;

export class Mpu9250 extends BulkAccelerometer {
  constructor(printer: Printer, section: ConfigSection) {
    const o = section.read(MPU9250_OPTIONS);
    checkRate(section, o.rate, MPU9250_RATES);
    const bus = accelI2cBus(printer, section, o);
    super(
      section,
      o.axes_map,
      { kind: 'mpu9250', bus, format: MPU_FORMAT, rateHz: o.rate, samplesPerPoll: MPU_SAMPLES_PER_POLL },
      (oid) => `config_mpu9250 oid=${oid} i2c_oid=${bus.oid}`,
    );
  }

  protected async setupChip(): Promise<void> {
    const id = await this.bus.readReg(REG_WHO_AM_I);
    checkChipId('mpu9250', this.chipName, id, MPU_IDS);
    if (id === MPU6050_ID && this.rateHz > 1000)
      throw new Error(
        `[mpu9250${this.chipName === 'mpu9250' ? '' : ` ${this.chipName}`}]: the chip is an MPU-6050 (id 0x68), which samples at most 1000 Hz: set rate: 1000`,
      );
    const w = (reg: number, v: number) => this.bus.writeReg(reg, v);
    await w(REG_PWR_MGMT_1, 0x00); // awake, internal oscillator
    await w(REG_PWR_MGMT_2, 0x07); // gyro off, accelerometer on
    await w(REG_USER_CTRL, 0x04); // FIFO off and emptied
    await w(REG_ACCEL_CONFIG, 0x18); // +-16 g
    if (this.rateHz === 4000) {
      await w(REG_ACCEL_CONFIG2, 0x08); // filter bypassed: 4 kHz
      await w(REG_SMPLRT_DIV, 0);
    } else {
      await w(REG_CONFIG, 0x01);
      await w(REG_ACCEL_CONFIG2, 0x00); // filtered: 1 kHz / (1 + SMPLRT_DIV)
      await w(REG_SMPLRT_DIV, Math.round(1000 / this.rateHz) - 1);
    }
    await w(REG_FIFO_EN, 0x08); // the FIFO takes accelerometer samples
  }

  protected async startMeasuring(): Promise<void> {
    await this.bus.writeReg(REG_USER_CTRL, 0x44); // FIFO emptied and on: sample 0 is the next
  }

  protected async stopMeasuring(): Promise<void> {
    await this.bus.writeReg(REG_USER_CTRL, 0x00);
    await this.bus.writeReg(REG_PWR_MGMT_1, 0x40); // sleep
  }
}

/** [mpu9250 ...]: the chip, registered with the shared accelerometer commands. */
export function loadMpu9250(printer: Printer, gcode: GCodeDispatcher, section: ConfigSection): Mpu9250 {
  return addAccelerometer(printer, gcode, new Mpu9250(printer, section), section);
}
