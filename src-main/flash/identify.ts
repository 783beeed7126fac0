import { Mcu } from '../host/mcu/mcu';
import { FlashError } from './errors';

/** What the firmware on a board says about itself (from its data dictionary). */
export interface FirmwareIdentity {
  app: string;
  version: string;
  buildVersions: string;
  /** The MCU constant the firmware reports, e.g. "atmega2560" or "stm32f446xx". */
  mcu: string;
}

/**
 * Reconnects after flashing and identifies the firmware, through the host's MCU link (identify
 * and clock sync only, no configuration). Works for Tether's firmware and Klipper's.
 */
export async function identifyFirmware(port: string, baudRate: number, timeoutS = 10): Promise<FirmwareIdentity> {
  const mcu = new Mcu({ name: 'mcu', serialPort: port, baud: baudRate, connectTimeoutS: timeoutS });
  try {
    await mcu.connect({ configure: false });
    const dict = mcu.dictionary;
    return { app: dict.app, version: dict.version, buildVersions: dict.buildVersions, mcu: String(dict.getConstant('MCU', '?')) };
  } catch (err) {
    throw new FlashError(
      'timeout',
      `The board on ${port} did not identify itself at ${baudRate} baud: ${(err as Error).message}`,
      'If the flash was verified, check the baud rate the firmware was built for and that the board is not still in its bootloader (set BOOT0 back, press reset).',
    );
  } finally {
    await mcu.close().catch(() => undefined);
  }
}
