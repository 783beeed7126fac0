// How display bytes reach the controller: one link per wiring, each a Klipper MCU command set
// (PROTOCOL facts from Klipper's dictionaries): config_st7920 / st7920_send_cmds / _data,
// config_hd44780 / hd44780_send_cmds / _data, SPI (config_spi, spi_set_bus or spi_set_sw_bus,
// spi_send) with an optional data/command pin (update_digital_out on the same queue, so the
// pin changes between the right transfers), and I2C (config_i2c, i2c_set_bus or
// i2c_set_sw_bus, i2c_write, or i2c_transfer with read_len=0 on MCUs that only have that).
// The controller's init sequence goes in the MCU config as init commands (sent at every
// connect); later frames are sent live.
import type { PinDesc } from '../config/options';
import type { Mcu, McuCommand } from '../mcu/mcu';

/** Controller instructions and display RAM bytes, in the order the driver gives them. */
export interface LcdLink {
  sendCommands(bytes: ArrayLike<number>): void;
  sendData(bytes: ArrayLike<number>): void;
}

/** Bytes per MCU message (an MCU message holds 64 bytes in all). */
export const LCD_CHUNK_BYTES = 32;

/** Klipper's controller timings: ST7920 20 us per command, 45 us sync; HD44780 40 us. */
const ST7920_CMD_DELAY_S = 20e-6;
const ST7920_SYNC_DELAY_S = 45e-6;
const HD44780_DELAY_S = 40e-6;

const hex = (b: ArrayLike<number>) => Buffer.from(Array.from(b)).toString('hex');

function* chunks(bytes: ArrayLike<number>, size = LCD_CHUNK_BYTES): Generator<Uint8Array> {
  const all = Uint8Array.from(Array.from(bytes));
  for (let i = 0; i < all.length; i += size) yield all.subarray(i, i + size);
}

/**
 * A message sink that writes init commands into the MCU config until the MCU is configured,
 * then sends live. `format` is the dictionary format ('st7920_send_cmds oid=%c cmds=%*s').
 */
class McuSender {
  private configured = false;
  private readonly commands = new Map<string, McuCommand>();
  readonly cq;

  constructor(readonly mcu: Mcu) {
    this.cq = mcu.allocCommandQueue();
    mcu.on('ready', () => (this.configured = true));
  }

  /** `args` in the format's order; `text` the same message as a config line. */
  send(format: string, args: (number | Uint8Array)[]): void {
    if (!this.configured) {
      const names = [...format.matchAll(/(\w+)=%/g)].map((m) => m[1]);
      const line = `${format.split(' ')[0]} ${names.map((n, i) => `${n}=${args[i] instanceof Uint8Array ? hex(args[i]) : args[i]}`).join(' ')}`;
      this.mcu.addConfigCmd(line, { isInit: true });
      return;
    }
    let cmd = this.commands.get(format);
    if (!cmd) {
      cmd = this.mcu.lookupCommand(format, this.cq);
      this.commands.set(format, cmd);
    }
    cmd.send(args);
  }
}

/** The firmware's own ST7920 bit-banging (cs/sclk/sid pins). */
export class St7920Link implements LcdLink {
  private readonly out: McuSender;
  readonly oid: number;

  constructor(mcu: Mcu, pins: { cs: PinDesc; sclk: PinDesc; sid: PinDesc }) {
    this.out = new McuSender(mcu);
    this.oid = mcu.createOid();
    mcu.registerConfigCallback(() =>
      mcu.addConfigCmd(
        `config_st7920 oid=${this.oid} cs_pin=${pins.cs.pin} sclk_pin=${pins.sclk.pin} sid_pin=${pins.sid.pin}` +
          ` sync_delay_ticks=${mcu.secondsToClock(ST7920_SYNC_DELAY_S)} cmd_delay_ticks=${mcu.secondsToClock(ST7920_CMD_DELAY_S)}`,
      ),
    );
  }
  sendCommands(bytes: ArrayLike<number>): void {
    for (const c of chunks(bytes)) this.out.send('st7920_send_cmds oid=%c cmds=%*s', [this.oid, c]);
  }
  sendData(bytes: ArrayLike<number>): void {
    for (const c of chunks(bytes)) this.out.send('st7920_send_data oid=%c data=%*s', [this.oid, c]);
  }
}

