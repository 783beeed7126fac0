// [icm20948] / [icm20948 NAME]: an InvenSense ICM-20948 on I2C, read by the MCU's icm20948
// commands (config_icm20948, query_icm20948, query_icm20948_status; the firmware shares
// mpu9250.c, the FIFO working alike). Registers are in banks (REG_BANK_SEL): the rate and
// range live in bank 2, everything else in bank 0, where the chip is left for the MCU.
import type { ConfigSection } from '../config/section';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import { BulkAccelerometer, addAccelerometer, checkChipId } from './adxl345';
import { accelI2cBus } from './adxl345-bus';
import { checkRate } from './adxl345-options';
import { MPU_FORMAT } from './adxl345-samples';
import { MPU_SAMPLES_PER_POLL } from './mpu9250';
import { ICM20948_OPTIONS, ICM20948_RATES } from './mpu9250-options';

// Bank 0
const REG_WHO_AM_I = 0x00;
const REG_USER_CTRL = 0x03;
const REG_PWR_MGMT_1 = 0x06;
const REG_PWR_MGMT_2 = 0x07;
const REG_FIFO_EN_2 = 0x67;
const REG_FIFO_RST = 0x68;
const REG_FIFO_MODE = 0x69;
const REG_BANK_SEL = 0x7f;
// Bank 2
const REG_ACCEL_SMPLRT_DIV_1 = 0x10;
const REG_ACCEL_SMPLRT_DIV_2 = 0x11;
const REG_ACCEL_CONFIG = 0x14;
const ICM20948_ID = 0xea;

export class Icm20948 extends BulkAccelerometer {
  constructor(printer: Printer, section: ConfigSection) {
    const o = section.read(ICM20948_OPTIONS);
    checkRate(section, o.rate, ICM20948_RATES);
    const bus = accelI2cBus(printer, section, o);
    super(
      section,
      o.axes_map,
      { kind: 'icm20948', bus, format: MPU_FORMAT, rateHz: o.rate, samplesPerPoll: MPU_SAMPLES_PER_POLL },
      (oid) => `config_icm20948 oid=${oid} i2c_oid=${bus.oid}`,
    );
  }

  protected async setupChip(): Promise<void> {
    const w = (reg: number, v: number) => this.bus.writeReg(reg, v);
    await w(REG_BANK_SEL, 0x00);
    checkChipId('icm20948', this.chipName, await this.bus.readReg(REG_WHO_AM_I), [ICM20948_ID]);
    await w(REG_PWR_MGMT_1, 0x01); // awake, best clock
    await w(REG_PWR_MGMT_2, 0x07); // gyro off, accelerometer on
    await w(REG_USER_CTRL, 0x00); // FIFO off
    await w(REG_FIFO_MODE, 0x00); // stream
    await w(REG_FIFO_EN_2, 0x10); // the FIFO takes accelerometer samples
    await w(REG_BANK_SEL, 0x20);
    const div = this.rateHz === 4500 ? 0 : Math.round(1125 / this.rateHz) - 1;
    await w(REG_ACCEL_SMPLRT_DIV_1, div >> 8);
    await w(REG_ACCEL_SMPLRT_DIV_2, div & 0xff);
    // +-16 g; ACCEL_FCHOICE 0 bypasses the filter (4.5 kHz), 1 filters at 1125 Hz / (1 + div).
    await w(REG_ACCEL_CONFIG, (3 << 1) | (this.rateHz === 4500 ? 0 : 1));
    await w(REG_BANK_SEL, 0x00);
  }

  protected async startMeasuring(): Promise<void> {
    await this.bus.writeReg(REG_FIFO_RST, 0x1f);
    await this.bus.writeReg(REG_FIFO_RST, 0x00);
    await this.bus.writeReg(REG_USER_CTRL, 0x40); // FIFO on: sample 0 is the next
  }

  protected async stopMeasuring(): Promise<void> {
    await this.bus.writeReg(REG_USER_CTRL, 0x00);
    await this.bus.writeReg(REG_PWR_MGMT_1, 0x41); // sleep
  }
}

/** [icm20948 ...]: the chip, registered with the shared accelerometer commands. */
export function loadIcm20948(printer: Printer, gcode: GCodeDispatcher, section: ConfigSection): Icm20948 {
  return addAccelerometer(printer, gcode, new Icm20948(printer, section), section);
}
