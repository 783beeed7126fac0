import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type McuFamily = 'avr' | 'stm32' | 'rp2040' | 'sam' | 'lpc';
export type FlashMethodId = 'stk500v1' | 'stk500v2' | 'stm32-serial' | 'avrdude' | 'dfu-util' | 'bossac' | 'uf2-copy' | 'sd-card';
/** How the board gets into its bootloader. */
export type BootloaderEntry = 'dtr-reset' | '1200-baud-touch' | 'klipper-request' | 'boot-button' | 'sd-card';

export interface McuSpec {
  family: McuFamily;
  flashBytes: number;
  /** Erase/write page. STM32F4 parts have sectors instead (sectorsKiB). */
  pageBytes?: number;
  sectorsKiB?: number[];
  /** Address of flash byte 0 (0x08000000 on STM32). */
  flashStart?: number;
  /** AVR signature bytes as 6 hex digits. */
  signature?: string;
  /** STM32 product id from AN3155 Get ID, 4 hex digits. */
  productId?: string;
  /** UF2 family id, 8 hex digits. */
  uf2FamilyId?: string;
}

export interface SdCardRules {
  /** File name; `{stamp}` is replaced by a time stamp so each flash gets a new name. */
  fileName: string;
  folder?: string;
  /** The bootloader ignores a file whose name it flashed last time (Creality 4.2.x). */
  mustDifferFromLast?: boolean;
  /** Name the bootloader gives the file after flashing: the sign that it worked. */
  renamedAfterFlash?: string;
}

export interface BoardSpec {
  id: string;
  name: string;
  mcu: string;
  clockHz: number;
  interface: 'usb-serial-bridge' | 'usb-native' | 'uart';
  bootloader: { kind: string; bytes: number; baudRate?: number };
  flashMethods: FlashMethodId[];
  entry: BootloaderEntry;
  /** Bytes from the start of flash where the application goes (the bootloader's size on STM32). */
  applicationOffset: number;
  /** Baud the firmware talks at once running (for reconnecting after the flash). */
  serialBaudRate: number;
  sdCard?: SdCardRules;
  /** What building Tether's firmware for this board needs beyond MCU, clock and offset. */
  firmware?: { hseHz?: number };
  notes: string;
}

/** A board with its MCU resolved: what the flasher and the wizard use. */
export interface Board extends BoardSpec {
  mcuSpec: McuSpec;
  /** Where the application image starts (flashStart + applicationOffset). */
  applicationAddress: number;
  /** Room for the application: flash minus bootloader (at the top on AVR, the bottom elsewhere). */
  maxImageBytes: number;
}

export interface BoardCatalog {
  boards: Board[];
  byId(id: string): Board | undefined;
}

export const defaultCatalogPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../resources/boards/catalog.json');

const METHODS: FlashMethodId[] = ['stk500v1', 'stk500v2', 'stm32-serial', 'avrdude', 'dfu-util', 'bossac', 'uf2-copy', 'sd-card'];
const ENTRIES: BootloaderEntry[] = ['dtr-reset', '1200-baud-touch', 'klipper-request', 'boot-button', 'sd-card'];

export function loadBoardCatalog(file = defaultCatalogPath): BoardCatalog {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read the board catalog (${(err as Error).message}).`);
  }
  return parseBoardCatalog(raw, file);
}

/** Validates the catalog data; every error names the file and the board. */
export function parseBoardCatalog(raw: unknown, file = 'catalog.json'): BoardCatalog {
  const data = raw as { mcus?: Record<string, McuSpec>; boards?: BoardSpec[] };
  if (!data || typeof data !== 'object' || !data.mcus || !Array.isArray(data.boards)) {
    throw new Error(`${file}: expected { "mcus": {...}, "boards": [...] }.`);
  }
  const seen = new Set<string>();
  const boards = data.boards.map((b, i) => {
    const where = `${file}: board #${i + 1} (${b?.id ?? 'no id'})`;
    if (!b.id || !/^[a-z0-9.-]+$/.test(b.id)) throw new Error(`${where}: id must be lowercase letters, digits, '.' and '-'.`);
    if (seen.has(b.id)) throw new Error(`${where}: duplicate id.`);
    seen.add(b.id);
    const mcu = data.mcus![b.mcu];
    if (!mcu) throw new Error(`${where}: unknown mcu "${b.mcu}" (add it under "mcus").`);
    if (!(b.clockHz > 0)) throw new Error(`${where}: clockHz must be positive.`);
    if (!Array.isArray(b.flashMethods) || b.flashMethods.length === 0) throw new Error(`${where}: needs at least one flash method.`);
    for (const m of b.flashMethods) if (!METHODS.includes(m)) throw new Error(`${where}: unknown flash method "${m}" (one of ${METHODS.join(', ')}).`);
    if (!ENTRIES.includes(b.entry)) throw new Error(`${where}: unknown bootloader entry "${b.entry}".`);
    if (b.flashMethods.includes('sd-card') && !b.sdCard) throw new Error(`${where}: the sd-card method needs "sdCard" file-name rules.`);
    if (b.firmware?.hseHz !== undefined && !(Number.isInteger(b.firmware.hseHz) && b.firmware.hseHz >= 4e6 && b.firmware.hseHz <= 26e6)) {
      throw new Error(`${where}: firmware.hseHz must be the crystal's frequency in Hz (4-26 MHz).`);
    }
    if (mcu.family === 'avr' && !mcu.signature) throw new Error(`${where}: AVR mcu "${b.mcu}" needs a signature.`);
    const bootBytes = b.bootloader?.bytes ?? 0;
    const flashStart = mcu.flashStart ?? 0;
    const reservedBytes = mcu.family === 'avr' ? bootBytes : b.applicationOffset;
    return {
      ...b,
      mcuSpec: mcu,
      applicationAddress: flashStart + b.applicationOffset,
      maxImageBytes: mcu.flashBytes - reservedBytes,
    } satisfies Board;
  });
  return { boards, byId: (id) => boards.find((b) => b.id === id) };
}
