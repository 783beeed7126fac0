// What the current-control chips share: a value 0..scale turned into the chip's code, and the
// bus the chip is on. They are written once, while the MCU is configured (init commands, as
// Klipper does), so a batch-mode output carries them too; [mcp4018] can also be changed later.
import type { ConfigSection } from '../config/section';
import type { Mcu, McuCommand } from '../mcu/mcu';
import { TmcSpiBus } from '../mcu/tmc-spi';
import type { Printer } from '../printer';
import { DIGIPOT_I2C_OPTIONS, DIGIPOT_SCALE_OPTIONS, DIGIPOT_SPI_OPTIONS } from './digipot-options';
import { addI2cBusConfig, i2cMcuOf } from './i2c-bus';
import { mcuForPin } from './mcu';
import type { PinRegistry } from './pins';

/** The chip's code for `value` of `scale` (0 .. maxCode, rounded to the nearest step). */
export function digipotCode(value: number, scale: number, maxCode: number): number {
  return Math.min(maxCode, Math.max(0, Math.round((value / scale) * maxCode)));
}

/** The set values of these options (0..scale each, Klipper's range error otherwise), by option name. */
export function readScaledValues(section: ConfigSection, names: readonly string[]): { scale: number; values: Map<string, number> } {
  const { scale } = section.read(DIGIPOT_SCALE_OPTIONS);
  const values = new Map<string, number>();
  for (const name of names) {
    if (section.has(name)) values.set(name, section.getFloat(name, undefined, { minval: 0, maxval: scale }));
  }
  return { scale, values };
}

/** The SPI device whose chip select is enable_pin (hardware bus or three software pins). */
export function digipotSpi(printer: Printer, section: ConfigSection, mode: number, speedHz: number): TmcSpiBus {
  const o = section.read(DIGIPOT_SPI_OPTIONS);
  const pins = printer.lookupObject<PinRegistry>('pins');
  pins.claim(o.enable_pin, `[${section.name}] enable_pin`, section.placeOf('enable_pin'));
  const sw = { sclk: o.spi_software_sclk_pin, mosi: o.spi_software_mosi_pin, miso: o.spi_software_miso_pin };
  const swCount = Object.values(sw).filter(Boolean).length;
  if (swCount !== 0 && swCount !== 3)
    throw section.error(
      'spi_software_sclk_pin',
      `[${section.name}] needs all three of spi_software_sclk_pin, spi_software_mosi_pin and spi_software_miso_pin (or none, for a hardware bus)`,
    );
  for (const [opt, p] of Object.entries(sw)) {
    if (!p) continue;
    if (p.chip !== o.enable_pin.chip)
      throw section.error(
        `spi_software_${opt}_pin`,
        `spi_software_${opt}_pin must be on the MCU of enable_pin in section '${section.name}'`,
      );
    // Software SPI lines are shared by the chip selects of a board.
    pins.claim(p, `[${section.name}] spi_software_${opt}_pin`, section.placeOf(`spi_software_${opt}_pin`), 'digipot_spi_software');
  }
  const mcu = mcuForPin(printer, o.enable_pin, section, 'enable_pin');
  const software = swCount === 3 ? { sclk: sw.sclk!, mosi: sw.mosi!, miso: sw.miso! } : undefined;
  return new TmcSpiBus(mcu, { csPin: o.enable_pin, spiBus: o.spi_bus, software, speedHz, chainLength: 1, mode });
}

/** An I2C device (config_i2c + i2c_set_bus or i2c_set_sw_bus); writes are i2c_transfer with read_len 0. */
export class DigipotI2c {
  readonly oid: number;
  private cmd: McuCommand | null = null;

  constructor(
    readonly mcu: Mcu,
    section: ConfigSection,
    address: number,
  ) {
    const o = section.read(DIGIPOT_I2C_OPTIONS);
    const scl = o.i2c_software_scl_pin;
    const sda = o.i2c_software_sda_pin;
    this.oid = mcu.createOid();
    mcu.registerConfigCallback(() => {
      addI2cBusConfig(mcu, section, this.oid, {
        address,
        speedHz: o.i2c_speed,
        bus: o.i2c_bus,
        software: scl && sda ? { scl, sda } : null,
      });
      this.cmd = mcu.lookupCommand('i2c_transfer oid=%c write=%*s read_len=%u', mcu.allocCommandQueue());
    });
  }

  /** A write sent with the MCU's init commands. */
  addInitWrite(bytes: ArrayLike<number>): void {
    this.mcu.addConfigCmd(`i2c_transfer oid=${this.oid} write=${Buffer.from(Array.from(bytes)).toString('hex')} read_len=0`, {
      isInit: true,
    });
  }

  /** A write now (in the background, not after the queued moves). */
  write(bytes: ArrayLike<number>): void {
    if (!this.cmd || this.mcu.isShutdown()) return;
    this.cmd.send([this.oid, Uint8Array.from(Array.from(bytes)), 0], { minClock: 0, reqClock: this.mcu.backgroundReqClock() });
  }
}

/** The I2C device of a section: on i2c_mcu, or on the MCU of its software pins. */
export function digipotI2c(printer: Printer, section: ConfigSection, address: number): DigipotI2c {
  // Several chips often share the clock line (mightyboard: one SCL, a data pin per axis).
  const mcu = i2cMcuOf(printer, section, section.read(DIGIPOT_I2C_OPTIONS), 'digipot_i2c_software');
  return new DigipotI2c(mcu, section, address);
}
