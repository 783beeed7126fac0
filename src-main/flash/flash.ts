import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Stm32SerialBootloader, AN3155_BLOCK_BYTES, erasePagesFor } from './an3155';
import type { AvrBootloader } from './avr-bootloader';
import { pulseReset, requestKlipperBootloader, touch1200Baud } from './bootloader-entry';
import { type Board, type BoardCatalog, type BootloaderEntry, type FlashMethodId, loadBoardCatalog } from './catalog';
import { FlashError, throwIfCancelled } from './errors';
import { avrdudeArgs, bossacArgs, dfuUtilArgs, runTool } from './external-tool';
import { type FirmwareImage, flattenImage, imageByteCount, imageEndAddress, imageLowAddress, loadImage, pagesOf } from './image';
import { writeSdCardImage } from './sdcard';
import { SerialLink } from './serial-link';
import { Stk500v1 } from './stk500v1';
import { Stk500v2 } from './stk500v2';
import { RP2040_FAMILY_ID, copyUf2ToDrive, imageToUf2 } from './uf2';

export type FlashPhase = 'check' | 'bootloader' | 'connect' | 'erase' | 'write' | 'verify' | 'start' | 'done';

/** Pushed while flashing (the API's flash.progress and flash.log events). */
export type FlashEvent =
  | { type: 'progress'; phase: FlashPhase; doneBytes: number; totalBytes: number }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; text: string };

export interface FlashTimeouts {
  /** One bootloader reply. */
  replyMs?: number;
  /** External tools: silence, and the whole run. */
  toolInactivityMs?: number;
  toolOverallMs?: number;
}

export interface FlashRequest {
  /** A board from the catalog, or its id. */
  board: Board | string;
  /** A parsed image, or a file's name and bytes (.hex, .bin, .uf2 for uf2-copy). */
  image: FirmwareImage | { fileName: string; content: Uint8Array };
  /** Serial port for serial methods (stk500v1/v2, stm32-serial, avrdude, bossac). */
  port?: string;
  /** Default: the board's first flash method. */
  method?: FlashMethodId;
  /** Overrides the bootloader's baud rate. */
  baudRate?: number;
  /**
   * Overrides how the bootloader is entered, e.g. 'klipper-request' for a board already running
   * Klipper-protocol firmware (ours or Klipper's) when the host offers a re-flash.
   */
  entry?: BootloaderEntry;
  /** Mounted drive or card for uf2-copy and sd-card. */
  drivePath?: string;
  /** Last file name written to this board's card (Creality 4.2.x need a new one). */
  previousSdFileName?: string;
  timeouts?: FlashTimeouts;
  catalog?: BoardCatalog;
}

export interface FlashResult {
  method: FlashMethodId;
  bytesWritten: number;
  /** How the write was checked: read back over the bootloader, by the tool, or the file on the drive. */
  verifiedBy: 'read-back' | 'tool' | 'file-read-back' | 'none';
  durationMs: number;
  /** AVR signature or STM32 product id the chip reported. */
  chipId?: string;
  /** For sd-card/uf2-copy: the file written, relative to the drive. */
  fileWritten?: string;
}

/**
 * Flashes an image onto a board: checks size and chip identity before writing anything, writes,
 * verifies by reading back, and starts the new firmware. Progress and log lines go to `onEvent`;
 * `signal` cancels between blocks.
 */
