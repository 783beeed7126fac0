import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SdCardRules } from './catalog';
import { FlashError } from './errors';

/**
 * The path on the card the board's bootloader looks for. `{stamp}` gives each flash a new name
 * (Creality 4.2.x ignore a file whose name they flashed last time).
 */
export function sdCardFilePath(rules: SdCardRules, now: Date, previousName?: string): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  let name = rules.fileName.replace('{stamp}', stamp);
  if (rules.mustDifferFromLast && previousName && path.basename(previousName) === name) {
    name = name.replace(/(\.[^.]+)$/, `-2$1`);
  }
  if (!/^[\w.-]+$/.test(name)) throw new Error(`SD card file name "${name}" has characters FAT card bootloaders may not read.`);
  return rules.folder ? path.posix.join(rules.folder, name) : name;
}

/** Writes the image onto a mounted card, syncs, and reads the file back to compare. */
export async function writeSdCardImage(mountDir: string, rules: SdCardRules, image: Uint8Array, now = new Date(), previousName?: string): Promise<string> {
  const relative = sdCardFilePath(rules, now, previousName);
  const target = path.join(mountDir, relative);
  try {
    await mkdir(path.dirname(target), { recursive: true });
    const handle = await open(target, 'w');
    try {
      await handle.write(image);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw new FlashError('no-drive', `Could not write ${target}: ${(err as Error).message}`, 'Check that the SD card is inserted, mounted and not write-protected.');
  }
  const back = await readFile(target);
  if (Buffer.compare(back, Buffer.from(image)) !== 0) {
    throw new FlashError('verify-mismatch', `The file read back from ${target} differs from the image.`, 'The card may be failing: try another SD card (FAT32, 32 GB or smaller).');
  }
  return relative;
}
