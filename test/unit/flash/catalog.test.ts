import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkImageFits, flash, imageFromBinary, loadBoardCatalog, parseBoardCatalog, sdCardFilePath } from '../../../src-main/flash';
import { testOutputDir } from '../../support/paths';

describe('board catalog', () => {
  const catalog = loadBoardCatalog();

  it('holds at least 15 boards, each complete', () => {
    expect(catalog.boards.length).toBeGreaterThanOrEqual(15);
    for (const b of catalog.boards) {
      expect(b.clockHz, b.id).toBeGreaterThan(0);
      expect(b.flashMethods.length, b.id).toBeGreaterThan(0);
      expect(b.notes.length, b.id).toBeGreaterThan(10);
      expect(b.maxImageBytes, b.id).toBeGreaterThan(0);
    }
    for (const id of ['arduino-mega2560-ramps', 'creality-melzi', 'arduino-uno', 'arduino-nano', 'creality-v4.2.2', 'creality-v4.2.7', 'btt-skr-mini-e3-v2', 'btt-skr-mini-e3-v3', 'btt-octopus-v1.1', 'btt-skr-pico', 'creality-ender3-s1']) {
      expect(catalog.byId(id), id).toBeDefined();
    }
  });

  it('derives application address and room from MCU and bootloader', () => {
    expect(catalog.byId('arduino-uno')).toMatchObject({ applicationAddress: 0, maxImageBytes: 32768 - 512 });
    expect(catalog.byId('arduino-mega2560-ramps')).toMatchObject({ maxImageBytes: 262144 - 8192 });
    expect(catalog.byId('btt-octopus-v1.1')).toMatchObject({ applicationAddress: 0x08008000, maxImageBytes: 524288 - 32768 });
    expect(catalog.byId('creality-v4.2.2')).toMatchObject({ applicationAddress: 0x08007000 });
  });

  it('refuses an image linked below the bootloader offset', () => {
    const octopus = catalog.byId('btt-octopus-v1.1')!;
    expect(() => checkImageFits(octopus, imageFromBinary(new Uint8Array(100), 0x08000000))).toThrow(/would overwrite the bootloader/);
    expect(() => checkImageFits(octopus, imageFromBinary(new Uint8Array(100), 0x08008000))).not.toThrow();
  });

  it('names the board in validation errors', () => {
    const raw = JSON.parse(readFileSync(new URL('../../../resources/boards/catalog.json', import.meta.url), 'utf8'));
    raw.boards[2].flashMethods = ['magic'];
    expect(() => parseBoardCatalog(raw, 'c.json')).toThrow(/c\.json: board #3 \(arduino-nano\): unknown flash method "magic"/);
    raw.boards[2].flashMethods = ['stk500v1'];
    raw.boards[3].mcu = 'z80';
    expect(() => parseBoardCatalog(raw, 'c.json')).toThrow(/unknown mcu "z80"/);
  });
});

describe('SD card update', () => {
  const catalog = loadBoardCatalog();
  const now = new Date('2026-11-26T17:05:09Z');

  it('follows each board\'s file-name rules', () => {
    expect(sdCardFilePath(catalog.byId('creality-v4.2.2')!.sdCard!, now)).toBe('firmware-20261126170509.bin');
    expect(sdCardFilePath(catalog.byId('creality-v4.2.2')!.sdCard!, now, 'firmware-20261126170509.bin')).toBe('firmware-20261126170509-2.bin');
    expect(sdCardFilePath(catalog.byId('creality-ender3-s1')!.sdCard!, now)).toBe('STM32F4_UPDATE/firmware.bin');
    expect(sdCardFilePath(catalog.byId('btt-skr-mini-e3-v2')!.sdCard!, now)).toBe('firmware.bin');
  });

  it('writes the image on the card and reads it back', async () => {
    const card = path.join(testOutputDir, `sdcard-${process.pid}`);
    rmSync(card, { recursive: true, force: true });
    mkdirSync(card, { recursive: true });
    const data = Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff);
    const log: string[] = [];
    const result = await flash({ board: 'creality-ender3-s1', image: imageFromBinary(data, 0x08010000), drivePath: card }, (e) => e.type === 'log' && log.push(e.text));
    expect(result).toMatchObject({ method: 'sd-card', verifiedBy: 'file-read-back', fileWritten: 'STM32F4_UPDATE/firmware.bin' });
    expect(readdirSync(path.join(card, 'STM32F4_UPDATE'))).toEqual(['firmware.bin']);
    expect(Buffer.compare(readFileSync(path.join(card, 'STM32F4_UPDATE/firmware.bin')), Buffer.from(data))).toBe(0);
    expect(log.join('\n')).toMatch(/Put the card in the printer/);
  });

  it('refuses a method the board does not support', async () => {
    await expect(flash({ board: 'creality-v4.2.2', method: 'stk500v1', image: imageFromBinary(Uint8Array.of(1), 0x08007000) })).rejects.toThrow(/cannot be flashed with stk500v1/);
  });
});