export async function flash(request: FlashRequest, onEvent: (e: FlashEvent) => void = () => undefined, signal?: AbortSignal): Promise<FlashResult> {
  const started = Date.now();
  const board = typeof request.board === 'string' ? resolveBoard(request.board, request.catalog) : request.board;
  const method = request.method ?? board.flashMethods[0];
  if (!board.flashMethods.includes(method)) {
    throw new FlashError('unsupported-method', `${board.name} cannot be flashed with ${method} (it supports ${board.flashMethods.join(', ')}).`, 'Pick one of the supported methods.');
  }
  const log = (text: string, level: 'info' | 'warn' | 'error' = 'info') => onEvent({ type: 'log', level, text });
  const progress = (phase: FlashPhase, doneBytes: number, totalBytes: number) => onEvent({ type: 'progress', phase, doneBytes, totalBytes });

  if (method === 'uf2-copy' && !('segments' in request.image) && /\.uf2$/i.test(request.image.fileName)) {
    return finish(await copyUf2(board, request, request.image.content, log, progress));
  }
  const image = 'segments' in request.image ? request.image : loadImage(request.image.fileName, request.image.content, board.applicationAddress);
  progress('check', 0, imageByteCount(image));
  checkImageFits(board, image);
  log(`${image.source}: ${imageByteCount(image)} bytes for ${board.name} (room for ${board.maxImageBytes}).`);
  throwIfCancelled(signal);

  let result: Omit<FlashResult, 'durationMs'>;
  switch (method) {
    case 'stk500v1':
    case 'stk500v2':
      result = await flashAvr(board, image, method, request, log, progress, signal);
      break;
    case 'stm32-serial':
      result = await flashStm32Serial(board, image, request, log, progress, signal);
      break;
    case 'avrdude':
    case 'dfu-util':
    case 'bossac':
      result = await flashWithTool(board, image, method, request, log, progress, signal);
      break;
    case 'uf2-copy': {
      const familyId = board.mcuSpec.uf2FamilyId ? parseInt(board.mcuSpec.uf2FamilyId, 16) : RP2040_FAMILY_ID;
      result = await copyUf2(board, request, imageToUf2(image, familyId), log, progress);
      break;
    }
    case 'sd-card':
      result = await flashSdCard(board, image, request, log, progress);
      break;
  }
  progress('done', result.bytesWritten, result.bytesWritten);
  return finish(result);

  function finish(r: Omit<FlashResult, 'durationMs'>): FlashResult {
    return { ...r, durationMs: Date.now() - started };
  }
}

export function resolveBoard(id: string, catalog: BoardCatalog = loadBoardCatalog()): Board {
  const board = catalog.byId(id);
  if (!board) throw new FlashError('unsupported-method', `Unknown board "${id}".`, 'Pick a board from the list.');
  return board;
}

/** Refuses an image that does not fit between the application start and the bootloader. */
export function checkImageFits(board: Board, image: FirmwareImage): void {
  const low = imageLowAddress(image);
  const end = imageEndAddress(image);
  const limit = board.applicationAddress + board.maxImageBytes;
  if (low < board.applicationAddress) {
    throw new FlashError(
      'image-too-big',
      `${image.source} starts at 0x${low.toString(16)}, below ${board.name}'s application start 0x${board.applicationAddress.toString(16)}: it would overwrite the bootloader.`,
      `Build the firmware for a ${board.applicationOffset / 1024} KiB bootloader offset.`,
    );
  }
  if (end > limit) {
    throw new FlashError(
      'image-too-big',
      `${image.source} needs ${end - board.applicationAddress} bytes but ${board.name} has room for ${board.maxImageBytes} (flash ${board.mcuSpec.flashBytes}, bootloader ${board.mcuSpec.family === 'avr' ? board.bootloader.bytes : board.applicationOffset}). Nothing was written.`,
      'Build the firmware with fewer features, or check that this image is for this board.',
    );
  }
}

type Log = (text: string, level?: 'info' | 'warn' | 'error') => void;
type Progress = (phase: FlashPhase, doneBytes: number, totalBytes: number) => void;

async function openForBootloader(board: Board, request: FlashRequest, log: Log, parity: 'none' | 'even'): Promise<SerialLink> {
  const port = requirePort(request);
  const baudRate = request.baudRate ?? board.bootloader.baudRate ?? 115200;
  const entry = request.entry ?? board.entry;
  if (entry === 'klipper-request') {
    log(`Asking the firmware on ${port} to enter its bootloader.`);
    await requestKlipperBootloader(port, board.serialBaudRate);
  } else if (entry === '1200-baud-touch') {
    log(`Opening ${port} at 1200 baud to start the bootloader.`);
    await touch1200Baud(port);
  } else if (entry === 'boot-button') {
    log('Expecting the board already in its bootloader (BOOT/BOOT0 held while resetting).');
  }
  const link = await SerialLink.open(port, { baudRate, parity });
  if (entry === 'dtr-reset') {
    const pulsed = await pulseReset(link);
    log(pulsed ? `Reset the board through DTR/RTS on ${port}.` : `${port} has no DTR/RTS lines: relying on the reset at open (press reset if nothing answers).`, pulsed ? 'info' : 'warn');
  }
  return link;
}

