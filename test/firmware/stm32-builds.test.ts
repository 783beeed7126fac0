// Every catalog STM32 F1/F4 board gets an image (its chip, bootloader offset and crystal) that
// links with arm-none-eabi-gcc, starts at the offset its bootloader jumps to, and fits flash
// and RAM. Catalog STM32 chips without a port (the G0B1) are listed as unsupported, visibly.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toolsPresent } from '../support/tools';
import { makeFirmware } from '../tools/simavr-printer/harness';
import { catalog, firmwareTargets, imageSizes, UNSUPPORTED_STM32 } from './firmware-targets';

describe.skipIf(!toolsPresent('arm-none-eabi-gcc', 'arm-none-eabi-size'))('STM32 firmware images', () => {
  const targets = firmwareTargets().filter((t) => t.family === 'stm32');

  it('covers every catalog STM32 board except the listed unsupported chips', () => {
    const stm32Boards = catalog.boards.filter((b) => catalog.mcus[b.mcu]?.family === 'stm32');
    const covered = new Set(targets.flatMap((t) => t.boards));
    const missing = stm32Boards.filter((b) => !covered.has(b.id)).map((b) => b.mcu);
    expect([...new Set(missing)]).toEqual(UNSUPPORTED_STM32);
    expect(covered.size).toBeGreaterThanOrEqual(8);
  });

  for (const t of targets) {
    it(`${t.label} (${t.boards.join(', ')}) links and fits`, () => {
      makeFirmware(t.makeArgs);
      const s = imageSizes(t);
      expect(s.flash).toBeGreaterThan(4096);
      expect(s.flash).toBeLessThanOrEqual(t.flashAvailable);
      expect(s.ram).toBeLessThanOrEqual(t.ramBytes - 2048); // leave a stack
      // The vector table (initial stack, reset handler) sits where the bootloader jumps.
      const offset = Number(/OFFSET=(\d+)/.exec(t.makeArgs.join(' '))![1]);
      const headers = execFileSync('arm-none-eabi-objdump', ['-h', t.elf], { encoding: 'utf8' });
      const vma = /\.isr_vector\s+\S+\s+([0-9a-f]+)/.exec(headers)![1];
      expect(Number.parseInt(vma, 16)).toBe(0x08000000 + offset);
      const bin = readFileSync(t.elf.replace(/\.elf$/, '.bin'));
      const resetHandler = bin.readUInt32LE(4);
      expect(resetHandler & 1).toBe(1); // Thumb
      expect(resetHandler).toBeGreaterThan(0x08000000 + offset);
      const dict = JSON.parse(readFileSync(t.elf.replace(/tether\.elf$/, 'tether.dict.json'), 'utf8'));
      expect(dict.config.MCU).toBe(t.mcu);
      expect(dict.enumerations.pin.PA0).toEqual([0, 16]);
    });
  }
});
