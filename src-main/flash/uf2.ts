import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { FlashError } from './errors';
import { type FirmwareImage, pagesOf } from './image';

// UF2 block layout (Microsoft's published UF2 format): 512 bytes, little endian.
export const UF2_MAGIC_START0 = 0x0a324655; // "UF2\n"
export const UF2_MAGIC_START1 = 0x9e5d5157;
export const UF2_MAGIC_END = 0x0ab16f30;
export const UF2_FLAG_FAMILY_ID_PRESENT = 0x00002000;
export const UF2_FLAG_NOT_MAIN_FLASH = 0x00000001;
export const UF2_BLOCK_BYTES = 512;
export const UF2_DATA_BYTES = 476;
/** RP2040's bootrom accepts 256-byte payloads only. */
export const UF2_PAYLOAD_BYTES = 256;
export const RP2040_FAMILY_ID = 0xe48bff56;

export interface Uf2Block {
  flags: number;
  targetAddress: number;
  payloadSize: number;
  blockNo: number;
  numBlocks: number;
  familyId: number;
  data: Uint8Array;
}

/** Converts an image to UF2: one 256-byte payload per block, numbered, with the family id. */
export function imageToUf2(image: FirmwareImage, familyId: number): Uint8Array {
  const pages = pagesOf(image, UF2_PAYLOAD_BYTES);
  const out = new Uint8Array(pages.length * UF2_BLOCK_BYTES);
  const view = new DataView(out.buffer);
  pages.forEach((page, i) => {
    const o = i * UF2_BLOCK_BYTES;
    view.setUint32(o + 0, UF2_MAGIC_START0, true);
    view.setUint32(o + 4, UF2_MAGIC_START1, true);
    view.setUint32(o + 8, UF2_FLAG_FAMILY_ID_PRESENT, true);
    view.setUint32(o + 12, page.address, true);
    view.setUint32(o + 16, UF2_PAYLOAD_BYTES, true);
    view.setUint32(o + 20, i, true);
    view.setUint32(o + 24, pages.length, true);
    view.setUint32(o + 28, familyId >>> 0, true);
    out.set(page.data, o + 32);
    view.setUint32(o + 508, UF2_MAGIC_END, true);
  });
  return out;
}

/** Parses and checks a UF2 file; errors say which block is wrong. */
export function parseUf2(bytes: Uint8Array, source = 'firmware.uf2'): Uf2Block[] {
  if (bytes.length === 0 || bytes.length % UF2_BLOCK_BYTES !== 0) {
    throw new FlashError('bad-image', `${source}: ${bytes.length} bytes is not a whole number of 512-byte UF2 blocks.`, 'Choose a valid .uf2 file.');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blocks: Uf2Block[] = [];
  for (let o = 0; o < bytes.length; o += UF2_BLOCK_BYTES) {
    const n = o / UF2_BLOCK_BYTES;
    if (view.getUint32(o, true) !== UF2_MAGIC_START0 || view.getUint32(o + 4, true) !== UF2_MAGIC_START1 || view.getUint32(o + 508, true) !== UF2_MAGIC_END) {
      throw new FlashError('bad-image', `${source}: block ${n} has bad magic numbers (not a UF2 file, or damaged).`, 'Choose a valid .uf2 file.');
    }
    const payloadSize = view.getUint32(o + 16, true);
    if (payloadSize > UF2_DATA_BYTES) throw new FlashError('bad-image', `${source}: block ${n} claims ${payloadSize} payload bytes (max 476).`, 'Choose a valid .uf2 file.');
    blocks.push({
      flags: view.getUint32(o + 8, true),
      targetAddress: view.getUint32(o + 12, true),
      payloadSize,
      blockNo: view.getUint32(o + 20, true),
      numBlocks: view.getUint32(o + 24, true),
      familyId: view.getUint32(o + 28, true),
      data: bytes.slice(o + 32, o + 32 + payloadSize),
    });
  }
  blocks.forEach((b, i) => {
    if (b.blockNo !== i || b.numBlocks !== blocks.length) {
      throw new FlashError('bad-image', `${source}: block ${i} is numbered ${b.blockNo} of ${b.numBlocks} (expected ${i} of ${blocks.length}).`, 'Choose a valid .uf2 file.');
    }
  });
  return blocks;
}

/**
 * Mounted UF2 bootloader drives (RPI-RP2 and others): folders holding INFO_UF2.TXT under the
 * usual mount roots. `roots` is a parameter so tests can point it at a folder of their own.
 */
export function findUf2Drives(roots = defaultMountRoots()): { path: string; info: string }[] {
  const found: { path: string; info: string }[] = [];
  const visit = (dir: string, depth: number) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    if (entries.includes('INFO_UF2.TXT')) {
      found.push({ path: dir, info: readFileSync(path.join(dir, 'INFO_UF2.TXT'), 'utf8') });
      return;
    }
    if (depth > 0) for (const e of entries) visit(path.join(dir, e), depth - 1);
  };
  for (const root of roots) if (existsSync(root)) visit(root, 2);
  return found;
}

function defaultMountRoots(): string[] {
  if (process.platform === 'darwin') return ['/Volumes'];
  if (process.platform === 'win32') return 'DEFGHIJKLMNOPQRSTUVWXYZ'.split('').map((l) => `${l}:\\`);
  return ['/media', '/run/media', '/mnt'];
}

/** Copies the UF2 to the drive and flushes it; the board reboots into the new firmware. */
export async function copyUf2ToDrive(drivePath: string, uf2: Uint8Array, fileName = 'firmware.uf2'): Promise<string> {
  parseUf2(uf2, fileName);
  const target = path.join(drivePath, fileName);
  const handle = await open(target, 'w');
  try {
    await handle.write(uf2);
    await handle.sync(); // the bootloader reboots when the last block lands; make sure it does
  } catch (err) {
    // The drive disappearing right after the last block is success, not failure.
    if (!(err as NodeJS.ErrnoException).code?.match(/EIO|ENOENT|ENODEV/)) throw err;
  } finally {
    await handle.close().catch(() => undefined);
  }
  return target;
}