function requirePort(request: FlashRequest): string {
  if (!request.port) throw new FlashError('port-open-failed', 'No serial port chosen.', 'Pick the board\'s port on the ports page.');
  return request.port;
}

async function flashAvr(board: Board, image: FirmwareImage, method: 'stk500v1' | 'stk500v2', request: FlashRequest, log: Log, progress: Progress, signal?: AbortSignal) {
  const pageBytes = board.mcuSpec.pageBytes ?? 128;
  progress('bootloader', 0, 0);
  const link = await openForBootloader(board, request, log, 'none');
  const closeOnAbort = () => void link.close();
  signal?.addEventListener('abort', closeOnAbort, { once: true });
  try {
    const loader: AvrBootloader = method === 'stk500v1' ? new Stk500v1(link, request.timeouts?.replyMs) : new Stk500v2(link, request.timeouts?.replyMs, board.mcuSpec.flashBytes > 0x20000);
    progress('connect', 0, 0);
    const hello = await loader.sync();
    log(`${method} bootloader answered${typeof hello === 'string' ? ` (${hello})` : ''}.`);
    await loader.enterProgramming();
    const chipId = hex(await loader.readSignature());
    if (chipId !== board.mcuSpec.signature) {
      throw new FlashError(
        'wrong-signature',
        `The chip on ${link.path} reports signature ${chipId}${nameOfSignature(chipId)}, but ${board.name} has an ${board.mcu} (${board.mcuSpec.signature}). Nothing was written.`,
        'Pick the board that is really connected, or check that you chose the right port.',
      );
    }
    log(`Chip signature ${chipId} matches ${board.mcu}.`);

    let pages = pagesOf(image, pageBytes);
    if (loader.needsContiguousPagesFromZero) pages = contiguousFromZero(pages, pageBytes);
    const total = pages.length * pageBytes;
    for (let i = 0; i < pages.length; i++) {
      throwIfCancelled(signal);
      await loader.writePage(pages[i].address, pages[i].data);
      progress('write', (i + 1) * pageBytes, total);
    }
    log(`Wrote ${pages.length} pages of ${pageBytes} bytes.`);
    for (let i = 0; i < pages.length; i++) {
      throwIfCancelled(signal);
      const back = await loader.readFlash(pages[i].address, pageBytes);
      const at = firstDifference(back, pages[i].data);
      if (at >= 0) {
        throw new FlashError(
          'verify-mismatch',
          `Verify failed at 0x${(pages[i].address + at).toString(16)}: wrote 0x${pages[i].data[at].toString(16)}, read back 0x${back[at].toString(16)}.`,
          'Flash again; if the same address fails again the chip\'s flash may be worn out.',
        );
      }
      progress('verify', (i + 1) * pageBytes, total);
    }
    log('Read-back verify passed.');
    progress('start', 0, 0);
    await loader.leave();
    log('Left the bootloader: the new firmware starts.');
    return { method, bytesWritten: imageByteCount(image), verifiedBy: 'read-back' as const, chipId };
  } catch (err) {
    if (signal?.aborted) throwIfCancelled(signal);
    throw err;
  } finally {
    signal?.removeEventListener('abort', closeOnAbort);
    await link.close();
  }
}

