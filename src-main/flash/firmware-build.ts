// Builds Tether's firmware for a catalog board with the firmware Makefile (make avr / make stm32),
// into a folder of its own per build (never into the checkout's or the packaged app's folders),
// with progress counted from make's own command lines and every line passed on as a log.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Board, BoardCatalog } from './catalog';
import { FlashError, throwIfCancelled } from './errors';
import { runTool } from './external-tool';
import { checkImageFits } from './flash';
import { flattenImage, loadImage } from './image';
import { checkToolchain, type FirmwareTarget, type ToolchainStatus } from './toolchain';

/** How the firmware talks to the host: a UART (through the board's USB-serial chip) or native USB CDC. */
export type FirmwareSerial = 'usart' | 'usb';

/** What `make` is asked to build for a board. */
export interface FirmwareBuildPlan {
  target: FirmwareTarget;
  /**
   * Makefile variables: MCU, F_CPU (AVR), OFFSET and HSE_HZ (STM32), SERIAL=usb for native-USB
   * boards, SERIAL_BAUD for USART images of boards that talk at another baud than 250000.
   */
  variables: Record<string, string>;
  serial: FirmwareSerial;
  /** The file to flash: tether.hex on AVR, tether.bin (linked at the bootloader offset) on STM32. */
  imageFile: 'tether.hex' | 'tether.bin';
  /** Things the user should know before flashing (e.g. no USB CDC in this firmware yet). */
  warnings: string[];
}

export type BuildEvent =
  | { type: 'progress'; doneSteps: number; totalSteps: number; step: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; text: string };

export interface FirmwareBuildResult {
  boardId: string;
  /** This build's own folder (BUILD_DIR). */
  dir: string;
  imagePath: string;
  elfPath: string;
  /** The data dictionary the host checks the firmware against. */
  dictPath: string;
  /** Bytes the image occupies from the application start (what gets written). */
  imageBytes: number;
  maxImageBytes: number;
  serial: FirmwareSerial;
  variables: Record<string, string>;
  warnings: string[];
  builtAt: string;
  durationMs: number;
}

export interface FirmwareBuildOptions {
  /** The firmware folder with its Makefile (the checkout's firmware/); none in an app without sources. */
  sourceDir: string | undefined;
  /** Each build gets a new folder under this one. */
  outputRoot: string;
  /** make -j (default 2). */
  jobs?: number;
  /** Node for the Makefile's generator script (default: this process; Electron runs as Node). */
  nodePath?: string;
  /** make stops after this long without output / overall (default 120 s / 15 min). */
  inactivityMs?: number;
  overallMs?: number;
  /** Injected in tests. */
  toolchain?: (target: FirmwareTarget) => ToolchainStatus;
}

/** Which MCUs the firmware Makefile knows, read from it so a newly ported chip shows up by itself. */
export function firmwareMcus(makefileText: string): { avr: string[]; stm32: string[] } {
  const avr = /^AVR_MCUS\s*=\s*(.+)$/m.exec(makefileText)?.[1].trim().split(/\s+/) ?? [];
  const stm32 = [...makefileText.matchAll(/^STM32_ARGS_([\w-]+)\s*=/gm)].map((m) => m[1]).filter((m) => !m.startsWith('qemu'));
  return { avr, stm32 };
}

/** Whether this firmware can talk over native USB (its Makefile has a SERIAL variable). */
export function firmwareHasUsbSerial(makefileText: string, mcu: string): boolean {
  if (!/^SERIAL\s*\??=/m.test(makefileText)) return false;
  // The Makefile lists the chips whose USB peripheral has a driver (the F103's has none yet).
  const list = /^STM32_USB_MCUS\s*[:?]?=(.*)$/m.exec(makefileText)?.[1] ?? '';
  return list.trim().split(/\s+/).includes(mcu);
}

function readMakefile(sourceDir: string | undefined): string {
  const file = sourceDir ? path.join(sourceDir, 'Makefile') : '';
  if (!sourceDir || !existsSync(file) || !existsSync(path.join(sourceDir, 'core'))) {
    throw new FlashError(
      'no-firmware',
      `The firmware sources are not part of this installation${file ? ` (no ${file})` : ''}.`,
      'Pick a packaged image or a file, or run Tether from a source checkout to build firmware.',
    );
  }
  return readFileSync(file, 'utf8');
}

