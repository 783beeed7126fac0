// Trinamic single-wire UART (TMC2208/2209/2225, TMC2240/5160 in UART mode) as Klipper's MCU
// commands carry it: the host builds the datagram AND its serial bits (start bit, 8 data bits
// LSB first, stop bit), the MCU only shifts them out on tx_pin and samples `read` bytes' worth of
// bits back on rx_pin (`tmcuart_send oid write read` -> `tmcuart_response oid read`).
// Datagram layout and CRC are the datasheet's ("UART Single Wire Interface").
import type { PinDesc } from '../config/options';
import type { Mcu, McuCommand, McuQueryCommand } from './mcu';

/** Sync nibble 0b0101 (LSB first on the wire) plus the reserved nibble, as a request sends it. */
const SYNC_REQUEST = 0xf5;
/** A reply starts with the bare sync nibble and the master address 0xff. */
const SYNC_REPLY = 0x05;
const MASTER_ADDRESS = 0xff;
/** A reply is 8 bytes = 80 serial bits = 10 bytes of bit buffer. */
const REPLY_BITS_BYTES = 10;
/** Every UART TMC counts accepted writes here: reading it around a write proves the write landed. */
export const IFCNT_ADDR = 0x02;
/** UART bit rate: the datasheet allows up to ~500k; 40k is safe on bit-banged MCU pins, the
 *  AVR's 16 MHz bit-bang loop cannot hold it, so AVRs use 9k (as Klipper does). */
const BAUD = 40000;
const BAUD_AVR = 9000;
const RETRIES = 5;

/** The datasheet's CRC8: polynomial x^8+x^2+x+1, each byte fed LSB first, start value 0. */
export function tmcCrc8(bytes: ArrayLike<number>, end = bytes.length): number {
  let crc = 0;
  for (let i = 0; i < end; i++) {
    let b = bytes[i];
    for (let j = 0; j < 8; j++) {
      crc = ((crc >> 7) ^ (b & 1)) !== 0 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
      b >>= 1;
    }
  }
  return crc;
}

/** Read request: sync, node address, register (bit 7 clear), CRC. */
export function readDatagram(nodeAddr: number, reg: number): Uint8Array {
  const d = Uint8Array.of(SYNC_REQUEST, nodeAddr, reg & 0x7f, 0);
  d[3] = tmcCrc8(d, 3);
  return d;
}

/** Write access: sync, node address, register | 0x80, 32-bit value MSB first, CRC. */
export function writeDatagram(nodeAddr: number, reg: number, value: number): Uint8Array {
  const d = Uint8Array.of(SYNC_REQUEST, nodeAddr, reg | 0x80, value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff, 0);
  d[7] = tmcCrc8(d, 7);
  return d;
}

/** Adds the UART framing bits: per byte a 0 start bit, 8 data bits LSB first, a 1 stop bit,
 *  packed LSB first into bytes (the MCU sends bit 0 of byte 0 first). */
export function toSerialBits(datagram: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil((datagram.length * 10) / 8));
  let pos = 0;
  const put = (bit: number): void => {
    if (bit) out[pos >> 3] |= 1 << (pos & 7);
    pos++;
  };
  for (let i = 0; i < datagram.length; i++) {
    put(0);
    for (let j = 0; j < 8; j++) put((datagram[i] >> j) & 1);
    put(1);
  }
  return out;
}

/** The inverse of toSerialBits; null when a start or stop bit is wrong (a garbled line). */
export function fromSerialBits(bits: ArrayLike<number>, byteCount: number): Uint8Array | null {
  if (bits.length * 8 < byteCount * 10) return null;
  const bit = (pos: number): number => (bits[pos >> 3] >> (pos & 7)) & 1;
  const out = new Uint8Array(byteCount);
  for (let i = 0; i < byteCount; i++) {
    const p = i * 10;
    if (bit(p) !== 0 || bit(p + 9) !== 1) return null;
    let v = 0;
    for (let j = 0; j < 8; j++) v |= bit(p + 1 + j) << j;
    out[i] = v;
  }
  return out;
}

/** Checks a read reply (sync, master address, the register asked for, CRC) and returns its value. */
export function decodeReadReply(bits: ArrayLike<number>, reg: number): number | null {
  if (bits.length !== REPLY_BITS_BYTES) return null;
  const d = fromSerialBits(bits, 8);
  if (!d) return null;
  if ((d[0] & 0x0f) !== SYNC_REPLY || d[1] !== MASTER_ADDRESS || d[2] !== (reg & 0x7f)) return null;
  if (tmcCrc8(d, 7) !== d[7]) return null;
  return ((d[3] << 24) | (d[4] << 16) | (d[5] << 8) | d[6]) >>> 0;
}

/** The reply a driver sends for `reg` = `value` (for tests and the register models). */
export function replyDatagram(reg: number, value: number): Uint8Array {
  const d = Uint8Array.of(
    SYNC_REPLY,
    MASTER_ADDRESS,
    reg & 0x7f,
    value >>> 24,
    (value >>> 16) & 0xff,
    (value >>> 8) & 0xff,
    value & 0xff,
    0,
  );
  d[7] = tmcCrc8(d, 7);
  return d;
}