async function flashStm32Serial(board: Board, image: FirmwareImage, request: FlashRequest, log: Log, progress: Progress, signal?: AbortSignal) {
  progress('bootloader', 0, 0);
  const link = await openForBootloader(board, request, log, 'even');
  const closeOnAbort = () => void link.close();
  signal?.addEventListener('abort', closeOnAbort, { once: true });
  try {
    const loader = new Stm32SerialBootloader(link, request.timeouts?.replyMs);
    progress('connect', 0, 0);
    await loader.init();
    const info = await loader.identify();
    log(`STM32 bootloader v${info.version >> 4}.${info.version & 15}, product id 0x${info.productId}.`);
    if (board.mcuSpec.productId && info.productId !== board.mcuSpec.productId) {
      throw new FlashError(
        'wrong-signature',
        `The chip on ${link.path} reports product id 0x${info.productId}, but ${board.name} has an ${board.mcu} (0x${board.mcuSpec.productId}). Nothing was written.`,
        'Pick the board that is really connected.',
      );
    }
    const flashStart = board.mcuSpec.flashStart ?? 0x08000000;
    const flat = flattenImage(image);
    // Pad to a whole number of 4-byte words: Write Memory takes multiples of 4.
    const data = new Uint8Array(Math.ceil(flat.data.length / 4) * 4).fill(0xff);
    data.set(flat.data);
    const pages = erasePagesFor(flat.address - flashStart, flat.address - flashStart + data.length, board.mcuSpec);
    progress('erase', 0, data.length);
    log(`Erasing ${pages.length} ${board.mcuSpec.sectorsKiB ? 'sectors' : 'pages'}.`);
    await loader.erasePages(pages);
    for (let o = 0; o < data.length; o += AN3155_BLOCK_BYTES) {
      throwIfCancelled(signal);
      await loader.write(flat.address + o, data.subarray(o, o + AN3155_BLOCK_BYTES));
      progress('write', Math.min(o + AN3155_BLOCK_BYTES, data.length), data.length);
    }
    for (let o = 0; o < data.length; o += AN3155_BLOCK_BYTES) {
      throwIfCancelled(signal);
      const want = data.subarray(o, o + AN3155_BLOCK_BYTES);
      const back = await loader.read(flat.address + o, want.length);
      const at = firstDifference(back, want);
      if (at >= 0) {
        throw new FlashError('verify-mismatch', `Verify failed at 0x${(flat.address + o + at).toString(16)}: wrote 0x${want[at].toString(16)}, read back 0x${back[at].toString(16)}.`, 'Flash again; if it fails at the same address the flash may be worn or protected.');
      }
      progress('verify', Math.min(o + AN3155_BLOCK_BYTES, data.length), data.length);
    }
    log('Read-back verify passed.');
    progress('start', 0, 0);
    await loader.go(flat.address);
    log(`Started the firmware at 0x${flat.address.toString(16)}. Set BOOT0 back to 0 so it starts by itself after the next reset.`);
    return { method: 'stm32-serial' as const, bytesWritten: imageByteCount(image), verifiedBy: 'read-back' as const, chipId: info.productId };
  } catch (err) {
    if (signal?.aborted) throwIfCancelled(signal);
    throw err;
  } finally {
    signal?.removeEventListener('abort', closeOnAbort);
    await link.close();
  }
}

