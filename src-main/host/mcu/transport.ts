// Byte transports under the serial queue. The real one is a serial port (USB CDC, UART or a
// pty such as the sim's) through the serialport package, with errors a user can act on.

import fs from 'node:fs';
import { SerialPort } from 'serialport';

/** A bidirectional byte pipe to an MCU. */
export interface ByteTransport {
  write(data: Uint8Array): void;
  onData(cb: (data: Uint8Array) => void): void;
  /** Called once when the link goes away; `reason` says why in the user's words. */
  onClose(cb: (reason: string) => void): void;
  close(): Promise<void>;
}

export const DEFAULT_BAUD = 250000;

export class SerialOpenError extends Error {
  override name = 'SerialOpenError';
}

/** Ports that are ptys/pipes of a host-side process: opened without any baud concerns. */
export function isPseudoPort(path: string): boolean {
  return path.startsWith('/tmp/klipper_host_') || path.startsWith('/dev/rpmsg_') || path.startsWith('/dev/pts/');
}

/** Whether `path` is, or links to, a pty/pipe (sim, socat, simavr, Klipper's linux process). */
export function resolvesToPseudoPort(path: string): boolean {
  if (isPseudoPort(path)) return true;
  try {
    return isPseudoPort(fs.realpathSync(path));
  } catch {
    return false;
  }
}

/** Turns serialport's open errors into what the user should do. */
export function explainOpenError(path: string, err: Error): string {
  const m = `${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`;
  if (/EACCES|Permission denied/i.test(m)) {
    return `Permission denied opening serial port '${path}'. Add your user to the 'dialout' group (sudo usermod -aG dialout $USER, then log out and back in) or install a udev rule giving you access to the device.`;
  }
  if (/Cannot lock port|EBUSY|Resource temporarily unavailable|busy/i.test(m)) {
    return `Serial port '${path}' is in use by another program (another Tether, Klipper, OctoPrint, a serial terminal or ModemManager?). Close it and try again.`;
  }
  if (/ENOENT|No such file|not found/i.test(m)) {
    return `Serial port '${path}' does not exist. Is the board plugged in and powered? Run 'tether ports' to list ports (prefer /dev/serial/by-id/... names).`;
  }
  if (/ENXIO|EIO|ENODEV/i.test(m)) {
    return `Serial port '${path}' is not responding (device gone or a broken pty). Check the cable, or restart the simulator.`;
  }
  return `Cannot open serial port '${path}': ${err.message}`;
}

/** Opens a serial port (baud ignored for ptys); resolves once open, rejects with SerialOpenError. */
export async function openSerialTransport(path: string, baud = DEFAULT_BAUD): Promise<ByteTransport> {
  const port = new SerialPort({ path, baudRate: baud, autoOpen: false, lock: true });
  await new Promise<void>((resolve, reject) => {
    port.open((err) => (err ? reject(new SerialOpenError(explainOpenError(path, err))) : resolve()));
  });
  return new SerialPortTransport(port, path);
}

class SerialPortTransport implements ByteTransport {
  private closeHandlers: ((reason: string) => void)[] = [];
  private closed = false;
  private closing = false;
  private lastError: Error | null = null;

  constructor(
    private readonly port: SerialPort,
    private readonly path: string,
  ) {
    port.on('error', (err: Error) => {
      this.lastError = err;
      // A read/write error means the device is gone; make sure the close path runs.
      if (!this.closing && port.isOpen) port.close(() => this.fireClose());
      else this.fireClose();
    });
    port.on('close', () => this.fireClose());
  }

  private fireClose(): void {
    if (this.closed) return;
    this.closed = true;
    const reason = this.closing
      ? `serial port '${this.path}' closed`
      : `serial port '${this.path}' vanished (device unplugged, reset or simulator stopped)${this.lastError ? `: ${this.lastError.message}` : ''}`;
    for (const h of this.closeHandlers) h(reason);
  }

  write(data: Uint8Array): void {
    if (this.closed) return;
    this.port.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }

  onData(cb: (data: Uint8Array) => void): void {
    this.port.on('data', (chunk: Buffer) => cb(chunk));
  }

  onClose(cb: (reason: string) => void): void {
    this.closeHandlers.push(cb);
  }

  close(): Promise<void> {
    this.closing = true;
    if (this.closed || !this.port.isOpen) {
      this.fireClose();
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.port.close(() => {
        this.fireClose();
        resolve();
      }),
    );
  }
}
