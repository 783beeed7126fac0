// [lis2dw] / [lis3dh] (and [... NAME]): an ST LIS2DW12 or LIS3DH accelerometer on SPI (cs_pin)
// or I2C, read by the MCU's lis2dw commands (config_lis2dw with the bus and chip type,
// query_lis2dw, query_lis2dw_status; samples are the six output registers). The host sets the
// chip up from the datasheets: +-16 g, the FIFO in continuous/stream mode, then the data rate.
import type { ConfigSection } from '../config/section';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import { BulkAccelerometer, addAccelerometer, checkChipId } from './adxl345';
import { accelI2cBus, accelSpiBus } from './adxl345-bus';
import { checkRate } from './adxl345-options';
import { LIS2DW_FORMAT, LIS3DH_FORMAT } from './adxl345-samples';
import { LIS2DW_OPTIONS, LIS2DW_RATES, LIS3DH_OPTIONS, LIS3DH_RATES } from './lis2dw-options';

const REG_WHO_AM_I = 0x0f;
const REG_CTRL1 = 0x20; // LIS3DH: CTRL_REG1
const REG_CTRL2 = 0x21;
const REG_LIS3DH_CTRL4 = 0x23;
const REG_LIS3DH_CTRL5 = 0x24;
const REG_LIS2DW_CTRL6 = 0x25;
const REG_FIFO_CTRL = 0x2e;
const IDS = { lis2dw: 0x44, lis3dh: 0x33 } as const;
/** CTRL1 ODR code per rate. */
const LIS2DW_ODR: Record<number, number> = { 1600: 9, 800: 8, 400: 7, 200: 6, 100: 5, 50: 4, 25: 3 };
const LIS3DH_ODR: Record<number, number> = { 1344: 9, 400: 7, 200: 6, 100: 5, 50: 4, 25: 3 };
/** Poll the 32-entry FIFO every 8 samples: a quarter full. */
const SAMPLES_PER_POLL = 8;
const I2C_OPTIONS = ['i2c_address', 'i2c_mcu', 'i2c_bus', 'i2c_software_scl_pin', 'i2c_software_sda_pin'];

export type LisKind = 'lis2dw' | 'lis3dh';

export class Lis2dw extends BulkAccelerometer {
  private readonly odrCode: number;

  constructor(
    printer: Printer,
    section: ConfigSection,
    private readonly chipKind: LisKind,
  ) {
    const o = section.read(chipKind === 'lis2dw' ? LIS2DW_OPTIONS : LIS3DH_OPTIONS);
    const rates = chipKind === 'lis2dw' ? LIS2DW_RATES : LIS3DH_RATES;
    checkRate(section, o.rate, rates);
    const spiSoftware = ['spi_software_sclk_pin', 'spi_software_mosi_pin', 'spi_software_miso_pin'].find((n) => section.has(n));
    if (!o.cs_pin && spiSoftware)
      throw section.error(spiSoftware, `[${section.name}] on SPI needs cs_pin (without cs_pin the chip is on I2C)`);
    const i2cOption = I2C_OPTIONS.find((n) => section.has(n));
    if (o.cs_pin && i2cOption)
      throw section.error(
        i2cOption,
        `[${section.name}] has both cs_pin (SPI) and ${i2cOption} (I2C): keep the options of the bus the chip is on`,
      );
    const bus = o.cs_pin ? accelSpiBus(printer, section, { ...o, cs_pin: o.cs_pin }) : accelI2cBus(printer, section, o);
    super(
      section,
      o.axes_map,
      {
        kind: chipKind,
        bus,
        format: chipKind === 'lis2dw' ? LIS2DW_FORMAT : LIS3DH_FORMAT,
        rateHz: o.rate,
        samplesPerPoll: SAMPLES_PER_POLL,
        commandName: 'lis2dw',
      },
      (oid) =>
        `config_lis2dw oid=${oid} bus_oid=${bus.oid} bus_oid_type=${bus.kind} lis_chip_type=${chipKind === 'lis2dw' ? 'LIS2DW' : 'LIS3DH'}`,
    );
    this.odrCode = (chipKind === 'lis2dw' ? LIS2DW_ODR : LIS3DH_ODR)[o.rate]!;
  }

  protected async setupChip(): Promise<void> {
    checkChipId(this.chipKind, this.chipName, await this.bus.readReg(REG_WHO_AM_I), [IDS[this.chipKind]]);
    const w = (reg: number, v: number) => this.bus.writeReg(reg, v);
    if (this.chipKind === 'lis2dw') {
      await w(REG_CTRL1, 0x00); // power down while configuring
      await w(REG_CTRL2, 0x04); // register address auto-increment
      await w(REG_LIS2DW_CTRL6, 0x30); // +-16 g, bandwidth ODR/2
      await w(REG_FIFO_CTRL, 0x00); // bypass: empties the FIFO
      await w(REG_FIFO_CTRL, 0xc0); // continuous mode
    } else {
      await w(REG_CTRL1, 0x07); // power down, X/Y/Z enabled
      await w(REG_LIS3DH_CTRL4, 0x38); // +-16 g, high resolution
      await w(REG_LIS3DH_CTRL5, 0x40); // FIFO enabled
      await w(REG_FIFO_CTRL, 0x00); // bypass: empties the FIFO
      await w(REG_FIFO_CTRL, 0x80); // stream mode
    }
  }

  protected async startMeasuring(): Promise<void> {
    // LIS2DW: high-performance mode (MODE 01); LIS3DH: X/Y/Z enabled, normal/high-resolution.
    await this.bus.writeReg(REG_CTRL1, (this.odrCode << 4) | (this.chipKind === 'lis2dw' ? 0x04 : 0x07));
  }

  protected async stopMeasuring(): Promise<void> {
    await this.bus.writeReg(REG_CTRL1, this.chipKind === 'lis2dw' ? 0x00 : 0x07);
  }
}

/** [lis2dw ...] / [lis3dh ...]: the chip, registered with the shared accelerometer commands. */
export function loadLis2dw(printer: Printer, gcode: GCodeDispatcher, section: ConfigSection, kind: LisKind): Lis2dw {
  return addAccelerometer(printer, gcode, new Lis2dw(printer, section, kind), section);
}
