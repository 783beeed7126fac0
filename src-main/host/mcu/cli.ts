// `tether decode` and `tether mcu-console`: the MCU link's command-line tools. src-main/cli.ts
// lists them; tests call run(args) directly.

import { createWriteStream, readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { CliCommand } from '../../cli-command';
import { decodeStream } from './decode';
import { loadDictionaryFile, DictionaryError } from './dictionary';

const DECODE_USAGE = `usage: tether decode DICT FILE.serial [-o OUT.txt] [--responses]
  Prints every message in FILE.serial (bytes a host sent, e.g. batch-mode output) one per
  line, decoded with the data dictionary DICT (JSON, or the zlib data from identify).
  --responses  decode an MCU->host capture instead
  -o OUT.txt   write the lines to a file instead of stdout`;

export const decodeCommand: CliCommand = {
  name: 'decode',
  summary: 'decode a .serial file (MCU protocol bytes) into one message per line',
  usage: DECODE_USAGE,
  async run(args: string[]): Promise<number> {
    const positional: string[] = [];
    let outPath: string | undefined;
    let direction: 'commands' | 'responses' = 'commands';
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === '-o' || a === '--output') outPath = args[++i];
      else if (a === '--responses') direction = 'responses';
      else if (a === '-h' || a === '--help') {
        process.stdout.write(DECODE_USAGE + '\n');
        return 0;
      } else if (a.startsWith('-')) return usageError(`unknown option '${a}'`, DECODE_USAGE);
      else positional.push(a);
    }
    if (positional.length !== 2 || (outPath !== undefined && outPath === '')) {
      return usageError('expected DICT and FILE.serial', DECODE_USAGE);
    }
    const [dictPath, serialPath] = positional;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(serialPath);
    } catch (e) {
      process.stderr.write(`tether decode: cannot read '${serialPath}': ${(e as Error).message}\n`);
      return 1;
    }
    let dict;
    try {
      dict = loadDictionaryFile(dictPath);
    } catch (e) {
      if (!(e instanceof DictionaryError)) throw e;
      process.stderr.write(`tether decode: ${e.message}\n`);
      return 1;
    }
    const out: Writable = outPath ? createWriteStream(outPath) : process.stdout;
    let chunk: string[] = [];
    const flush = (): void => {
      if (chunk.length) out.write(chunk.join('\n') + '\n');
      chunk = [];
    };
    const stats = decodeStream(dict, bytes, (line) => {
      chunk.push(line);
      if (chunk.length >= 4096) flush();
    }, direction);
    flush();
    if (outPath) await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    process.stderr.write(
      `${serialPath}: ${stats.messages} messages in ${stats.blocks} blocks` +
        (stats.badBlocks ? `, ${stats.badBlocks} bad blocks skipped` : '') +
        (stats.undecodable ? `, ${stats.undecodable} undecodable blocks` : '') +
        '\n',
    );
    return stats.badBlocks || stats.undecodable ? 2 : 0;
  },
};

function usageError(message: string, usage: string): number {
  process.stderr.write(`${message}\n${usage}\n`);
  return 64;
}

export const mcuConsoleCommand: CliCommand = {
  name: 'mcu-console',
  summary: 'talk to an MCU directly: send commands by name, print responses',
  usage: 'usage: tether mcu-console PORT [--baud N]',
  async run(): Promise<number> {
    // UNFINISHED: lands with the Mcu object (see src-main/host/mcu/README.md).
    process.stderr.write('tether mcu-console: not implemented yet\n');
    return 1;
  },
};