/** The firmware's own HD44780 4-bit parallel driver. */
export class Hd44780Link implements LcdLink {
  private readonly out: McuSender;
  readonly oid: number;

  constructor(mcu: Mcu, pins: { rs: PinDesc; e: PinDesc; d4: PinDesc; d5: PinDesc; d6: PinDesc; d7: PinDesc }) {
    this.out = new McuSender(mcu);
    this.oid = mcu.createOid();
    mcu.registerConfigCallback(() =>
      mcu.addConfigCmd(
        `config_hd44780 oid=${this.oid} rs_pin=${pins.rs.pin} e_pin=${pins.e.pin} d4_pin=${pins.d4.pin} d5_pin=${pins.d5.pin}` +
          ` d6_pin=${pins.d6.pin} d7_pin=${pins.d7.pin} delay_ticks=${mcu.secondsToClock(HD44780_DELAY_S)}`,
      ),
    );
  }
  sendCommands(bytes: ArrayLike<number>): void {
    for (const c of chunks(bytes)) this.out.send('hd44780_send_cmds oid=%c cmds=%*s', [this.oid, c]);
  }
  sendData(bytes: ArrayLike<number>): void {
    for (const c of chunks(bytes)) this.out.send('hd44780_send_data oid=%c data=%*s', [this.oid, c]);
  }
}

export interface SpiWiring {
  cs: PinDesc;
  /** Hardware bus name; undefined = the MCU's bus 0. Ignored with `software`. */
  bus?: string;
  software?: { sclk: PinDesc; mosi: PinDesc; miso: PinDesc };
  speedHz: number;
  mode: number;
}

/** An SPI device; bytes go out as spi_send. */
export class SpiBus {
  readonly oid: number;
  readonly out: McuSender;

  constructor(
    readonly mcu: Mcu,
    wiring: SpiWiring,
  ) {
    this.out = new McuSender(mcu);
    this.oid = mcu.createOid();
    mcu.registerConfigCallback(() => {
      mcu.addConfigCmd(`config_spi oid=${this.oid} pin=${wiring.cs.pin} cs_active_high=0`);
      const sw = wiring.software;
      if (sw) {
        const pulseTicks = Math.max(1, Math.round(mcu.getConstantFloat('CLOCK_FREQ') / wiring.speedHz / 2));
        mcu.addConfigCmd(
          `spi_set_sw_bus oid=${this.oid} miso_pin=${sw.miso.pin} mosi_pin=${sw.mosi.pin} sclk_pin=${sw.sclk.pin} mode=${wiring.mode} pulse_ticks=${pulseTicks}`,
        );
      } else {
        mcu.addConfigCmd(
          `spi_set_bus oid=${this.oid} spi_bus=${busName(mcu, 'spi_bus', wiring.bus)} mode=${wiring.mode} rate=${wiring.speedHz}`,
        );
      }
    });
  }

  send(bytes: ArrayLike<number>): void {
    for (const c of chunks(bytes)) this.out.send('spi_send oid=%c data=%*s', [this.oid, c]);
  }
}

/** The named bus, or the one the MCU numbers 0 (Klipper's default). */
function busName(mcu: Mcu, enumName: 'spi_bus' | 'i2c_bus', wanted: string | undefined): string {
  const buses = mcu.dictionary.enumerations.get(enumName);
  if (wanted !== undefined) {
    if (buses && !buses.byName.has(wanted)) {
      throw new Error(`${enumName} '${wanted}' is not a bus of MCU '${mcu.name}' (buses: ${[...buses.byName.keys()].join(', ')})`);
    }
    return wanted;
  }
  const first = buses?.byValue.get(0);
  if (first === undefined)
    throw new Error(
      `MCU '${mcu.name}' has no hardware ${enumName === 'spi_bus' ? 'SPI' : 'I2C'} bus: set ${enumName} or the software pins`,
    );
  return first;
}

