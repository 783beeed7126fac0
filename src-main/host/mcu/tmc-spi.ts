// Trinamic SPI (TMC2130/5160/2240): 40-bit datagrams, an address byte (bit 7 set = write) and a
// 32-bit value MSB first. A read answers in the NEXT transfer, so a read is two transfers with
// the same address. Drivers may be daisy-chained on one chip select: each transfer then carries
// 5 bytes per driver, and the bytes sent first travel furthest down the chain, so driver
// `chain_position` p of n owns bytes (n - p) * 5 .. +5. The MCU side is Klipper's SPI commands
// (config_spi, spi_set_bus / spi_set_sw_bus, spi_send, spi_transfer -> spi_transfer_response).
// The TMC2660 takes 20-bit datagrams instead (register in bits 19..17), sent as 3 bytes: the
// chip keeps the last 20 bits clocked in, and shifts its 20-bit read response out first.
import type { PinDesc } from '../config/options';
import type { Mcu, McuCommand, McuQueryCommand } from './mcu';

/** TMC SPI is mode 3 (clock idles high, data sampled on the rising edge). */
const SPI_MODE = 3;
const DATAGRAM_BYTES = 5;

/** A transfer for one chain position: the datagram at its slot, zeros (a harmless read of
 *  register 0) for the other drivers. */
export function chainMessage(chainLength: number, chainPosition: number, datagram: ArrayLike<number>): Uint8Array {
  const msg = new Uint8Array(chainLength * DATAGRAM_BYTES);
  msg.set(Array.from(datagram), (chainLength - chainPosition) * DATAGRAM_BYTES);
  return msg;
}

