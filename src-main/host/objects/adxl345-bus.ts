// The bus an accelerometer's registers are read and written over: an SPI device (cs_pin, a
// hardware bus or three software pins) or an I2C device (i2c_mcu + i2c_bus, or two software
// pins). Register access goes through queries, so each write has happened on the chip before
// the next command (the sample polling) starts.
import type { ConfigSection } from '../config/section';
import type { Mcu } from '../mcu/mcu';
import { TmcSpiBus } from '../mcu/tmc-spi';
import type { PinDesc } from '../config/options';
import type { Printer } from '../printer';
import { addI2cBusConfig, i2cMcuOf } from './i2c-bus';
import { mcuForPin } from './mcu';
import type { PinRegistry } from './pins';

export interface AccelBus {
  readonly mcu: Mcu;
  /** The spi or i2c device's oid (config_spi / config_i2c). */
  readonly oid: number;
  readonly kind: 'spi' | 'i2c';
  readReg(reg: number): Promise<number>;
  writeReg(reg: number, value: number): Promise<void>;
}

export interface AccelSpiOptions {
  cs_pin: PinDesc;
  spi_speed: number;
  spi_bus?: string;
  spi_software_sclk_pin?: PinDesc;
  spi_software_mosi_pin?: PinDesc;
  spi_software_miso_pin?: PinDesc;
}

/** SPI mode 3; the first byte's bit 7 marks a read, its low bits the register. */
export function accelSpiBus(printer: Printer, section: ConfigSection, o: AccelSpiOptions): AccelBus {
  const pins = printer.lookupObject<PinRegistry>('pins');
  pins.claim(o.cs_pin, `[${section.name}] cs_pin`, section.placeOf('cs_pin'));
  const sw = { sclk: o.spi_software_sclk_pin, mosi: o.spi_software_mosi_pin, miso: o.spi_software_miso_pin };
  const swCount = Object.values(sw).filter(Boolean).length;
  if (swCount !== 0 && swCount !== 3)
    throw section.error(
      'spi_software_sclk_pin',
      `[${section.name}] needs all three of spi_software_sclk_pin, spi_software_mosi_pin and spi_software_miso_pin (or none, for a hardware bus)`,
    );
  for (const [opt, p] of Object.entries(sw)) {
    if (p) pins.claim(p, `[${section.name}] spi_software_${opt}_pin`, section.placeOf(`spi_software_${opt}_pin`), 'spi_software');
  }
  const mcu = mcuForPin(printer, o.cs_pin, section, 'cs_pin');
  const software = swCount === 3 ? { sclk: sw.sclk!, mosi: sw.mosi!, miso: sw.miso! } : undefined;
  const spi = new TmcSpiBus(mcu, { csPin: o.cs_pin, spiBus: o.spi_bus, software, speedHz: o.spi_speed, chainLength: 1, mode: 3 });
  const transfer = async (bytes: number[]) => {
    const cmd = mcu.lookupQueryCommand('spi_transfer oid=%c data=%*s', 'spi_transfer_response oid=%c response=%*s', spi.oid);
    return (await cmd.send([spi.oid, Uint8Array.from(bytes)])).response as Uint8Array;
  };
  return {
    mcu,
    get oid() {
      return spi.oid;
    },
    kind: 'spi',
    readReg: async (reg) => (await transfer([reg | 0x80, 0]))[1] ?? 0,
    writeReg: async (reg, value) => void (await transfer([reg & 0x3f, value])),
  };
}

export interface AccelI2cOptions {
  i2c_address: number;
  i2c_mcu: string;
  i2c_bus?: string;
  i2c_software_scl_pin?: PinDesc;
  i2c_software_sda_pin?: PinDesc;
  i2c_speed: number;
}

/** An I2C device: the register is the first byte written, a read follows a repeated start. */
export function accelI2cBus(printer: Printer, section: ConfigSection, o: AccelI2cOptions): AccelBus {
  const scl = o.i2c_software_scl_pin;
  const sda = o.i2c_software_sda_pin;
  const mcu = i2cMcuOf(printer, section, o, 'i2c_software');
  const oid = mcu.createOid();
  const address = o.i2c_address;
  mcu.registerConfigCallback(() => {
    addI2cBusConfig(mcu, section, oid, { address, speedHz: o.i2c_speed, bus: o.i2c_bus, software: scl && sda ? { scl, sda } : null });
  });
  const transfer = async (write: number[], readLen: number): Promise<Uint8Array> => {
    const cmd = mcu.lookupQueryCommand(
      'i2c_transfer oid=%c write=%*s read_len=%u',
      'i2c_response oid=%c i2c_bus_status=%c response=%*s',
      oid,
    );
    const r = await cmd.send([oid, Uint8Array.from(write), readLen]);
    const status = r.i2c_bus_status as number;
    if (status !== 0) {
      const name = mcu.dictionary.enumerations.get('i2c_bus_status')?.byValue.get(status) ?? String(status);
      throw new Error(
        `[${section.name}]: I2C request to address ${address} on MCU '${mcu.name}' reports ${name}: check the wiring and i2c_address`,
      );
    }
    return r.response as Uint8Array;
  };
  return {
    mcu,
    oid,
    kind: 'i2c',
    readReg: async (reg) => (await transfer([reg], 1))[0] ?? 0,
    writeReg: async (reg, value) => void (await transfer([reg, value], 0)),
  };
}
