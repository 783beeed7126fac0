// The firmware images Tether builds for real boards: each AVR chip and each catalog STM32 F1/F4
// board (chip, bootloader offset, crystal), with the flash and RAM they must fit in.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/paths';

interface Catalog {
  mcus: Record<string, { family: string; flashBytes: number }>;
  boards: { id: string; mcu: string; clockHz: number; applicationOffset: number; bootloader: { bytes: number } }[];
}
export const catalog = JSON.parse(readFileSync(path.join(repoRoot, 'resources/boards/catalog.json'), 'utf8')) as Catalog;

const RAM: Record<string, number> = {
  atmega2560: 8192,
  atmega1284p: 16384,
  atmega644p: 4096,
  atmega328p: 2048,
  stm32f103x8: 20480,
  stm32f103xc: 49152,
  stm32f103xe: 65536,
  stm32f401xc: 65536,
  stm32f407xe: 131072,
  stm32f446xe: 131072,
};
// Boards whose crystal is not 8 MHz.
const HSE_HZ: Record<string, number> = { 'btt-octopus-v1.1': 12000000, 'fysetc-spider-v2': 12000000 };
// Catalog STM32 chips without a board port yet (reported, not built).
export const UNSUPPORTED_STM32 = ['stm32g0b1xe'];

export interface FirmwareTarget {
  label: string;
  family: 'avr' | 'stm32';
  mcu: string;
  makeArgs: string[];
  elf: string;
  flashAvailable: number; // flash minus the bootloader
  ramBytes: number;
  boards: string[];
}

export function firmwareTargets(): FirmwareTarget[] {
  const out = new Map<string, FirmwareTarget>();
  for (const mcu of ['atmega2560', 'atmega1284p', 'atmega644p', 'atmega328p']) {
    const boards = catalog.boards.filter((b) => b.mcu === mcu);
    const boot = Math.max(0, ...boards.map((b) => b.bootloader.bytes));
    out.set(mcu, {
      label: `avr ${mcu} 16 MHz`,
      family: 'avr',
      mcu,
      makeArgs: ['avr', `MCU=${mcu}`, 'F_CPU=16000000'],
      elf: path.join(repoRoot, `firmware/build/avr-${mcu}-16000000/tether.elf`),
      flashAvailable: catalog.mcus[mcu].flashBytes - boot,
      ramBytes: RAM[mcu],
      boards: boards.map((b) => b.id),
    });
  }
  for (const b of catalog.boards) {
    if (catalog.mcus[b.mcu]?.family !== 'stm32' || UNSUPPORTED_STM32.includes(b.mcu)) continue;
    const hse = HSE_HZ[b.id] ?? 8000000;
    const key = `${b.mcu}-${b.applicationOffset}-${hse}`;
    const dir = `stm32-${b.mcu}-${b.applicationOffset}${hse === 8000000 ? '' : `-hse${hse}`}`;
    const t = out.get(key) ?? {
      label: `stm32 ${b.mcu} @${b.applicationOffset / 1024}K hse ${hse / 1e6}M`,
      family: 'stm32' as const,
      mcu: b.mcu,
      makeArgs: ['stm32', `MCU=${b.mcu}`, `OFFSET=${b.applicationOffset}`, `HSE_HZ=${hse}`],
      elf: path.join(repoRoot, `firmware/build/${dir}/tether.elf`),
      flashAvailable: catalog.mcus[b.mcu].flashBytes - b.applicationOffset,
      ramBytes: RAM[b.mcu],
      boards: [],
    };
    t.boards.push(b.id);
    out.set(key, t);
  }
  return [...out.values()];
}

export function imageSizes(t: FirmwareTarget): { flash: number; ram: number } {
  const out = execFileSync(t.family === 'avr' ? 'avr-size' : 'arm-none-eabi-size', ['-A', t.elf], { encoding: 'utf8' });
  const sec = (name: string) => Number(new RegExp(`^\\${name}\\s+(\\d+)`, 'm').exec(out)?.[1] ?? 0);
  const text = sec('.text') + sec('.isr_vector') + sec('.ARM.exidx');
  return { flash: text + sec('.data'), ram: sec('.data') + sec('.bss') };
}