/** SPI with a data/command pin (uc1701 A0, ssd1306 DC): low for commands, high for data. */
export class SpiDcLink implements LcdLink {
  private readonly dcOid: number;
  private dcLevel = -1;

  constructor(
    private readonly spi: SpiBus,
    dcPin: PinDesc,
  ) {
    const mcu = spi.mcu;
    this.dcOid = mcu.createOid();
    mcu.registerConfigCallback(() =>
      mcu.addConfigCmd(`config_digital_out oid=${this.dcOid} pin=${dcPin.pin} value=0 default_value=0 max_duration=0`),
    );
    mcu.on('ready', () => (this.dcLevel = -1));
  }
  private setDc(level: number): void {
    if (level === this.dcLevel) return;
    this.dcLevel = level;
    this.spi.out.send('update_digital_out oid=%c value=%c', [this.dcOid, level]);
  }
  sendCommands(bytes: ArrayLike<number>): void {
    this.setDc(0);
    this.spi.send(bytes);
  }
  sendData(bytes: ArrayLike<number>): void {
    this.setDc(1);
    this.spi.send(bytes);
  }
}

/**
 * An ST7920 on plain software SPI (emulated_st7920): each byte is framed as the chip's serial
 * protocol says: a sync byte (0xF8 instruction, 0xFA data) then the high and low nibbles, each in
 * the top half of a byte. The sync byte is sent once per transfer.
 */
export class St7920SpiLink implements LcdLink {
  constructor(private readonly spi: SpiBus) {}
  private frame(sync: number, bytes: ArrayLike<number>): void {
    // 15 payload bytes per message: 1 + 2*15 = 31 bytes.
    const all = Array.from(bytes);
    for (let i = 0; i < all.length; i += 15) {
      const out = [sync];
      for (const b of all.slice(i, i + 15)) out.push(b & 0xf0, (b << 4) & 0xf0);
      this.spi.send(out);
    }
  }
  sendCommands(bytes: ArrayLike<number>): void {
    this.frame(0xf8, bytes);
  }
  sendData(bytes: ArrayLike<number>): void {
    this.frame(0xfa, bytes);
  }
}

/**
 * An AiP31068 (HD44780-compatible) on 3-wire SPI: 9-bit words, the RS bit (1 = data) then the
 * byte MSB first, packed back to back and padded with zero bits to whole bytes.
 */
export class Aip31068SpiLink implements LcdLink {
  constructor(private readonly spi: SpiBus) {}
  private words(rs: number, bytes: ArrayLike<number>): void {
    const all = Array.from(bytes);
    // 8 words = 72 bits = 9 bytes per group keeps each group byte-aligned.
    for (let i = 0; i < all.length; i += 24) {
      this.spi.send(pack9(rs, all.slice(i, i + 24)));
    }
  }
  sendCommands(bytes: ArrayLike<number>): void {
    this.words(0, bytes);
  }
  sendData(bytes: ArrayLike<number>): void {
    this.words(1, bytes);
  }
}

export function pack9(rs: number, bytes: number[]): number[] {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 9) | (rs << 8) | (b & 0xff);
    bits += 9;
    while (bits >= 8) {
      out.push((acc >> (bits - 8)) & 0xff);
      bits -= 8;
      acc &= (1 << bits) - 1;
    }
  }
  if (bits > 0) out.push((acc << (8 - bits)) & 0xff);
  return out;
}

