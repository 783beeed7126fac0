import { SerialPort } from 'serialport';
import { type SerialLink, sleep } from './serial-link';

/**
 * Klipper's request to jump to the bootloader, sent over a serial link. A fact of Klipper's
 * wire protocol (a block that is deliberately not a valid message, ending in the sync byte).
 */
export const KLIPPER_BOOTLOADER_REQUEST = Buffer.from('~ \x1c Request Serial Bootloader!! ~', 'latin1');

/**
 * The Arduino auto-reset: DTR (and RTS) low then high pulses the reset pin through a capacitor.
 * Returns false when the port has no modem lines (ptys, some adapters): the caller logs it and
 * relies on the reset that opening the port caused, or asks for the reset button.
 */
export async function pulseReset(link: SerialLink): Promise<boolean> {
  const low = await link.setSignals({ dtr: false, rts: false });
  await sleep(100);
  const high = await link.setSignals({ dtr: true, rts: true });
  await sleep(50);
  return low && high;
}

/** Opening the port at 1200 baud and closing it asks SAM (Due) and 32u4 boards to enter their bootloader. */
export async function touch1200Baud(path: string, settleMs = 800): Promise<void> {
  await openWriteClose(path, 1200, null);
  await sleep(settleMs); // the board re-enumerates, sometimes under another port name
}

/** Asks running Klipper-protocol firmware (ours or Klipper's) to reboot into its bootloader. */
export async function requestKlipperBootloader(path: string, baudRate: number, settleMs = 1000): Promise<void> {
  await openWriteClose(path, baudRate, KLIPPER_BOOTLOADER_REQUEST);
  await sleep(settleMs);
}

async function openWriteClose(path: string, baudRate: number, bytes: Buffer | null): Promise<void> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  if (bytes) {
    await new Promise<void>((resolve, reject) => port.write(bytes, (err) => (err ? reject(err) : resolve())));
    await new Promise<void>((resolve) => port.drain(() => resolve()));
  }
  await new Promise<void>((resolve) => port.close(() => resolve()));
}
