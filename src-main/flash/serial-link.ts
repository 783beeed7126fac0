import { SerialPort } from 'serialport';
import { FlashError } from './errors';
import { classifyPortError } from '../ports/errors';

/** How a bootloader wants the line set up. AN3155 needs even parity; AVR loaders use none. */
export interface LineSettings {
  baudRate: number;
  parity?: 'none' | 'even';
}

/**
 * A serial port as a byte stream with timed reads: what the bootloader protocols need.
 * Bytes arriving with nobody waiting are kept until read or discarded.
 */
export class SerialLink {
  private readonly port: SerialPort;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private wake: (() => void) | null = null;
  private closedError: Error | null = null;

  private constructor(port: SerialPort) {
    this.port = port;
    port.on('data', (chunk: Buffer) => {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      this.wake?.();
    });
    port.on('close', () => {
      this.closedError = new FlashError('port-vanished', `The port ${port.path} closed while flashing.`, 'Check the USB cable and that the board is powered, then start again.');
      this.wake?.();
    });
  }

  static async open(path: string, line: LineSettings): Promise<SerialLink> {
    const port = new SerialPort({
      path,
      baudRate: line.baudRate,
      parity: line.parity ?? 'none',
      dataBits: 8,
      stopBits: 1,
      autoOpen: false,
      hupcl: false,
    });
    await new Promise<void>((resolve, reject) => {
      port.open((err) => {
        if (!err) return resolve();
        const classified = classifyPortError(err, path);
        reject(new FlashError('port-open-failed', classified.message, classified.fix));
      });
    });
    return new SerialLink(port);
  }

  get path(): string {
    return this.port.path;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.closedError) throw this.closedError;
    await new Promise<void>((resolve, reject) => {
      this.port.write(Buffer.from(bytes), (err) => (err ? reject(err) : resolve()));
    });
    await new Promise<void>((resolve) => this.port.drain(() => resolve()));
  }

  /** Reads exactly `count` bytes or throws a timeout FlashError naming `what`. */
  async read(count: number, timeoutMs: number, what: string): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.pendingBytes < count) {
      if (this.closedError) throw this.closedError;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new FlashError(
          'timeout',
          `No answer from the bootloader on ${this.path} while waiting for ${what} (${timeoutMs} ms, got ${this.pendingBytes} of ${count} bytes).`,
          'Reset the board into its bootloader (press reset, or hold BOOT while powering up) and check the baud rate, then try again.',
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    const all = Buffer.concat(this.pending);
    const out = all.subarray(0, count);
    const rest = all.subarray(count);
    this.pending = rest.length ? [rest] : [];
    this.pendingBytes = rest.length;
    return Buffer.from(out);
  }

  /** Bytes received and not read yet. */
  bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** Drops whatever arrived so far (an application's chatter before the reset, stale replies). */
  discardInput(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Waits `ms`, then drops what arrived meanwhile. */
  async settle(ms: number): Promise<void> {
    await sleep(ms);
    this.discardInput();
  }

  /** Sets DTR/RTS. Ptys and some adapters have no modem lines: that is reported, not fatal. */
  async setSignals(signals: { dtr?: boolean; rts?: boolean }): Promise<boolean> {
    return new Promise((resolve) => {
      this.port.set(signals, (err) => resolve(!err));
    });
  }

  async close(): Promise<void> {
    if (!this.port.isOpen) return;
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