/**
 * An HD44780 behind a 74HC595 shift register (hd44780_spi, e.g. MightyBoard): each 4-bit
 * transfer is two register loads, the enable bit high then low. Register bits as wired on the
 * MightyBoard LCD board (an assumption: not checked against hardware): D4..D7 on bits 4..7,
 * E on bit 3, RS on bit 2.
 */
export class Hd44780ShiftRegisterLink implements LcdLink {
  static readonly E_BIT = 0x08;
  static readonly RS_BIT = 0x04;
  constructor(private readonly spi: SpiBus) {}
  private nibbles(rs: number, bytes: ArrayLike<number>): void {
    const out: number[] = [];
    for (const b of Array.from(bytes)) {
      for (const nibble of [b >> 4, b & 0x0f]) {
        const v = (nibble << 4) | (rs ? Hd44780ShiftRegisterLink.RS_BIT : 0);
        out.push(v | Hd44780ShiftRegisterLink.E_BIT, v);
      }
    }
    this.spi.send(out);
  }
  sendCommands(bytes: ArrayLike<number>): void {
    this.nibbles(0, bytes);
  }
  sendData(bytes: ArrayLike<number>): void {
    this.nibbles(1, bytes);
  }
}

export interface I2cWiring {
  address: number;
  speedHz: number;
  bus?: string;
  software?: { scl: PinDesc; sda: PinDesc };
}

/** An I2C display (ssd1306/sh1106): a control byte, 0x00 before commands, 0x40 before data. */
export class I2cLink implements LcdLink {
  private readonly out: McuSender;
  readonly oid: number;
  private writeFormat = 'i2c_write oid=%c data=%*s';

  constructor(
    readonly mcu: Mcu,
    wiring: I2cWiring,
  ) {
    this.out = new McuSender(mcu);
    this.oid = mcu.createOid();
    mcu.registerConfigCallback(() => {
      mcu.addConfigCmd(`config_i2c oid=${this.oid}`);
      const sw = wiring.software;
      if (sw) {
        const pulseTicks = Math.max(1, Math.round(mcu.getConstantFloat('CLOCK_FREQ') / wiring.speedHz / 2));
        mcu.addConfigCmd(
          `i2c_set_sw_bus oid=${this.oid} scl_pin=${sw.scl.pin} sda_pin=${sw.sda.pin} pulse_ticks=${pulseTicks} address=${wiring.address}`,
        );
      } else {
        mcu.addConfigCmd(
          `i2c_set_bus oid=${this.oid} i2c_bus=${busName(mcu, 'i2c_bus', wiring.bus)} rate=${wiring.speedHz} address=${wiring.address}`,
        );
      }
      // Klipper's newer firmware has only i2c_transfer (a write with read_len=0 reads nothing).
      if (!mcu.dictionary.findCommand(this.writeFormat)) this.writeFormat = 'i2c_transfer oid=%c write=%*s read_len=%u';
    });
  }
  private write(control: number, bytes: ArrayLike<number>): void {
    for (const c of chunks(bytes, LCD_CHUNK_BYTES - 1)) {
      const msg = Uint8Array.of(control, ...c);
      this.out.send(this.writeFormat, this.writeFormat.startsWith('i2c_transfer') ? [this.oid, msg, 0] : [this.oid, msg]);
    }
  }
  sendCommands(bytes: ArrayLike<number>): void {
    this.write(0x00, bytes);
  }
  sendData(bytes: ArrayLike<number>): void {
    this.write(0x40, bytes);
  }
}

/** A reset line held low until the MCU is configured, then released (high). */
export function configureResetPin(mcu: Mcu, pin: PinDesc): void {
  const oid = mcu.createOid();
  const idle = pin.invert ? 0 : 1;
  mcu.registerConfigCallback(() => {
    mcu.addConfigCmd(`config_digital_out oid=${oid} pin=${pin.pin} value=${1 - idle} default_value=${1 - idle} max_duration=0`);
    mcu.addConfigCmd(`update_digital_out oid=${oid} value=${idle}`, { isInit: true });
  });
}
