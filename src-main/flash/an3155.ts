import { FlashError } from './errors';
import type { SerialLink } from './serial-link';

// STM32 system-memory bootloader over USART (ST application note AN3155).
const ACK = 0x79;
const NACK = 0x1f;
const INIT = 0x7f;
const CMD_GET = 0x00;
const CMD_GET_ID = 0x02;
const CMD_READ = 0x11;
const CMD_GO = 0x21;
const CMD_WRITE = 0x31;
const CMD_ERASE = 0x43;
const CMD_EXTENDED_ERASE = 0x44;

/** The most bytes one Write Memory or Read Memory command carries. */
export const AN3155_BLOCK_BYTES = 256;

export interface Stm32BootloaderInfo {
  version: number;
  commands: number[];
  productId: string;
}

/** A client for the STM32 ROM serial bootloader: 8 data bits, even parity, 1 stop bit. */
export class Stm32SerialBootloader {
  private commands: number[] = [];

  constructor(
    private readonly link: SerialLink,
    private readonly replyTimeoutMs = 1000,
    /** Mass and sector erase take seconds on large parts. */
    private readonly eraseTimeoutMs = 30_000,
  ) {}

  /** Sends 0x7F so the bootloader measures the baud rate; a NACK means it already did. */
  async init(attempts = 5): Promise<void> {
    for (let i = 0; i < attempts; i++) {
      this.link.discardInput();
      await this.link.write(Uint8Array.of(INIT));
      try {
        const reply = await this.link.read(1, 500, 'the autobaud reply');
        if (reply[0] === ACK || reply[0] === NACK) {
          // An answer to an earlier 0x7F may still be on its way: let it land and drop it,
          // or it would be taken for the ACK of the next command.
          await this.link.settle(100);
          return;
        }
      } catch (err) {
        if (!(err instanceof FlashError) || err.code !== 'timeout') throw err;
      }
    }
    throw new FlashError(
      'timeout',
      `No STM32 bootloader answered 0x7F on ${this.link.path} after ${attempts} tries.`,
      'Set BOOT0 to 1 (jumper or button), press reset, and connect the adapter\'s TX to PA10 and RX to PA9; then try again.',
    );
  }

  async identify(): Promise<Stm32BootloaderInfo> {
    await this.sendCommand(CMD_GET, 'Get');
    const count = (await this.link.read(1, this.replyTimeoutMs, 'the Get reply'))[0];
    const body = await this.link.read(count + 1, this.replyTimeoutMs, 'the Get reply');
    await this.expectAck('Get');
    this.commands = [...body.subarray(1)];
    await this.sendCommand(CMD_GET_ID, 'Get ID');
    const n = (await this.link.read(1, this.replyTimeoutMs, 'the Get ID reply'))[0];
    const id = await this.link.read(n + 1, this.replyTimeoutMs, 'the Get ID reply');
    await this.expectAck('Get ID');
    return { version: body[0], commands: this.commands, productId: Buffer.from(id).toString('hex').slice(-4) };
  }

  /** Erases the given pages (or sectors on F2/F4 parts), with Erase or Extended Erase as offered. */
  async erasePages(pages: number[]): Promise<void> {
    if (pages.length === 0) return;
    if (this.commands.includes(CMD_EXTENDED_ERASE)) {
      await this.sendCommand(CMD_EXTENDED_ERASE, 'Extended Erase');
      const bytes = [((pages.length - 1) >> 8) & 0xff, (pages.length - 1) & 0xff];
      for (const p of pages) bytes.push((p >> 8) & 0xff, p & 0xff);
      await this.link.write(withXor(bytes));
    } else {
      if (pages.length > 255) throw new FlashError('protocol', 'The bootloader\'s Erase command takes at most 255 pages.', 'Use a mass erase or a newer bootloader.');
      await this.sendCommand(CMD_ERASE, 'Erase');
      await this.link.write(withXor([pages.length - 1, ...pages]));
    }
    await this.expectAck('Erase', this.eraseTimeoutMs);
  }

  async write(address: number, data: Uint8Array): Promise<void> {
    if (data.length === 0 || data.length > AN3155_BLOCK_BYTES || data.length % 4 !== 0) {
      throw new Error(`AN3155 write of ${data.length} bytes: must be 4..256 and a multiple of 4`);
    }
    await this.sendCommand(CMD_WRITE, 'Write Memory');
    await this.link.write(addressBytes(address));
    await this.expectAck(`Write Memory address 0x${address.toString(16)}`);
    await this.link.write(withXor([data.length - 1, ...data]));
    await this.expectAck(`Write Memory at 0x${address.toString(16)}`);
  }

  async read(address: number, length: number): Promise<Uint8Array> {
    await this.sendCommand(CMD_READ, 'Read Memory');
    await this.link.write(addressBytes(address));
    await this.expectAck(`Read Memory address 0x${address.toString(16)}`);
    await this.link.write(Uint8Array.of(length - 1, (length - 1) ^ 0xff));
    await this.expectAck('Read Memory length');
    return this.link.read(length, this.replyTimeoutMs, `Read Memory at 0x${address.toString(16)}`);
  }

  async go(address: number): Promise<void> {
    await this.sendCommand(CMD_GO, 'Go');
    await this.link.write(addressBytes(address));
    await this.expectAck('Go address');
  }

  private async sendCommand(cmd: number, name: string): Promise<void> {
    await this.link.write(Uint8Array.of(cmd, cmd ^ 0xff));
    await this.expectAck(name);
  }

  private async expectAck(what: string, timeoutMs = this.replyTimeoutMs): Promise<void> {
    const reply = (await this.link.read(1, timeoutMs, `the ACK for ${what}`))[0];
    if (reply === ACK) return;
    if (reply === NACK) {
      throw new FlashError('protocol', `The STM32 bootloader refused ${what} (NACK).`, 'The flash may be read-protected: remove the protection (stm32flash -k) or check the address and size, then reset with BOOT0=1 and try again.');
    }
    throw new FlashError('protocol', `Unexpected byte 0x${reply.toString(16)} instead of ACK for ${what}.`, 'Check the wiring, even parity and baud rate, then reset with BOOT0=1 and try again.');
  }
}

function addressBytes(address: number): Uint8Array {
  return withXor([(address >>> 24) & 0xff, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff]);
}

/** The bytes followed by their XOR, as AN3155 frames addresses and data. */
function withXor(bytes: number[]): Uint8Array {
  return Uint8Array.from([...bytes, bytes.reduce((a, b) => a ^ b, 0)]);
}

/** Page (or sector) numbers that hold [start, end) of flash given the chip's layout. */
export function erasePagesFor(startOffset: number, endOffset: number, layout: { pageBytes?: number; sectorsKiB?: number[] }): number[] {
  const pages: number[] = [];
  if (layout.sectorsKiB) {
    let base = 0;
    layout.sectorsKiB.forEach((kib, i) => {
      const size = kib * 1024;
      if (base < endOffset && base + size > startOffset) pages.push(i);
      base += size;
    });
    return pages;
  }
  const pageBytes = layout.pageBytes ?? 1024;
  for (let p = Math.floor(startOffset / pageBytes); p * pageBytes < endOffset; p++) pages.push(p);
  return pages;
}
