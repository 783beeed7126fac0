import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyUf2ToDrive, findUf2Drives, flash, imageFromBinary, imageToUf2, parseUf2, RP2040_FAMILY_ID } from '../../../src-main/flash';
import { testOutputDir } from '../../support/paths';

// The UF2 block layout as documented by its authors: 32-byte header of eight little-endian
// words (magic 0x0A324655, magic 0x9E5D5157, flags, target address, payload size, block number,
// block count, file size or family id), 476 data bytes, final magic 0x0AB16F30 at offset 508.
const u32 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset).getUint32(o, true);

describe('UF2 conversion', () => {
  const payload = Uint8Array.from({ length: 600 }, (_, i) => (i * 13 + 5) & 0xff);
  const uf2 = imageToUf2(imageFromBinary(payload, 0x10000000), RP2040_FAMILY_ID);

  it('writes 512-byte blocks with the documented header, payload and magics', () => {
    expect(uf2.length).toBe(3 * 512); // 600 bytes -> three 256-byte payloads
    for (let n = 0; n < 3; n++) {
      const o = n * 512;
      expect(u32(uf2, o)).toBe(0x0a324655);
      expect(u32(uf2, o + 4)).toBe(0x9e5d5157);
      expect(u32(uf2, o + 8)).toBe(0x00002000); // familyID present
      expect(u32(uf2, o + 12)).toBe(0x10000000 + n * 256);
      expect(u32(uf2, o + 16)).toBe(256);
      expect(u32(uf2, o + 20)).toBe(n);
      expect(u32(uf2, o + 24)).toBe(3);
      expect(u32(uf2, o + 28)).toBe(0xe48bff56);
      expect(u32(uf2, o + 508)).toBe(0x0ab16f30);
    }
    // The ASCII of the first magic is "UF2\n".
    expect(Buffer.from(uf2.subarray(0, 4)).toString('latin1')).toBe('UF2\n');
    expect([...uf2.subarray(32, 32 + 256)]).toEqual([...payload.subarray(0, 256)]);
    // Last block: 88 payload bytes, rest padded with 0xFF, then zeros up to the end magic.
    expect([...uf2.subarray(1024 + 32 + 88, 1024 + 32 + 256)].every((b) => b === 0xff)).toBe(true);
    expect([...uf2.subarray(1024 + 32 + 256, 1024 + 508)].every((b) => b === 0)).toBe(true);
  });

  it('parses back and rejects damaged files', () => {
    const blocks = parseUf2(uf2);
    expect(blocks.map((b) => b.targetAddress)).toEqual([0x10000000, 0x10000100, 0x10000200]);
    const broken = uf2.slice();
    broken[508] ^= 1;
    expect(() => parseUf2(broken, 'b.uf2')).toThrow(/b\.uf2: block 0 has bad magic/);
    expect(() => parseUf2(uf2.subarray(0, 700))).toThrow(/not a whole number/);
    const renumbered = uf2.slice();
    renumbered[512 + 20] = 5;
    expect(() => parseUf2(renumbered)).toThrow(/block 1 is numbered 5 of 3/);
  });

  it('finds an RPI-RP2 drive and copies the image to it through flash()', async () => {
    const root = path.join(testOutputDir, `uf2-mounts-${process.pid}`);
    const drive = path.join(root, 'user', 'RPI-RP2');
    rmSync(root, { recursive: true, force: true });
    mkdirSync(drive, { recursive: true });
    writeFileSync(path.join(drive, 'INFO_UF2.TXT'), 'UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\nBoard-ID: RPI-RP2\n');
    const drives = findUf2Drives([root]);
    expect(drives.map((d) => d.path)).toEqual([drive]);
    expect(drives[0].info).toMatch(/RPI-RP2/);
    const result = await flash({ board: 'btt-skr-pico', image: imageFromBinary(payload, 0x10000000), drivePath: drive });
    expect(result).toMatchObject({ method: 'uf2-copy', fileWritten: 'firmware.uf2' });
    expect(Buffer.compare(readFileSync(path.join(drive, 'firmware.uf2')), Buffer.from(uf2))).toBe(0);
    await expect(copyUf2ToDrive(drive, new Uint8Array(10))).rejects.toThrow(/not a whole number/);
  });
});
