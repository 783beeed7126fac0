// `tether batch printer.cfg -i in.gcode -o out.serial -d mcu.dict`: runs a G-code file through
// the host with no MCU and writes the blocks the host would send (config phase included) for
// that data dictionary, like Klipper's batch mode. It is how motion is compared with Klipper and
// how host speed is measured. The input is streamed, so file size does not bound memory.
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { CliCommand } from '../cli-command';
import { GCodeError } from './gcode/command';
import { Host } from './host';
import { DictionaryError, loadDictionaryFile } from './mcu/dictionary';
import type { Mcu } from './mcu/mcu';
import type { Toolhead } from './motion/index';
import type { PrinterToolhead } from './objects/toolhead';
import type { PrinterExtruder } from './objects/extruder';

export interface BatchOptions {
  configPath: string;
  inputPath: string;
  outputPath: string;
  dictPath: string;
  /** Console output of commands (M114, SET_VELOCITY_LIMIT, ...); default: ignored. */
  onResponse?: (text: string) => void;
  /** Input read size; tests use tiny chunks to cross line and UTF-8 boundaries. */
  readChunkBytes?: number;
}

export interface StepperFigures {
  name: string;
  stepPin: string;
  steps: number;
  queueSteps: number;
}

export interface BatchResult {
  lines: number;
  steppers: StepperFigures[];
  steps: number;
  queueSteps: number;
  outputBytes: number;
}

/** A batch failure the user can act on: config file:line, or G-code file:line + message. */
export class BatchError extends Error {
  override name = 'BatchError';
}

const READ_CHUNK_BYTES = 1 << 20;

export async function runBatch(o: BatchOptions): Promise<BatchResult> {
  let dictionary;
  try {
    dictionary = loadDictionaryFile(o.dictPath);
  } catch (e) {
    if (e instanceof DictionaryError) throw new BatchError(e.message);
    throw e;
  }
  let inputFd: number;
  try {
    inputFd = fs.openSync(o.inputPath, 'r');
  } catch (e) {
    throw new BatchError(`Cannot read G-code file '${o.inputPath}': ${(e as Error).message}`);
  }
  const host = await Host.start({ configPath: o.configPath, mcuFileOutput: { dictionary, output: o.outputPath } });
  if (host.printer.state !== 'ready') {
    fs.closeSync(inputFd);
    await host.stop().catch(() => undefined);
    throw new BatchError(host.printer.stateMessage);
  }
  if (o.onResponse) host.gcode.onResponse((_kind, text) => o.onResponse?.(text));
  let lineNo = 0;
  try {
    lineNo = await streamLines(inputFd, o.readChunkBytes ?? READ_CHUNK_BYTES, (line, n) => {
      try {
        const r = host.gcode.runLineDirect(line);
        if (r) return r.catch((e: unknown) => Promise.reject(gcodeFailure(o.inputPath, n, line, e)));
      } catch (e) {
        throw gcodeFailure(o.inputPath, n, line, e);
      }
    });
    host.printer.lookupObject<Toolhead>('toolhead').flushStepGeneration();
  } finally {
    fs.closeSync(inputFd);
    await host.stop();
  }
  const mcu = host.printer.lookupObject<Mcu>('mcu');
  const steppers: StepperFigures[] = [];
  const th = host.printer.lookupObjectOrNull<PrinterToolhead>('printer_toolhead');
  const ex = host.printer.lookupObjectOrNull<PrinterExtruder>('extruder');
  for (const s of [...(th?.steppers ?? []), ...(ex?.stepper ? [ex.stepper] : [])]) {
    steppers.push({ name: s.name, stepPin: s.stepPin.pin, steps: s.stepCount, queueSteps: s.queueStepCount });
  }
  return {
    lines: lineNo,
    steppers,
    steps: steppers.reduce((a, s) => a + s.steps, 0),
    queueSteps: steppers.reduce((a, s) => a + s.queueSteps, 0),
    outputBytes: mcu.getStatus().lastStats.bytesWrite,
  };
}