export function spiWriteDatagram(reg: number, value: number): Uint8Array {
  return Uint8Array.of(reg | 0x80, value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

export function spiReadDatagram(reg: number): Uint8Array {
  return Uint8Array.of(reg & 0x7f, 0, 0, 0, 0);
}

/** The value in a chain reply for one position (byte 0 of the slot is the driver's status byte). */
export function chainReplyValue(
  reply: ArrayLike<number>,
  chainLength: number,
  chainPosition: number,
): { status: number; value: number } | null {
  if (reply.length !== chainLength * DATAGRAM_BYTES) return null;
  const o = (chainLength - chainPosition) * DATAGRAM_BYTES;
  return { status: reply[o], value: ((reply[o + 1] << 24) | (reply[o + 2] << 16) | (reply[o + 3] << 8) | reply[o + 4]) >>> 0 };
}

/** A 20-bit TMC2660 datagram as the 3 bytes sent (the top 4 bits are shifted through). */
export function spi20Datagram(value: number): Uint8Array {
  return Uint8Array.of((value >>> 16) & 0x0f, (value >>> 8) & 0xff, value & 0xff);
}

/** The 20-bit read response in the 3 bytes received (its bits come out first: 24 - 20 = 4 extra). */
export function spi20Response(reply: ArrayLike<number>): number | null {
  if (reply.length !== 3) return null;
  return ((reply[0] << 16) | (reply[1] << 8) | reply[2]) >>> 4;
}

export interface TmcSpiBusOptions {
  csPin: PinDesc;
  /** Hardware bus name from the MCU's spi_bus enumeration; undefined = the MCU's bus 0. */
  spiBus?: string;
  /** Software SPI pins (all three), instead of a hardware bus. */
  software?: { miso: PinDesc; mosi: PinDesc; sclk: PinDesc };
  speedHz: number;
  chainLength: number;
  /** SPI mode (0..3); Trinamic drivers use 3, other chips (digipots, DACs) their own. */
  mode?: number;
}

export class TmcSpiError extends Error {
  override name = 'TmcSpiError';
}

/** One chip select (one chain of drivers) on one MCU. */
export class TmcSpiBus {
  readonly oid: number;
  private sendCmd: McuCommand | null = null;
  private transferCmd: McuQueryCommand | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly mcu: Mcu,
    readonly opts: TmcSpiBusOptions,
  ) {
    this.oid = mcu.createOid();
    mcu.registerConfigCallback(() => {
      mcu.addConfigCmd(`config_spi oid=${this.oid} pin=${opts.csPin.pin} cs_active_high=0`);
      const sw = opts.software;
      if (sw) {
        // Half a clock period per pulse.
        const pulseTicks = Math.max(1, Math.round(mcu.getConstantFloat('CLOCK_FREQ') / opts.speedHz / 2));
        mcu.addConfigCmd(
          `spi_set_sw_bus oid=${this.oid} miso_pin=${sw.miso.pin} mosi_pin=${sw.mosi.pin} sclk_pin=${sw.sclk.pin} mode=${opts.mode ?? SPI_MODE} pulse_ticks=${pulseTicks}`,
        );
      } else {
        mcu.addConfigCmd(`spi_set_bus oid=${this.oid} spi_bus=${this.busName()} mode=${opts.mode ?? SPI_MODE} rate=${opts.speedHz}`);
      }
    });
  }

  /** The named bus, or the one the MCU numbers 0 (Klipper's default). */
  private busName(): string {
    const buses = this.mcu.dictionary.enumerations.get('spi_bus');
    if (this.opts.spiBus !== undefined) {
      if (buses && !buses.byName.has(this.opts.spiBus)) {
        throw new TmcSpiError(
          `spi_bus '${this.opts.spiBus}' is not a bus of MCU '${this.mcu.name}' (buses: ${[...buses.byName.keys()].join(', ')})`,
        );
      }
      return this.opts.spiBus;
    }
    const first = buses?.byValue.get(0);
    if (first === undefined) throw new TmcSpiError(`MCU '${this.mcu.name}' has no hardware SPI bus: set spi_bus or spi_software_*_pin`);
    return first;
  }

  private commands(): { send: McuCommand; transfer: McuQueryCommand } {
    this.sendCmd ??= this.mcu.lookupCommand('spi_send oid=%c data=%*s');
    this.transferCmd ??= this.mcu.lookupQueryCommand('spi_transfer oid=%c data=%*s', 'spi_transfer_response oid=%c response=%*s', this.oid);
    return { send: this.sendCmd, transfer: this.transferCmd };
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Reads a register of the driver at `chainPosition`: address out, then the value back. */
  readRegister(chainPosition: number, reg: number): Promise<{ status: number; value: number }> {
    return this.serial(async () => {
      const { send, transfer } = this.commands();
      const msg = chainMessage(this.opts.chainLength, chainPosition, spiReadDatagram(reg));
      send.send([this.oid, msg]);
      const params = await transfer.send([this.oid, msg]);
      const r = chainReplyValue(params.response as Uint8Array, this.opts.chainLength, chainPosition);
      if (!r) throw new TmcSpiError(`bad SPI reply length from MCU '${this.mcu.name}' (cs_pin ${this.opts.csPin.pin})`);
      return r;
    });
  }

  writeRegister(chainPosition: number, reg: number, value: number): Promise<void> {
    return this.serial(async () => {
      this.commands().send.send([this.oid, chainMessage(this.opts.chainLength, chainPosition, spiWriteDatagram(reg, value))]);
    });
  }

  /** TMC2660: sends a 20-bit datagram and returns the read response it shifted out. */
  transfer20(value: number): Promise<number> {
    return this.serial(async () => {
      const r = spi20Response((await this.commands().transfer.send([this.oid, spi20Datagram(value)])).response as Uint8Array);
      if (r === null) throw new TmcSpiError(`bad SPI reply length from MCU '${this.mcu.name}' (cs_pin ${this.opts.csPin.pin})`);
      return r;
    });
  }

  /** TMC2660: sends a 20-bit datagram (the response is not needed). */
  write20(value: number): Promise<void> {
    return this.serial(async () => {
      this.commands().send.send([this.oid, spi20Datagram(value)]);
    });
  }

  /** Batch mode: the write as an init command of the MCU config. */
  addInitWrite(chainPosition: number, reg: number, value: number): void {
    const hex = Buffer.from(chainMessage(this.opts.chainLength, chainPosition, spiWriteDatagram(reg, value))).toString('hex');
    this.mcu.addConfigCmd(`spi_send oid=${this.oid} data=${hex}`, { isInit: true });
  }

  /** Raw bytes as an init command (chips that are only written once, at config). */
  addInitBytes(bytes: ArrayLike<number>): void {
    this.mcu.addConfigCmd(`spi_send oid=${this.oid} data=${Buffer.from(Array.from(bytes)).toString('hex')}`, { isInit: true });
  }
}