/** The make target and variables for a board; refuses boards our firmware does not support yet. */
export function planFirmwareBuild(board: Board, makefileText: string): FirmwareBuildPlan {
  const mcus = firmwareMcus(makefileText);
  const family = board.mcuSpec.family;
  const target: FirmwareTarget | null = family === 'avr' && mcus.avr.includes(board.mcu) ? 'avr' : family === 'stm32' && mcus.stm32.includes(board.mcu) ? 'stm32' : null;
  if (!target) {
    const supported = [...mcus.avr, ...mcus.stm32].join(', ');
    throw new FlashError(
      'no-firmware',
      `Tether's firmware does not support ${board.name}'s ${board.mcu} yet (it builds for ${supported}).`,
      'Pick a packaged image or a firmware file for this board instead.',
    );
  }
  const warnings: string[] = [];
  const serial: FirmwareSerial = board.interface === 'usb-native' ? 'usb' : 'usart';
  const variables: Record<string, string> = { MCU: board.mcu };
  if (target === 'avr') {
    variables.F_CPU = String(board.clockHz);
  } else {
    variables.OFFSET = String(board.applicationOffset);
    variables.HSE_HZ = String(board.firmware?.hseHz ?? 8_000_000);
    if (serial === 'usb') {
      if (firmwareHasUsbSerial(makefileText, board.mcu)) variables.SERIAL = 'usb';
      else {
        warnings.push(
          `This firmware has no USB CDC yet: the image talks on USART1 (PA9 TX / PA10 RX, ${board.serialBaudRate} baud), not on ${board.name}'s USB port. Connect a USB-serial adapter there, or use a packaged image.`,
        );
      }
    }
    // The image must answer at the baud the app will open the port with (identify, printer.cfg).
    if (variables.SERIAL !== 'usb' && board.serialBaudRate !== 250000) variables.SERIAL_BAUD = String(board.serialBaudRate);
  }
  return { target, variables, serial, imageFile: target === 'avr' ? 'tether.hex' : 'tether.bin', warnings };
}

/**
 * Whether a line make printed is one of its build steps (a command it runs): what the progress
 * bar counts. Compiler messages, make's own chatter and blank lines are not steps.
 */
export function isBuildStepLine(line: string, nodePath = 'node'): boolean {
  const first = line.trim().split(/\s+/)[0] ?? '';
  if (!first || first.startsWith('make')) return false;
  if (first === nodePath) return true;
  const base = first.split(/[\\/]/).pop()!;
  return /^(sh|node|electron|[\w.-]*-?(gcc|cc|objcopy|size))(\.exe)?$/.test(base);
}

/** A short name for a step line ("avr-gcc", "node gen-dict.mjs"), for the progress bar. */
export function describeBuildStep(line: string): string {
  const words = line.trim().split(/\s+/);
  const tool = words[0].split(/[\\/]/).pop()!;
  if (/^(sh|node|electron)/.test(tool) && words[1]) return `${tool} ${words[1].split(/[\\/]/).pop()}`;
  const output = words.indexOf('-o');
  return output >= 0 && words[output + 1] ? `${tool} → ${words[output + 1].split(/[\\/]/).pop()}` : tool;
}

