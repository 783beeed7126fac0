import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, testOutputDir } from '../../support/paths';

export const simBoardDir = path.join(repoRoot, 'test/tools/simavr-board');
export const simBuild = path.join(simBoardDir, 'build');

/**
 * Runs make in a test tool's folder under a lock: several test files build the same tools and
 * vitest runs files in parallel workers, so two makes must not write the same outputs at once.
 */
export function makeTestTool(dir: string): void {
  mkdirSync(testOutputDir, { recursive: true });
  execFileSync('flock', [path.join(testOutputDir, 'test-tools.lock'), 'make', '-C', dir, '-s'], { stdio: 'inherit' });
}

/** Builds the board program, bootloaders and test apps (make is a no-op when up to date). */
export function buildSimBoardTools(): void {
  makeTestTool(simBoardDir);
}

export interface SimBoard {
  pty: string;
  uartLog: string;
  process: ChildProcess;
  /** Text the chip sent so far (whether or not the port was open). */
  uartText(): string;
  stop(): Promise<void>;
}

let counter = 0;

/** Starts a simulated board and waits for its pty. */
export async function startSimBoard(args: string[]): Promise<SimBoard> {
  const dir = path.join(testOutputDir, 'flash');
  mkdirSync(dir, { recursive: true });
  const uartLog = path.join(dir, `uart-${process.pid}-${++counter}.log`);
  const child = spawn(path.join(simBuild, 'simavr-board'), [...args, '--uart-log', uartLog], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const pty = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`simavr-board did not start: ${stderr}`)), 10_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /PTY (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`simavr-board exited (${code}): ${stderr}`)));
  });
  return {
    pty,
    uartLog,
    process: child,
    uartText: () => (existsSync(uartLog) ? readFileSync(uartLog, 'latin1') : ''),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Waits until the chip's output matches `re` (the flashed firmware running). */
export async function waitForUart(board: SimBoard, re: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = re.exec(board.uartText());
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`chip output never matched ${re}; got: ${board.uartText().slice(-300)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** CRC-16/CCITT-FALSE, the sum the test app prints over its own image. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}