function gcodeFailure(file: string, lineNo: number, line: string, e: unknown): BatchError {
  const msg = e instanceof Error ? e.message : String(e);
  const known = e instanceof GCodeError || (e instanceof Error && /out of range|home axis|Extrude|extrusion|Unknown command/.test(msg));
  return new BatchError(`${file}:${lineNo}: ${known ? msg : `${msg} in '${line.trim()}'`}`);
}

/**
 * Calls `fn` for every line of the file (1-based numbers), awaiting it only when it returns a
 * promise. Returns the number of lines.
 */
async function streamLines(fd: number, chunkBytes: number, fn: (line: string, lineNo: number) => void | Promise<void>): Promise<number> {
  const buf = Buffer.allocUnsafe(chunkBytes);
  // A multi-byte character split between reads is completed by the next read.
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let lineNo = 0;
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    const text = carry + decoder.write(buf.subarray(0, n));
    // Keep a trailing partial line (and a split multi-byte character) for the next chunk.
    const last = text.lastIndexOf('\n');
    if (last < 0) {
      carry = text;
      continue;
    }
    carry = text.slice(last + 1);
    let start = 0;
    while (start <= last) {
      const end = text.indexOf('\n', start);
      lineNo++;
      const r = fn(text.slice(start, end > 0 && text.charCodeAt(end - 1) === 13 ? end - 1 : end), lineNo);
      if (r) await r;
      start = end + 1;
    }
  }
  if (carry.length) {
    lineNo++;
    const r = fn(carry, lineNo);
    if (r) await r;
  }
  return lineNo;
}

const USAGE = `usage: tether batch PRINTER.cfg -i IN.gcode -o OUT.serial -d MCU.dict [--stats]
  Runs IN.gcode through the host without a printer and writes the bytes the host would send
  to an MCU with data dictionary MCU.dict (Klipper's or Tether's), config phase included.
  --stats  print steps and queue_step messages per stepper to stderr`;

export const batchCommand: CliCommand = {
  name: 'batch',
  summary: 'run a G-code file without a printer, writing the MCU commands to a file',
  usage: USAGE,
  async run(args: string[]): Promise<number> {
    const positional: string[] = [];
    const named: Record<string, string> = {};
    let stats = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === '-h' || a === '--help') {
        process.stdout.write(USAGE + '\n');
        return 0;
      }
      if (a === '--stats') stats = true;
      else if (a === '-i' || a === '-o' || a === '-d') {
        const v = args[++i];
        if (v === undefined) return usage(`option ${a} needs a file name`);
        named[a] = v;
      } else if (a.startsWith('-')) return usage(`unknown option '${a}'`);
      else positional.push(a);
    }
    if (positional.length !== 1) return usage('expected exactly one PRINTER.cfg');
    for (const k of ['-i', '-o', '-d']) if (!named[k]) return usage(`missing ${k}`);
    try {
      const r = await runBatch({
        configPath: positional[0],
        inputPath: named['-i'],
        outputPath: named['-o'],
        dictPath: named['-d'],
        onResponse: (t) => process.stdout.write(t + '\n'),
      });
      if (stats) {
        for (const s of r.steppers) process.stderr.write(`${s.name} (${s.stepPin}): ${s.steps} steps in ${s.queueSteps} queue_step\n`);
        process.stderr.write(`${r.lines} lines, ${r.steps} steps, ${r.queueSteps} queue_step, ${r.outputBytes} bytes\n`);
      }
      return 0;
    } catch (e) {
      if (!(e instanceof BatchError)) throw e;
      process.stderr.write(`tether batch: ${e.message}\n`);
      return 1;
    }
  },
};

function usage(message: string): number {
  process.stderr.write(`tether batch: ${message}\n${USAGE}\n`);
  return 64;
}