async function flashWithTool(board: Board, image: FirmwareImage, method: 'avrdude' | 'dfu-util' | 'bossac', request: FlashRequest, log: Log, progress: Progress, signal?: AbortSignal) {
  const dir = await mkdtemp(path.join(tmpdir(), 'tether-flash-'));
  try {
    const flat = flattenImage(image);
    const timeouts = { inactivityMs: request.timeouts?.toolInactivityMs ?? 20_000, overallMs: request.timeouts?.toolOverallMs ?? 300_000 };
    let command: string;
    let args: string[];
    let debianPackage: string;
    if (method === 'avrdude') {
      const hexPath = path.join(dir, 'firmware.hex');
      await writeFile(hexPath, toIntelHex(image));
      const protocol = board.flashMethods.includes('stk500v2') ? 'stk500v2' : 'stk500v1';
      command = 'avrdude';
      debianPackage = 'avrdude';
      args = avrdudeArgs({ mcu: board.mcu, protocol, port: requirePort(request), baudRate: request.baudRate ?? board.bootloader.baudRate ?? 115200, hexPath });
    } else if (method === 'dfu-util') {
      const binPath = path.join(dir, 'firmware.bin');
      await writeFile(binPath, flat.data);
      command = 'dfu-util';
      debianPackage = 'dfu-util';
      args = dfuUtilArgs({ address: flat.address, binPath });
    } else {
      const binPath = path.join(dir, 'firmware.bin');
      await writeFile(binPath, flat.data);
      command = 'bossac';
      debianPackage = 'bossa-cli';
      if (board.entry === '1200-baud-touch') await touch1200Baud(requirePort(request));
      args = bossacArgs({ port: requirePort(request), binPath, offset: board.applicationOffset || undefined });
    }
    log(`Running ${command} ${args.join(' ')}`);
    progress('write', 0, flat.data.length);
    await runTool({ command, args, debianPackage, ...timeouts, signal, onLine: (line) => log(line) });
    return { method, bytesWritten: imageByteCount(image), verifiedBy: method === 'dfu-util' ? ('none' as const) : ('tool' as const) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function copyUf2(board: Board, request: FlashRequest, uf2: Uint8Array, log: Log, progress: Progress) {
  if (!request.drivePath) throw new FlashError('no-drive', `No ${board.name} USB drive chosen.`, board.notes);
  progress('write', 0, uf2.length);
  const written = await copyUf2ToDrive(request.drivePath, uf2);
  log(`Copied ${uf2.length / 512} UF2 blocks to ${written}; the board reboots into the new firmware.`);
  return { method: 'uf2-copy' as const, bytesWritten: uf2.length, verifiedBy: 'none' as const, fileWritten: path.basename(written) };
}

async function flashSdCard(board: Board, image: FirmwareImage, request: FlashRequest, log: Log, progress: Progress) {
  if (!request.drivePath) throw new FlashError('no-drive', 'No SD card chosen.', 'Insert the card in this computer and pick its drive.');
  const rules = board.sdCard!;
  const flat = flattenImage(image);
  progress('write', 0, flat.data.length);
  const relative = await writeSdCardImage(request.drivePath, rules, flat.data, new Date(), request.previousSdFileName);
  log(`Wrote ${relative} and read it back. Put the card in the printer and power it on${rules.renamedAfterFlash ? `; the file becomes ${rules.renamedAfterFlash} when flashed` : ''}.`);
  return { method: 'sd-card' as const, bytesWritten: flat.data.length, verifiedBy: 'file-read-back' as const, fileWritten: relative };
}

/** Pages from 0 to the last one, with gaps filled by erased (0xFF) pages. */
function contiguousFromZero(pages: { address: number; data: Uint8Array }[], pageBytes: number) {
  const byAddress = new Map(pages.map((p) => [p.address, p.data]));
  const last = pages[pages.length - 1].address;
  const out: { address: number; data: Uint8Array }[] = [];
  for (let a = 0; a <= last; a += pageBytes) out.push({ address: a, data: byAddress.get(a) ?? new Uint8Array(pageBytes).fill(0xff) });
  return out;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

const SIGNATURE_NAMES: Record<string, string> = { '1e950f': 'atmega328p', '1e9406': 'atmega168', '1e960a': 'atmega644p', '1e9705': 'atmega1284p', '1e9801': 'atmega2560', '1e9703': 'atmega1280' };
function nameOfSignature(sig: string): string {
  return SIGNATURE_NAMES[sig] ? ` (${SIGNATURE_NAMES[sig]})` : '';
}

/** Intel HEX text for an image (for avrdude), 16 bytes a record with extended linear addresses. */
export function toIntelHex(image: FirmwareImage): string {
  const lines: string[] = [];
  const record = (type: number, address: number, data: Uint8Array) => {
    const bytes = [data.length, (address >> 8) & 0xff, address & 0xff, type, ...data];
    const sum = (0x100 - (bytes.reduce((a, b) => a + b, 0) & 0xff)) & 0xff;
    lines.push(':' + Buffer.from([...bytes, sum]).toString('hex').toUpperCase());
  };
  let upper = -1;
  for (const s of image.segments) {
    for (let o = 0; o < s.data.length; ) {
      const addr = s.address + o;
      // A record never crosses a 64 KiB boundary: the upper address changes there.
      const size = Math.min(16, s.data.length - o, 0x10000 - (addr & 0xffff));
      if (addr >>> 16 !== upper) {
        upper = addr >>> 16;
        record(0x04, 0, Uint8Array.of(upper >> 8, upper & 0xff));
      }
      record(0x00, addr & 0xffff, s.data.subarray(o, o + size));
      o += size;
    }
  }
  record(0x01, 0, new Uint8Array());
  return lines.join('\n') + '\n';
}

/** Reads an image file from disk for the board (hex or bin at the board's application address). */
export async function readImageFile(filePath: string, board: Board): Promise<FirmwareImage> {
  return loadImage(path.basename(filePath), await readFile(filePath), board.applicationAddress);
}