/** The first compiler error (file:line: error: ...) in make's output, for the failure message. */
export function firstCompileError(lines: string[]): string | undefined {
  return lines.find((l) => /:\d+(:\d+)?: (fatal )?error: /.test(l) || /undefined reference to|region `\w+' overflowed/.test(l))?.trim();
}

/**
 * Builds the firmware for a board into a new folder under `outputRoot`: checks the toolchain,
 * counts make's planned steps (make -n), runs make, checks the image fits the board.
 */
export async function buildFirmware(board: Board, options: FirmwareBuildOptions, onEvent: (e: BuildEvent) => void = () => undefined, signal?: AbortSignal): Promise<FirmwareBuildResult> {
  const started = Date.now();
  const log = (text: string, level: 'info' | 'warn' | 'error' = 'info') => onEvent({ type: 'log', level, text });
  const plan = planFirmwareBuild(board, readMakefile(options.sourceDir));
  const toolchain = (options.toolchain ?? checkToolchain)(plan.target);
  if (!toolchain.ok) {
    const p = toolchain.problems;
    throw new FlashError('tool-missing', `Cannot build firmware for ${board.name}: ${p.map((x) => x.message).join(' ')}`, p[0].fix);
  }
  for (const [tool, version] of Object.entries(toolchain.found)) log(`${tool}: ${version}`);
  for (const w of plan.warnings) log(w, 'warn');

  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  const dir = path.join(options.outputRoot, `${board.id}-${stamp}-${randomUUID().slice(0, 6)}`);
  mkdirSync(dir, { recursive: true });
  const nodePath = options.nodePath ?? process.execPath;
  const args = ['-C', options.sourceDir!, `-j${options.jobs ?? 2}`, plan.target, `BUILD_DIR=${dir}`, `NODE=${nodePath}`, ...Object.entries(plan.variables).map(([k, v]) => `${k}=${v}`)];
  // Electron's own binary runs the generator script as plain Node with this set.
  const env = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
  const timeouts = { inactivityMs: options.inactivityMs ?? 120_000, overallMs: options.overallMs ?? 15 * 60_000 };
  try {
    const dry = await runTool({ command: 'make', args: ['-n', ...args], env, ...timeouts, signal });
    const totalSteps = Math.max(1, dry.output.split(/\r?\n/).filter((l) => isBuildStepLine(l, nodePath)).length);
    log(`make ${args.join(' ')}`);
    onEvent({ type: 'progress', doneSteps: 0, totalSteps, step: 'make' });
    let doneSteps = 0;
    const lines: string[] = [];
    try {
      await runTool({
        command: 'make',
        args,
        env,
        ...timeouts,
        signal,
        debianPackage: 'make',
        onLine: (line) => {
          lines.push(line);
          const step = isBuildStepLine(line, nodePath);
          log(line, /\berror\b/i.test(line) && !step ? 'error' : /\bwarning\b/i.test(line) && !step ? 'warn' : 'info');
          // A step is reported as it starts: done = the steps before it.
          if (step) onEvent({ type: 'progress', doneSteps: Math.min(doneSteps++, totalSteps), totalSteps, step: describeBuildStep(line) });
        },
      });
    } catch (err) {
      if (err instanceof FlashError && err.code === 'tool-failed') {
        const compileError = firstCompileError(lines);
        throw new FlashError(
          'build-failed',
          `The firmware for ${board.name} did not build${compileError ? `: ${compileError}` : ` (${err.message})`}.`,
          'Read the build log; if the error is in Tether\'s firmware itself, report it with the log. A packaged image or a file can still be flashed.',
        );
      }
      throw err;
    }
    throwIfCancelled(signal);
    onEvent({ type: 'progress', doneSteps: totalSteps, totalSteps, step: 'done' });
    const result = finishBuild(board, plan, dir, Date.now() - started);
    log(`Built ${path.relative(options.outputRoot, result.imagePath)}: ${result.imageBytes} bytes of ${result.maxImageBytes} (${Math.round((100 * result.imageBytes) / result.maxImageBytes)}%).`);
    return result;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function finishBuild(board: Board, plan: FirmwareBuildPlan, dir: string, durationMs: number): FirmwareBuildResult {
  const sub = readdirSync(dir).find((name) => existsSync(path.join(dir, name, plan.imageFile)));
  if (!sub) throw new FlashError('build-failed', `make finished but left no ${plan.imageFile} in ${dir}.`, 'Read the build log and report it.');
  const imagePath = path.join(dir, sub, plan.imageFile);
  const image = loadImage(plan.imageFile, readFileSync(imagePath), board.applicationAddress);
  checkImageFits(board, image);
  const flat = flattenImage(image);
  const result: FirmwareBuildResult = {
    boardId: board.id,
    dir,
    imagePath,
    elfPath: path.join(dir, sub, 'tether.elf'),
    dictPath: path.join(dir, sub, 'tether.dict.json'),
    imageBytes: flat.address + flat.data.length - board.applicationAddress,
    maxImageBytes: board.maxImageBytes,
    serial: plan.serial,
    variables: plan.variables,
    warnings: plan.warnings,
    builtAt: new Date().toISOString(),
    durationMs,
  };
  writeFileSync(path.join(dir, MANIFEST), JSON.stringify(result, null, 2) + '\n');
  return result;
}

const MANIFEST = 'build.json';

/** Finished builds under `outputRoot` (newest first), optionally only one board's. */
export function listFirmwareBuilds(outputRoot: string, boardId?: string): FirmwareBuildResult[] {
  if (!existsSync(outputRoot)) return [];
  const out: FirmwareBuildResult[] = [];
  for (const name of readdirSync(outputRoot)) {
    const file = path.join(outputRoot, name, MANIFEST);
    if (!existsSync(file)) continue;
    try {
      const r = JSON.parse(readFileSync(file, 'utf8')) as FirmwareBuildResult;
      if ((!boardId || r.boardId === boardId) && existsSync(r.imagePath) && statSync(r.imagePath).isFile()) out.push(r);
    } catch {
      // a half-written or foreign folder: not offered
    }
  }
  return out.sort((a, b) => b.builtAt.localeCompare(a.builtAt));
}

/** Keeps the newest `keep` builds of a board and removes the older folders. */
export function pruneFirmwareBuilds(outputRoot: string, boardId: string, keep = 3): void {
  for (const old of listFirmwareBuilds(outputRoot, boardId).slice(keep)) rmSync(old.dir, { recursive: true, force: true });
}

/** Everything a running build pushes, tagged with its id (the API's flash.buildEvent). */
export type FirmwareBuildJobEvent =
  | { buildId: string; type: 'event'; event: BuildEvent }
  | { buildId: string; type: 'done'; result: FirmwareBuildResult }
  | { buildId: string; type: 'failed'; error: { code: string; message: string; fix: string } };

/** Runs builds for the API: one per board at a time, cancellable, outcomes pushed as events. */
export class FirmwareBuilds {
  private readonly running = new Map<string, { controller: AbortController; boardId: string }>();
  private readonly listeners = new Set<(e: FirmwareBuildJobEvent) => void>();
  /** Toolchain checks spawn a few programs synchronously: reuse one for a few seconds. */
  private readonly toolchainSeen = new Map<FirmwareTarget, { at: number; status: ToolchainStatus }>();

  constructor(
    private readonly catalog: BoardCatalog,
    readonly options: FirmwareBuildOptions,
  ) {}

  onEvent(listener: (e: FirmwareBuildJobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The toolchain for a board's firmware and whether this installation can build it at all. */
  status(boardId: string, fresh = false): { buildable: boolean; target?: FirmwareTarget; problems: { code: string; message: string; fix: string }[]; warnings: string[] } {
    const board = this.board(boardId);
    try {
      const plan = planFirmwareBuild(board, readMakefile(this.options.sourceDir));
      const seen = this.toolchainSeen.get(plan.target);
      const tc = !fresh && seen && Date.now() - seen.at < 10_000 ? seen.status : (this.options.toolchain ?? checkToolchain)(plan.target);
      this.toolchainSeen.set(plan.target, { at: Date.now(), status: tc });
      return { buildable: tc.ok, target: plan.target, problems: tc.problems.map((p) => ({ code: 'tool-missing', message: p.message, fix: p.fix })), warnings: plan.warnings };
    } catch (err) {
      if (!(err instanceof FlashError)) throw err;
      return { buildable: false, problems: [{ code: err.code, message: err.message, fix: err.fix }], warnings: [] };
    }
  }

  start(boardId: string): { buildId: string } {
    const board = this.board(boardId);
    for (const job of this.running.values()) {
      if (job.boardId === boardId) throw new FlashError('build-failed', `Firmware for ${board.name} is already being built.`, 'Wait for that build to finish or cancel it.');
    }
    const buildId = randomUUID();
    const controller = new AbortController();
    this.running.set(buildId, { controller, boardId });
    const emit = (e: FirmwareBuildJobEvent) => this.listeners.forEach((l) => l(e));
    void (async () => {
      // The caller gets the id before the first event.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        const result = await buildFirmware(board, this.options, (event) => emit({ buildId, type: 'event', event }), controller.signal);
        pruneFirmwareBuilds(this.options.outputRoot, board.id);
        emit({ buildId, type: 'done', result });
      } catch (err) {
        const e = err instanceof FlashError ? err : new FlashError('build-failed', (err as Error).message, 'Read the build log and try again.');
        emit({ buildId, type: 'failed', error: { code: e.code, message: e.message, fix: e.fix } });
      } finally {
        this.running.delete(buildId);
      }
    })();
    return { buildId };
  }

  cancel(buildId: string): boolean {
    const job = this.running.get(buildId);
    job?.controller.abort();
    return !!job;
  }

  builds(boardId: string): FirmwareBuildResult[] {
    return listFirmwareBuilds(this.options.outputRoot, boardId);
  }

  private board(boardId: string): Board {
    const board = this.catalog.byId(boardId);
    if (!board) throw new FlashError('no-firmware', `Unknown board "${boardId}".`, 'Pick a board from the list.');
    return board;
  }
}
