import { FlashError } from './errors';
import type { SerialLink } from './serial-link';
import type { AvrBootloader } from './avr-bootloader';

// STK500 version 2 framing and commands (Atmel AVR068), the subset the Mega's bootloader answers.
const MESSAGE_START = 0x1b;
const TOKEN = 0x0e;
const CMD_SIGN_ON = 0x01;
const CMD_LOAD_ADDRESS = 0x06;
const CMD_ENTER_PROGMODE_ISP = 0x10;
const CMD_LEAVE_PROGMODE_ISP = 0x11;
const CMD_PROGRAM_FLASH_ISP = 0x13;
const CMD_READ_FLASH_ISP = 0x14;
const CMD_READ_SIGNATURE_ISP = 0x1b;
const STATUS_CMD_OK = 0x00;

/**
 * The Arduino Mega's stk500v2 bootloader. Its quirks shape the writer: it erases pages in order
 * from address 0 as writes arrive (whatever the write address), so pages must be written
 * contiguously from 0; and chip erase answers FAILED on purpose, so it is never sent.
 */
export class Stk500v2 implements AvrBootloader {
  readonly protocol = 'stk500v2';
  /** Writes must start at 0 and go up without gaps (see the class comment). */
  readonly needsContiguousPagesFromZero = true;
  private sequence = 0;

  /**
   * @param extendedAddressing chips with more than 64 K words of flash (the atmega2560): every
   *   LOAD_ADDRESS carries bit 31, as AVR068 specifies and avrdude sends it, so a programmer
   *   knows to set the extended address byte; the Mega's bootloader takes the word address's
   *   upper bits into RAMPZ for writes and reads past 64 KiB.
   */
  constructor(
    private readonly link: SerialLink,
    private readonly replyTimeoutMs = 1000,
    private readonly extendedAddressing = false,
  ) {}

  async sync(attempts = 8, perTryMs = 300): Promise<string> {
    for (let i = 0; i < attempts; i++) {
      this.link.discardInput();
      try {
        const reply = await this.transact([CMD_SIGN_ON], 'the sign-on reply', perTryMs);
        const name = Buffer.from(reply.subarray(3, 3 + reply[2])).toString('latin1');
        await this.link.settle(30);
        return name;
      } catch (err) {
        if (!(err instanceof FlashError) || (err.code !== 'timeout' && err.code !== 'protocol')) throw err;
      }
    }
    throw new FlashError(
      'timeout',
      `No STK500v2 bootloader answered on ${this.link.path} after ${attempts} tries (the bootloader is missing, dead, or runs at another baud rate).`,
      'Press the board\'s reset button just before flashing and check the baud (115200 for the Mega 2560); if it still fails, burn the bootloader with an ISP programmer.',
    );
  }

  async enterProgramming(): Promise<void> {
    // timeout, stabDelay, cmdexeDelay, synchLoops, byteDelay, pollValue, pollIndex, 4 ISP command bytes
    await this.transact([CMD_ENTER_PROGMODE_ISP, 200, 100, 25, 32, 0, 0x53, 3, 0xac, 0x53, 0, 0], 'entering programming mode');
  }

  async readSignature(): Promise<Uint8Array> {
    const sig = new Uint8Array(3);
    for (let i = 0; i < 3; i++) {
      const reply = await this.transact([CMD_READ_SIGNATURE_ISP, 4, 0x30, 0, i, 0], 'the signature');
      sig[i] = reply[2];
    }
    return sig;
  }

  async writePage(byteAddress: number, data: Uint8Array): Promise<void> {
    await this.loadAddress(byteAddress);
    // mode 0xC1: page mode, write the page; delay; ISP opcodes (load low, write page, read) unused by the bootloader
    await this.transact([CMD_PROGRAM_FLASH_ISP, data.length >> 8, data.length & 0xff, 0xc1, 10, 0x40, 0x4c, 0x20, 0, 0, ...data], `writing 0x${byteAddress.toString(16)}`);
  }

  async readFlash(byteAddress: number, length: number): Promise<Uint8Array> {
    await this.loadAddress(byteAddress);
    const reply = await this.transact([CMD_READ_FLASH_ISP, length >> 8, length & 0xff, 0x20], `reading 0x${byteAddress.toString(16)}`);
    return reply.subarray(2, 2 + length);
  }

  async leave(): Promise<void> {
    await this.transact([CMD_LEAVE_PROGMODE_ISP, 1, 1], 'leaving programming mode');
  }

  /** The LOAD_ADDRESS message body for a byte address: the word address, big-endian. */
  loadAddressBody(byteAddress: number): number[] {
    const word = byteAddress >>> 1;
    // Bit 31 marks extended addressing (chips past 64 K words, and any address past 64 K words).
    const b3 = ((word >>> 24) & 0x7f) | (this.extendedAddressing || word > 0xffff ? 0x80 : 0);
    return [CMD_LOAD_ADDRESS, b3, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff];
  }

  private async loadAddress(byteAddress: number): Promise<void> {
    await this.transact(this.loadAddressBody(byteAddress), 'loading the address');
  }

  /** Sends one framed message and returns the reply body after checking framing and status. */
  private async transact(body: number[], what: string, timeoutMs = this.replyTimeoutMs): Promise<Uint8Array> {
    const seq = this.sequence;
    this.sequence = (this.sequence + 1) & 0xff;
    const frame = [MESSAGE_START, seq, body.length >> 8, body.length & 0xff, TOKEN, ...body];
    frame.push(frame.reduce((a, b) => a ^ b, 0));
    await this.link.write(Uint8Array.from(frame));

    // Replies to earlier tries (sent while the bootloader was starting) can still arrive: skip
    // whole messages with an older sequence number, and stray bytes before a message start.
    for (let stale = 0; ; stale++) {
      let start: Buffer;
      let skipped = 0;
      do {
        start = await this.link.read(1, timeoutMs, what);
        if (start[0] !== MESSAGE_START && ++skipped > 300) {
          throw new FlashError('protocol', `No STK500v2 message start while ${what}.`, 'Check the board and the baud rate (115200), then reset and try again.');
        }
      } while (start[0] !== MESSAGE_START);
      const head = await this.link.read(4, timeoutMs, what);
      const size = (head[1] << 8) | head[2];
      if (head[3] !== TOKEN || size > 300) {
        throw new FlashError('protocol', `Bad STK500v2 reply header while ${what}.`, 'Reset the board and flash again.');
      }
      const rest = await this.link.read(size + 1, timeoutMs, what);
      if (head[0] !== seq) {
        if (stale < 8) continue;
        throw new FlashError('protocol', `STK500v2 replies out of sequence while ${what} (got ${head[0]}, expected ${seq}).`, 'Reset the board and flash again.');
      }
      return this.checkReply(body[0], head, rest, size, what);
    }
  }

  private checkReply(command: number, head: Buffer, rest: Buffer, size: number, what: string): Uint8Array {
    const replyBody = rest.subarray(0, size);
    const sum = [MESSAGE_START, ...head, ...replyBody].reduce((a, b) => a ^ b, 0);
    if (sum !== rest[size]) throw new FlashError('protocol', `STK500v2 checksum error while ${what}.`, 'Check the USB cable, then reset the board and flash again.');
    if (replyBody[0] !== command || replyBody[1] !== STATUS_CMD_OK) {
      throw new FlashError('protocol', `The bootloader refused ${what} (command 0x${replyBody[0]?.toString(16)}, status 0x${replyBody[1]?.toString(16)}).`, 'Reset the board and flash again.');
    }
    return replyBody;
  }
}
