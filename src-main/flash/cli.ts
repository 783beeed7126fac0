// `tether flash` and `tether boards`: flashing from a terminal. src-main/cli.ts lists them.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliCommand } from '../cli-command';
import { loadBoardCatalog, type FlashMethodId } from './catalog';
import { FlashError } from './errors';
import { buildFirmware } from './firmware-build';
import { flash, readImageFile, resolveBoard } from './flash';

const FLASH_USAGE = `usage: tether flash --board ID FILE [--port PATH | --drive DIR] [--method M] [--baud N]
  Writes FILE (.hex, .bin or .uf2) to the board, checking size and chip identity first and
  reading everything back afterwards. Board ids: tether boards.
  --port PATH   serial port (stk500v1, stk500v2, stm32-serial, avrdude, bossac)
  --drive DIR   mounted SD card or UF2 drive (sd-card, uf2-copy)
  --method M    one of the board's methods (default: its first)
  --baud N      bootloader baud rate (default: the board's)`;

export const flashCommand: CliCommand = {
  name: 'flash',
  summary: 'flash firmware onto a board (serial bootloaders, DFU, UF2, SD card)',
  usage: FLASH_USAGE,
  async run(args: string[]): Promise<number> {
    const opts: Record<string, string> = {};
    const positional: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === '-h' || a === '--help') {
        process.stdout.write(FLASH_USAGE + '\n');
        return 0;
      }
      if (['--board', '--port', '--drive', '--method', '--baud'].includes(a)) {
        const v = args[++i];
        if (v === undefined) return usageError(`${a} needs a value`);
        opts[a.slice(2)] = v;
      } else if (a.startsWith('-')) return usageError(`unknown option '${a}'`);
      else positional.push(a);
    }
    if (!opts.board || positional.length !== 1) return usageError('expected --board ID and one FILE');
    const baudRate = opts.baud ? Number(opts.baud) : undefined;
    if (baudRate !== undefined && !(baudRate > 0)) return usageError(`--baud must be a positive number, not '${opts.baud}'`);
    try {
      const board = resolveBoard(opts.board);
      const image = positional[0].toLowerCase().endsWith('.uf2')
        ? { fileName: positional[0], content: await import('node:fs/promises').then((fs) => fs.readFile(positional[0])) }
        : await readImageFile(positional[0], board);
      let lastPercent = -1;
      const result = await flash({ board, image, port: opts.port, drivePath: opts.drive, method: opts.method as FlashMethodId | undefined, baudRate }, (e) => {
        if (e.type === 'log') process.stderr.write(`${e.text}\n`);
        else if (e.totalBytes > 0 && (e.phase === 'write' || e.phase === 'verify')) {
          const percent = Math.floor((e.doneBytes / e.totalBytes) * 10) * 10;
          if (percent !== lastPercent) process.stderr.write(`${e.phase} ${percent}%\n`);
          lastPercent = percent;
        }
      });
      process.stdout.write(`flashed ${result.bytesWritten} bytes with ${result.method} in ${(result.durationMs / 1000).toFixed(1)} s, verified by ${result.verifiedBy}\n`);
      return 0;
    } catch (err) {
      if (!(err instanceof FlashError)) throw err;
      process.stderr.write(`tether flash: ${err.message}\n  ${err.fix}\n`);
      return 1;
    }
  },
};

export const boardsCommand: CliCommand = {
  name: 'boards',
  summary: 'list the boards Tether can flash',
  usage: 'usage: tether boards\n  Lists board ids with MCU, flash methods and notes.',
  async run(): Promise<number> {
    for (const b of loadBoardCatalog().boards) {
      process.stdout.write(`${b.id.padEnd(30)} ${b.mcu.padEnd(12)} ${b.flashMethods.join(', ')}\n  ${b.name}\n`);
    }
    return 0;
  },
};

function usageError(message: string, usage = FLASH_USAGE, command = 'flash'): number {
  process.stderr.write(`tether ${command}: ${message}\n${usage}\n`);
  return 2;
}

const BUILD_USAGE = `usage: tether build --board ID [--out DIR] [--jobs N]
  Builds Tether's firmware for a catalog board (chip, clock, bootloader offset, crystal) with
  the firmware Makefile, into a new folder under DIR (default: the system temp folder), and
  prints the image's path. Needs make and avr-gcc (AVR) or arm-none-eabi-gcc (STM32).`;

/** The checkout's firmware/ (src-main/flash/ from source, out/main/ when built). */
function firmwareSourceDir(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return ['../../firmware', '../../../firmware', '../firmware'].map((up) => path.resolve(here, up)).find((dir) => existsSync(path.join(dir, 'Makefile')));
}

export const buildCommand: CliCommand = {
  name: 'build',
  summary: "build Tether's firmware for a board (tether build --board ID)",
  usage: BUILD_USAGE,
  async run(args: string[]): Promise<number> {
    const opts: Record<string, string> = {};
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (!['--board', '--out', '--jobs'].includes(a)) return usageError(`unknown argument '${a}'`, BUILD_USAGE, 'build');
      const v = args[++i];
      if (v === undefined) return usageError(`${a} needs a value`, BUILD_USAGE, 'build');
      opts[a.slice(2)] = v;
    }
    if (!opts.board) return usageError('expected --board ID (ids: tether boards)', BUILD_USAGE, 'build');
    const jobs = opts.jobs ? Number(opts.jobs) : 2;
    if (!Number.isInteger(jobs) || jobs < 1) return usageError(`--jobs must be a positive whole number, not '${opts.jobs}'`, BUILD_USAGE, 'build');
    try {
      const board = resolveBoard(opts.board);
      const result = await buildFirmware(
        board,
        { sourceDir: firmwareSourceDir(), outputRoot: path.resolve(opts.out ?? path.join(tmpdir(), 'tether-firmware-builds')), jobs },
        (e) => {
          if (e.type === 'progress') process.stderr.write(`[${e.doneSteps}/${e.totalSteps}] ${e.step}\n`);
          else if (e.level !== 'info') process.stderr.write(`${e.text}\n`);
        },
      );
      process.stdout.write(`${result.imagePath}\n`);
      process.stderr.write(`built ${result.imageBytes} of ${result.maxImageBytes} bytes in ${(result.durationMs / 1000).toFixed(1)} s; flash it with: tether flash --board ${board.id} ${result.imagePath}\n`);
      return 0;
    } catch (err) {
      if (!(err instanceof FlashError)) throw err;
      process.stderr.write(`tether build: ${err.message}\n  ${err.fix}\n`);
      return 1;
    }
  },
};
