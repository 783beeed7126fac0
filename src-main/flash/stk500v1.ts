import { FlashError } from './errors';
import type { SerialLink } from './serial-link';
import type { AvrBootloader } from './avr-bootloader';

// STK500 version 1 command bytes, the subset optiboot and ATmegaBOOT answer (Atmel AVR061).
const STK_OK = 0x10;
const STK_INSYNC = 0x14;
const CRC_EOP = 0x20;
const STK_GET_SYNC = 0x30;
const STK_ENTER_PROGMODE = 0x50;
const STK_LEAVE_PROGMODE = 0x51;
const STK_LOAD_ADDRESS = 0x55;
const STK_UNIVERSAL = 0x56;
const STK_PROG_PAGE = 0x64;
const STK_READ_PAGE = 0x74;
const STK_READ_SIGN = 0x75;

/** Optiboot and the old Arduino bootloaders over STK500v1. */
export class Stk500v1 implements AvrBootloader {
  readonly protocol = 'stk500v1';
  private extendedByte = -1;

  constructor(
    private readonly link: SerialLink,
    private readonly replyTimeoutMs = 1000,
  ) {}

  /** Gets in sync with the bootloader right after a reset. */
  async sync(attempts = 8, perTryMs = 300): Promise<void> {
    let strayBytes = 0;
    for (let i = 0; i < attempts; i++) {
      this.link.discardInput();
      await this.link.write(Uint8Array.of(STK_GET_SYNC, CRC_EOP));
      try {
        const reply = await this.link.read(2, perTryMs, 'the sync reply');
        strayBytes += 2;
        if (reply[0] === STK_INSYNC && reply[1] === STK_OK) {
          await this.drainLateReplies();
          return;
        }
      } catch (err) {
        if (!(err instanceof FlashError) || err.code !== 'timeout') throw err;
      }
    }
    const heard = strayBytes
      ? ' Bytes did arrive, but not STK500 replies: the firmware is running instead of the bootloader, or the baud rate is wrong.'
      : ' Nothing arrived at all.';
    throw new FlashError(
      'timeout',
      `No STK500v1 bootloader answered on ${this.link.path} after ${attempts} tries (the bootloader is missing, dead, or runs at another baud rate).${heard}`,
      'Press the board\'s reset button just before flashing, check the baud (optiboot: 115200, old Nano bootloader: 57600), or burn a bootloader with an ISP programmer.',
    );
  }

  /**
   * Tries sent while the bootloader was still starting (or replies slowed by a busy machine)
   * answer late; a stray "in sync, OK" would shift every later reply by two bytes. So wait
   * until the line stays quiet, then check sync once more with nothing outstanding.
   */
  private async drainLateReplies(): Promise<void> {
    for (let round = 0; round < 10; round++) {
      this.link.discardInput();
      await new Promise((r) => setTimeout(r, 100));
      if (this.link.bufferedBytes() === 0) break;
    }
    this.link.discardInput();
    await this.command([STK_GET_SYNC], 0, 'the sync check');
  }

  async readSignature(): Promise<Uint8Array> {
    const reply = await this.command([STK_READ_SIGN], 3, 'the signature');
    return reply;
  }

  async enterProgramming(): Promise<void> {
    await this.command([STK_ENTER_PROGMODE], 0, 'entering programming mode');
  }

  async writePage(byteAddress: number, data: Uint8Array): Promise<void> {
    await this.loadAddressThen([STK_PROG_PAGE, data.length >> 8, data.length & 0xff, 0x46, ...data], 0, `writing 0x${byteAddress.toString(16)}`, byteAddress);
  }

  async readFlash(byteAddress: number, length: number): Promise<Uint8Array> {
    return this.loadAddressThen([STK_READ_PAGE, length >> 8, length & 0xff, 0x46], length, `reading 0x${byteAddress.toString(16)}`, byteAddress);
  }

  async leave(): Promise<void> {
    await this.command([STK_LEAVE_PROGMODE], 0, 'leaving programming mode');
  }

  /**
   * LOAD_ADDRESS, then the page command, each waiting for its reply. Sending both in one write
   * would save a round trip, but a real chip's UART holds only two bytes while the bootloader
   * is busy sending its reply, so the second command could be overrun (simavr would not show it).
   */
  private async loadAddressThen(body: number[], replyBytes: number, what: string, byteAddress: number): Promise<Uint8Array> {
    const word = byteAddress >> 1;
    const ext = (word >> 16) & 0xff;
    if (ext !== this.extendedByte && (ext !== 0 || this.extendedByte > 0)) {
      // Chips over 128 KiB: the "load extended address" universal command sets the high byte.
      await this.command([STK_UNIVERSAL, 0x4d, 0x00, ext, 0x00], 1, 'loading the extended address');
      this.extendedByte = ext;
    }
    await this.command([STK_LOAD_ADDRESS, word & 0xff, (word >> 8) & 0xff], 0, 'loading the address');
    return this.command(body, replyBytes, what);
  }

  /** Sends one command and returns the `replyBytes` between INSYNC and OK. */
  private async command(body: number[], replyBytes: number, what: string): Promise<Uint8Array> {
    await this.link.write(Uint8Array.from([...body, CRC_EOP]));
    return this.reply(replyBytes, what);
  }

  private async reply(replyBytes: number, what: string): Promise<Uint8Array> {
    const head = await this.link.read(1, this.replyTimeoutMs, what);
    if (head[0] !== STK_INSYNC) {
      throw new FlashError('protocol', `The bootloader lost sync while ${what} (got 0x${head[0].toString(16)} instead of INSYNC).`, 'Reset the board and flash again.');
    }
    const rest = await this.link.read(replyBytes + 1, this.replyTimeoutMs, what);
    if (rest[replyBytes] !== STK_OK) {
      throw new FlashError('protocol', `The bootloader refused ${what} (status 0x${rest[replyBytes].toString(16)}).`, 'Reset the board and flash again.');
    }
    return rest.subarray(0, replyBytes);
  }
}