export class TmcUartError extends Error {
  override name = 'TmcUartError';
}

/**
 * One UART line (rx/tx pins on one MCU), shared by up to four drivers told apart by their node
 * address (uart_address), or by an analog switch (select_pins) in front of them. Every transfer
 * goes through one promise chain: the MCU runs one tmcuart transfer at a time and silently drops
 * a request that arrives while one is running (the retries and the IFCNT check cover that).
 */
export class TmcUartBus {
  readonly oid: number;
  private queryCmd: McuQueryCommand | null = null;
  private muxCmd: McuCommand | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  /** Analog switch select pins: oid and the level last set (null: not set yet). */
  private mux: { pins: PinDesc[]; oids: number[]; levels: (number | null)[] } | null = null;

  constructor(
    readonly mcu: Mcu,
    readonly rxPin: PinDesc,
    readonly txPin: PinDesc,
  ) {
    this.oid = mcu.createOid();
    mcu.registerConfigCallback(() => {
      const isAvr = String(mcu.getConstant('MCU', '')).startsWith('atmega');
      const bitTicks = Math.round(mcu.getConstantFloat('CLOCK_FREQ') / (isAvr ? BAUD_AVR : BAUD));
      mcu.addConfigCmd(
        `config_tmcuart oid=${this.oid} rx_pin=${rxPin.pin} pull_up=${rxPin.pullup === 1 ? 1 : 0} tx_pin=${txPin.pin} bit_time=${bitTicks}`,
      );
      for (const [i, pin] of this.mux?.pins.entries() ?? []) {
        mcu.addConfigCmd(`config_digital_out oid=${this.mux!.oids[i]} pin=${pin.pin} value=0 default_value=0 max_duration=0`);
      }
    });
  }

  /** The select pins of the line's analog switch (the first driver's list; names only). */
  setSelectPins(pins: PinDesc[]): void {
    if (this.mux) return;
    this.mux = { pins, oids: pins.map(() => this.mcu.createOid()), levels: pins.map(() => null) };
  }

  get selectPinNames(): string[] | null {
    return this.mux ? this.mux.pins.map((p) => p.pin) : null;
  }

  private commands(): { query: McuQueryCommand } {
    this.queryCmd ??= this.mcu.lookupQueryCommand('tmcuart_send oid=%c write=%*s read=%c', 'tmcuart_response oid=%c read=%*s', this.oid);
    return { query: this.queryCmd };
  }

  /** Routes the switch to a driver: levels (1 high, 0 low) per select pin; only changes are sent. */
  private select(levels: number[] | null): void {
    if (!this.mux || !levels) return;
    this.muxCmd ??= this.mcu.lookupCommand('update_digital_out oid=%c value=%c');
    for (const [i, level] of levels.entries()) {
      if (this.mux.levels[i] === level) continue;
      this.muxCmd.send([this.mux.oids[i], level]);
      this.mux.levels[i] = level;
    }
  }

  /** One transfer at a time, in call order. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Reads a register; null after RETRIES garbled or missing replies. */
  readRegister(nodeAddr: number, reg: number, select: number[] | null = null): Promise<number | null> {
    return this.serial(async () => {
      this.select(select);
      const bits = toSerialBits(readDatagram(nodeAddr, reg));
      for (let i = 0; i < RETRIES; i++) {
        let params;
        try {
          params = await this.commands().query.send([this.oid, bits, REPLY_BITS_BYTES]);
        } catch {
          continue;
        }
        const value = decodeReadReply(params.read as Uint8Array, reg);
        if (value !== null) return value;
      }
      return null;
    });
  }

  /**
   * Sends a write datagram and waits for the MCU's (empty) tmcuart_response: the firmware drops
   * a tmcuart_send that arrives while a transfer is still on the wire, so the next request must
   * not go out before. The driver never answers a write: read IFCNT to know it landed.
   */
  writeRegister(nodeAddr: number, reg: number, value: number, select: number[] | null = null): Promise<void> {
    return this.serial(async () => {
      this.select(select);
      const params = [this.oid, toSerialBits(writeDatagram(nodeAddr, reg, value)), 0];
      // A batch (file) MCU answers nothing: the write is just written out.
      if (this.mcu.isFileOutput()) return this.mcu.lookupCommand('tmcuart_send oid=%c write=%*s read=%c').send(params);
      try {
        await this.commands().query.send(params);
      } catch {
        // No response (link trouble): the caller's IFCNT check reports a write that did not land.
      }
    });
  }

  /** Batch mode: the write as an init command of the MCU config (no replies in a file). */
  addInitWrite(nodeAddr: number, reg: number, value: number, select: number[] | null = null): void {
    if (this.mux && select) {
      for (const [i, level] of select.entries()) {
        if (this.mux.levels[i] === level) continue;
        this.mcu.addConfigCmd(`update_digital_out oid=${this.mux.oids[i]} value=${level}`, { isInit: true });
        this.mux.levels[i] = level;
      }
    }
    const hex = Buffer.from(toSerialBits(writeDatagram(nodeAddr, reg, value))).toString('hex');
    this.mcu.addConfigCmd(`tmcuart_send oid=${this.oid} write=${hex} read=0`, { isInit: true });
  }
}
