// Every AVR image builds with gcc-avr and fits its chip: flash (leaving room for the catalog
// boards' bootloaders) and RAM (static data plus a measured stack reserve). The dictionary of
// each image names the chip's pins the way Klipper's dictionaries for these MCUs do.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceDir, repoRoot } from '../support/paths';
import { toolsPresent } from '../support/tools';
import { makeFirmware } from '../tools/simavr-printer/harness';

interface Catalog {
  mcus: Record<string, { family: string; flashBytes: number }>;
  boards: { id: string; mcu: string; clockHz: number; bootloader: { bytes: number } }[];
}
const catalog = JSON.parse(readFileSync(path.join(repoRoot, 'resources/boards/catalog.json'), 'utf8')) as Catalog;
const RAM_BYTES: Record<string, number> = { atmega2560: 8192, atmega1284p: 16384, atmega644p: 4096, atmega328p: 2048 };
// RAM left for the stack (RAM minus .data and .bss). The deepest stack the AVR tests reach in
// simavr is 449 bytes (atmega2560, SP tracked on every instruction through the avr-sim, display,
// TMC and live print tests): the main loop, a command's parsing (the 64-byte block and 24
// 4-byte arguments), its handler and response, and an interrupt frame on top. About twice that
// where the chip has room; the 328p (no SPI, I2C or display commands) keeps 640 of its 2 KiB.
const STACK_RESERVE: Record<string, number> = { atmega2560: 1024, atmega1284p: 1024, atmega644p: 1024, atmega328p: 640 };
// Initialised data is copied from flash to RAM at boot: only writable variables belong there;
// read-only tables go to flash (BOARD_PROGMEM, read with READP: firmware/core/board/progmem.h).
const DATA_MAX = 64;

function sizes(elf: string): { text: number; data: number; bss: number } {
  const out = execFileSync('avr-size', ['-A', elf], { encoding: 'utf8' });
  const sec = (name: string) => Number(new RegExp(`^\\${name}\\s+(\\d+)`, 'm').exec(out)?.[1] ?? 0);
  return { text: sec('.text'), data: sec('.data'), bss: sec('.bss') };
}

describe.skipIf(!toolsPresent('avr-gcc', 'avr-size'))('AVR firmware images', () => {
  const mcus = Object.keys(RAM_BYTES);
  // Every chip at 16 MHz (all catalog boards) and the 328p at 20 MHz too (the clock only
  // changes constants; fewer builds keep npm test short).
  const builds = [...mcus.map((m) => [m, 16000000] as const), ['atmega328p', 20000000] as const];
  for (const [mcu, fCpu] of builds) {
    {
      it(`${mcu} at ${fCpu / 1e6} MHz links and fits flash and RAM`, () => {
        makeFirmware(['avr', `MCU=${mcu}`, `F_CPU=${fCpu}`]);
        const dir = path.join(repoRoot, `firmware/build/avr-${mcu}-${fCpu}`);
        const s = sizes(path.join(dir, 'tether.elf'));
        const biggestBoot = Math.max(0, ...catalog.boards.filter((b) => b.mcu === mcu).map((b) => b.bootloader.bytes));
        console.log(
          `${mcu} ${fCpu / 1e6} MHz: flash ${s.text + s.data}, RAM ${s.data + s.bss} (.data ${s.data}, .bss ${s.bss}), ` +
            `${RAM_BYTES[mcu] - s.data - s.bss} left for the stack`,
        );
        expect(s.text + s.data).toBeGreaterThan(4096); // a real image, not an empty link
        expect(s.text + s.data + biggestBoot).toBeLessThanOrEqual(catalog.mcus[mcu].flashBytes);
        expect(s.data, 'bytes of .data: a const table without BOARD_PROGMEM takes RAM on AVR').toBeLessThanOrEqual(DATA_MAX);
        expect(RAM_BYTES[mcu] - s.data - s.bss, 'RAM bytes left for the stack').toBeGreaterThanOrEqual(STACK_RESERVE[mcu]);
        const dict = JSON.parse(readFileSync(path.join(dir, 'tether.dict.json'), 'utf8'));
        expect(dict.config.MCU).toBe(mcu);
        expect(dict.config.CLOCK_FREQ).toBe(fCpu);
        expect(dict.config.SERIAL_BAUD).toBe(250000);
        expect(readFileSync(path.join(dir, 'tether.hex'), 'utf8')).toMatch(/^:[0-9A-F]+\r?\n/);
      });
    }
  }

  it('pin names match Klipper dictionaries for the same chips', () => {
    for (const mcu of ['atmega2560', 'atmega644p']) {
      const ours = JSON.parse(readFileSync(path.join(repoRoot, `firmware/build/avr-${mcu}-16000000/tether.dict.json`), 'utf8'));
      const klipper = JSON.parse(readFileSync(path.join(referenceDir, `klipper-dicts/${mcu}.dict`), 'utf8'));
      expect(ours.enumerations.pin).toEqual(klipper.enumerations.pin);
      expect(ours.config.ADC_MAX).toBe(klipper.config.ADC_MAX);
      expect(ours.config.PWM_MAX).toBe(klipper.config.PWM_MAX);
    }
  });

  it('every catalog AVR board has an image for its chip and clock', () => {
    const avrBoards = catalog.boards.filter((b) => catalog.mcus[b.mcu]?.family === 'avr');
    expect(avrBoards.length).toBeGreaterThan(0);
    for (const b of avrBoards) expect(mcus, b.id).toContain(b.mcu);
    for (const b of avrBoards) expect([16000000, 20000000], b.id).toContain(b.clockHz);
  });
});
