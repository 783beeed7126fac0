// Every catalog STM32 F1/F4 board gets an image (its chip, bootloader offset and crystal) that
// links with arm-none-eabi-gcc, starts at the offset its bootloader jumps to, and fits flash
// and RAM. Catalog STM32 chips without a port (the G0B1) are listed as unsupported, visibly.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toolsPresent } from '../support/tools';
import { makeFirmware } from '../tools/simavr-printer/harness';
import { catalog, firmwareTargets, imageSizes, UNSUPPORTED_STM32, type FirmwareTarget } from './firmware-targets';
import { nativeUsbMcus, USB_UNSUPPORTED_STM32, usbFirmwareTargets } from './stm32-usb-targets';

// Links, fits flash and RAM (with a stack left), vector table where the bootloader jumps, and
// the dictionary names the chip; returns the dictionary.
function checkImage(t: FirmwareTarget): { config: Record<string, unknown> } {
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
  // The clock the image reports (its CPU clock: the cycle counter) is the catalog's figure for
  // each of its boards (the F446 at 180 MHz with over-drive, the F407 at 168, the F103 at 72).
  for (const id of t.boards) expect(dict.config.CLOCK_FREQ).toBe(catalog.boards.find((b) => b.id === id)!.clockHz);
  // The timers run from the SysTick interrupt: vector 15 is the board's handler, not the
  // catch-all (the same handler as, say, a HardFault).
  const systick = bin.readUInt32LE(15 * 4);
  expect(systick).not.toBe(bin.readUInt32LE(3 * 4));
  const syms = execFileSync('arm-none-eabi-nm', [t.elf], { encoding: 'utf8' });
  const handler = new RegExp(`^0*${(systick & ~1).toString(16)} T SysTick_Handler$`, 'm');
  expect(syms).toMatch(handler);
  return dict;
}

// The start of the USB device descriptor: bLength 18, type 1, USB 2.0, class CDC, EP0 64 bytes,
// VID 0x1209 PID 0x0001 (little-endian).
const USB_DEVICE_DESCRIPTOR = Buffer.from([18, 1, 0x00, 0x02, 0x02, 0, 0, 64, 0x09, 0x12, 0x01, 0x00]);
function hasUsbDescriptor(elf: string): boolean {
  return readFileSync(elf.replace(/\.elf$/, '.bin')).includes(USB_DEVICE_DESCRIPTOR);
}

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
      const dict = checkImage(t);
      // A USART image: the host models the wire speed from SERIAL_BAUD.
      expect(dict.config.SERIAL_BAUD).toBe(250000);
      expect(dict.config.RESERVE_PINS_serial).toBe('PA10,PA9');
      expect(hasUsbDescriptor(t.elf)).toBe(false);
    });
  }
});

// USB CDC images (SERIAL=usb). Enumeration on silicon is untested (QEMU's STM32 models
// have no USB peripheral); the class layer's requests are unit tested in stm32-usb-cdc.test.ts.
describe.skipIf(!toolsPresent('arm-none-eabi-gcc', 'arm-none-eabi-size'))('STM32 USB CDC firmware images', () => {
  const targets = usbFirmwareTargets();

  it('covers every native-USB catalog board except the listed chips without a USB driver', () => {
    const covered = new Set(targets.map((t) => t.mcu));
    expect(nativeUsbMcus().filter((m) => !covered.has(m))).toEqual(USB_UNSUPPORTED_STM32);
    expect(targets.flatMap((t) => t.boards)).toEqual(expect.arrayContaining(['btt-octopus-v1.1', 'mks-robin-nano-v3']));
  });

  for (const t of targets) {
    it(`${t.label} (${t.boards.join(', ')}) links and fits`, () => {
      const dict = checkImage(t);
      // No SERIAL_BAUD tells the host the link is not a UART; the USB pins are reserved.
      expect(dict.config.SERIAL_BAUD).toBeUndefined();
      expect(dict.config.RESERVE_PINS_USB).toBe('PA11,PA12');
      expect(hasUsbDescriptor(t.elf)).toBe(true);
      const syms = execFileSync('arm-none-eabi-nm', [t.elf], { encoding: 'utf8' });
      expect(syms).not.toMatch(/\bUSART1_IRQHandler\b/);
    });
  }

  it('refuses SERIAL=usb on the F103 (its USB peripheral has no driver)', () => {
    expect(() => makeFirmware(['stm32', 'MCU=stm32f103xc', 'OFFSET=28672', 'SERIAL=usb'])).toThrow(/not available on stm32f103xc/);
  });
});
