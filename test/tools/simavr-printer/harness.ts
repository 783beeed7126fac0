// Runs Tether's AVR firmware in simavr-printer with a pre-encoded command script (no host, no
// pacing), then decodes what the firmware sent. Used by the AVR firmware test and the step-rate
// benchmark. The chip's clock starts at 0 at reset and simavr is cycle-exact, so a script can
// name absolute clocks.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BlockReceiver, frameBlock } from '../../../src-main/host/mcu/codec';
import { loadDictionaryFile, type Dictionary, type DecodedMessage } from '../../../src-main/host/mcu/dictionary';
import { repoRoot, testOutputDir } from '../../support/paths';

export const printerBin = path.join(repoRoot, 'test/tools/simavr-printer/build/simavr-printer');

export interface AvrImage {
  mcu: string;
  fCpu: number;
  dir: string; // firmware/build/avr-<mcu>-<fcpu>
}

/**
 * Runs make in firmware/ (or another directory) under one lock: test files run in parallel
 * workers and several build the same image; concurrent makes would write the same files.
 */
export function makeFirmware(args: string[], dir = path.join(repoRoot, 'firmware')): void {
  mkdirSync(testOutputDir, { recursive: true });
  execFileSync('flock', [path.join(testOutputDir, 'firmware-make.lock'), 'make', '-s', '-C', dir, ...args], {
    stdio: 'pipe',
  });
}

/** Builds (make is incremental) the simavr-printer and an AVR image. */
export function buildAvr(mcu: string, fCpu = 16000000): AvrImage {
  makeFirmware([], path.join(repoRoot, 'test/tools/simavr-printer'));
  makeFirmware(['avr', `MCU=${mcu}`, `F_CPU=${fCpu}`]);
  return { mcu, fCpu, dir: path.join(repoRoot, `firmware/build/avr-${mcu}-${fCpu}`) };
}

export function avrDictionary(img: AvrImage): Dictionary {
  return loadDictionaryFile(path.join(img.dir, 'tether.dict.json'));
}

/** Frames command lines ("queue_step oid=0 interval=200 count=10 add=0") into blocks, one per line. */
export function encodeScript(dict: Dictionary, lines: string[]): Uint8Array {
  const blocks = lines.map((line, i) => frameBlock(i & 0x0f, dict.encodeCommandText(line).bytes));
  // Leading sync bytes: a byte lost while the receiver starts up costs only padding.
  return Buffer.concat([Buffer.from([0x7e, 0x7e]), ...blocks]);
}

export interface ScriptRun {
  report: {
    cycles: number;
    freq: number;
    rises: Record<string, number>;
    positions: Record<string, number>;
    /** Shortest high / low time per pin, in cycles (step pulse widths). */
    min_high: Record<string, number>;
    min_low: Record<string, number>;
  };
  responses: DecodedMessage[];
  /** With opts.peek (hex data address): the bytes there when the run ended. */
  peek?: number[];
}

/** Runs the image on the simulated chip for `cycles` cycles, fed with `script`. */
export function runScript(
  img: AvrImage,
  dict: Dictionary,
  lines: string[],
  opts: { cycles: number; steppers?: string[]; adc?: string[]; peek?: string; name: string },
): ScriptRun {
  const dir = path.join(testOutputDir, 'avr', opts.name);
  mkdirSync(dir, { recursive: true });
  const scriptPath = path.join(dir, 'script.bin');
  writeFileSync(scriptPath, encodeScript(dict, lines));
  const out = path.join(dir, 'uart.bin');
  const report = path.join(dir, 'report.json');
  const args = [
    '--mcu',
    img.mcu,
    '--freq',
    String(img.fCpu),
    '--elf',
    path.join(img.dir, 'tether.elf'),
    '--speed',
    '0',
    '--script',
    scriptPath,
    '--uart-out',
    out,
    '--report',
    report,
    '--cycles',
    String(opts.cycles),
  ];
  for (const s of opts.steppers ?? []) args.push('--stepper', s);
  for (const a of opts.adc ?? []) args.push('--adc', a);
  const env = opts.peek ? { ...process.env, SIMAVR_PRINTER_PEEK: opts.peek } : process.env;
  const run = spawnSync(printerBin, args, { timeout: 120_000, env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`simavr-printer failed (${run.status ?? run.signal}): ${run.stderr}`);
  const peeked = /ram\[0x[0-9a-f]+\.\.\]:((?: [0-9a-f]{2})+)/.exec(run.stderr);
  const responses: DecodedMessage[] = [];
  const rx = new BlockReceiver((block) => {
    responses.push(...dict.decodeMessages(block, 2, block.length - 3, 'responses'));
  });
  rx.push(readFileSync(out));
  return {
    report: JSON.parse(readFileSync(report, 'utf8')) as ScriptRun['report'],
    responses,
    peek: peeked
      ? peeked[1]!
          .trim()
          .split(' ')
          .map((h) => parseInt(h, 16))
      : undefined,
  };
}
