// `tether decode` and `tether mcu-console`: the MCU link's command-line tools. src-main/cli.ts
// lists them; tests call run(args) directly.

import { createWriteStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable, type Writable } from 'node:stream';
import type { CliCommand } from '../../cli-command';
import { decodeStream } from './decode';
import { loadDictionaryFile, DictionaryError } from './dictionary';
import { Mcu } from './mcu';

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
    if (!outPath) ignoreStdoutEpipe();
    let chunk: string[] = [];
    const flush = (): void => {
      if (chunk.length && !stdoutClosed) out.write(chunk.join('\n') + '\n');
      chunk = [];
    };
    const stats = decodeStream(
      dict,
      bytes,
      (line) => {
        chunk.push(line);
        if (chunk.length >= 4096) flush();
      },
      direction,
    );
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

let stdoutClosed = false;
let stdoutGuarded = false;

/** `tether decode ... | head` closes the pipe early: stop writing quietly instead of crashing. */
function ignoreStdoutEpipe(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    stdoutClosed = true;
  });
}

function usageError(message: string, usage: string): number {
  process.stderr.write(`${message}\n${usage}\n`);
  return 64;
}

const CONSOLE_USAGE = `usage: tether mcu-console PORT [--baud N] [--script FILE]
  Connects to the MCU on PORT (identify and clock sync, no configuration), then reads
  commands in Klipper's text form, one per line, and prints every message the MCU sends:
    get_clock
    debug_ping data=0102ff
    config_endstop oid=0 pin=PA1 pull_up=1
  Console commands: help, list (MCU commands), stats, delay SECONDS, quit.
  --baud N       serial speed for real UARTs (default 250000)
  --script FILE  run the commands in FILE instead of reading stdin, then exit`;

export interface ConsoleIo {
  input: NodeJS.ReadableStream;
  output: { write(text: string): unknown };
}

/** The console with its input/output streams injected (tests, the UI's raw console). */
export function createMcuConsoleCommand(io: () => ConsoleIo): CliCommand {
  return {
    name: 'mcu-console',
    summary: 'talk to an MCU directly: send commands by name, print what it sends',
    usage: CONSOLE_USAGE,
    async run(args: string[]): Promise<number> {
      let port: string | undefined;
      let baud: number | undefined;
      let script: string | undefined;
      for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (a === '--baud') {
          baud = Number(args[++i]);
          if (!Number.isInteger(baud) || baud <= 0) return usageError(`--baud needs a positive integer, got '${args[i]}'`, CONSOLE_USAGE);
        } else if (a === '--script') script = args[++i];
        else if (a === '-h' || a === '--help') {
          io().output.write(CONSOLE_USAGE + '\n');
          return 0;
        } else if (a.startsWith('-')) return usageError(`unknown option '${a}'`, CONSOLE_USAGE);
        else if (port === undefined) port = a;
        else return usageError(`unexpected argument '${a}'`, CONSOLE_USAGE);
      }
      if (!port) return usageError('expected PORT', CONSOLE_USAGE);
      const { output } = io();
      const input = script ? Readable.from([readFileSync(script, 'utf8')]) : io().input;
      const mcu = new Mcu({ name: 'mcu', serialPort: port, baud, log: (l) => output.write(`# ${l}\n`) });
      const t0 = mcu.monotonic();
      const stamp = (): string => (mcu.monotonic() - t0).toFixed(3).padStart(8);
      mcu.setMessageListener((format, params) => {
        if (format.name === 'clock' || format.name === 'stats') return; // background traffic
        output.write(`${stamp()} ${format.formatParams(params)}\n`);
      });
      try {
        await mcu.connect({ configure: false });
      } catch (e) {
        process.stderr.write(`tether mcu-console: ${(e as Error).message}\n`);
        await mcu.close();
        return 1;
      }
      const dict = mcu.dictionary;
      output.write(
        `# connected to ${dict.getConstant('MCU', '?')} (${dict.version}), CLOCK_FREQ=${dict.getConstant('CLOCK_FREQ', '?')}; type help\n`,
      );
      let failed = 0;
      const rl = createInterface({ input, crlfDelay: Infinity });
      for await (const raw of rl) {
        const line = raw.trim();
        if (!line || line.startsWith('#')) continue;
        const [word, ...rest] = line.split(/\s+/);
        const lower = word.toLowerCase();
        if (lower === 'quit' || lower === 'exit') break;
        if (lower === 'help') output.write(CONSOLE_USAGE + '\n');
        else if (lower === 'list') for (const c of dict.commands) output.write(`${c.format}\n`);
        else if (lower === 'stats') output.write(JSON.stringify(mcu.getStatus(), null, 1) + '\n');
        else if (lower === 'delay') await new Promise((r) => setTimeout(r, Math.max(0, Number(rest[0]) || 0) * 1000));
        else {
          try {
            const { bytes } = dict.encodeCommandText(line);
            mcu.sendRaw(undefined, bytes);
          } catch (e) {
            failed++;
            output.write(`# error: ${(e as Error).message}\n`);
          }
        }
      }
      await mcu.flush();
      await new Promise((r) => setTimeout(r, 100)); // let last replies arrive
      await mcu.close();
      return failed ? 2 : 0;
    },
  };
}

export const mcuConsoleCommand: CliCommand = createMcuConsoleCommand(() => ({ input: process.stdin, output: process.stdout }));
