import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { flash, FlashError, loadBoardCatalog, type Board } from '../../../src-main/flash';
import { repoRoot, testOutputDir } from '../../support/paths';
import { makeTestTool } from './sim-board';
import { toolsPresent } from '../../support/tools';

// AN3155 against a stand-in of the STM32 ROM bootloader on a pty. Debian's stm32flash flashing
// through the stand-in first proves the stand-in speaks the protocol as the chip does; then our
// client flashes and verifies through it. Linux ptys drop the parity bit from the line settings,
// so stm32flash runs with -m 8n1 here (our client asks for 8E1 and the pty ignores it).
const toolDir = path.join(repoRoot, 'test/tools/stm32-bootloader-standin');
const outDir = path.join(testOutputDir, 'flash');
let counter = 0;

interface Standin {
  pty: string;
  dumpPath: string;
  child: ChildProcess;
  flashBytes(): Buffer;
  stop(): Promise<void>;
}

async function startStandin(extra: string[] = []): Promise<Standin> {
  mkdirSync(outDir, { recursive: true });
  const dumpPath = path.join(outDir, `stm32-${process.pid}-${++counter}.bin`);
  const child = spawn(path.join(toolDir, 'build/stm32-bootloader-standin'), ['--dump', dumpPath, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  const pty = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /PTY (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`stand-in exited ${code}`)));
  });
  return {
    pty,
    dumpPath,
    child,
    flashBytes: () => readFileSync(dumpPath),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function pseudoRandomImage(bytes: number, seed: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let x = seed;
  for (let i = 0; i < bytes; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe.skipIf(!toolsPresent('stm32flash', 'cc', 'make'))('STM32 serial bootloader (AN3155)', () => {
  let standin: Standin | undefined;
  const bluepill = () => loadBoardCatalog().byId('stm32f103-bluepill')!;

  beforeAll(() => makeTestTool(toolDir));
  afterEach(async () => {
    await standin?.stop();
    standin = undefined;
  });

  it('is a faithful stand-in: Debian stm32flash writes and verifies through it', async () => {
    standin = await startStandin();
    const image = pseudoRandomImage(5000, 1);
    const file = path.join(outDir, `stm32flash-${process.pid}.bin`);
    writeFileSync(file, image);
    const out = execFileSync('stm32flash', ['-m', '8n1', '-b', '115200', '-w', file, '-v', standin.pty], { encoding: 'utf8', timeout: 30_000 });
    expect(out).toMatch(/Device ID\s*: 0x0410/);
    expect(out).toMatch(/Wrote and verified address 0x08001388 \(100\.00%\)/);
    expect(Buffer.compare(standin.flashBytes().subarray(0, image.length), Buffer.from(image))).toBe(0);
  });

  for (const variant of [{ name: 'Erase (v2.2)', args: [] }, { name: 'Extended Erase (v3.1)', args: ['--extended-erase'] }]) {
    it(`flashes, verifies and starts an image with ${variant.name}`, async () => {
      standin = await startStandin(variant.args);
      // Something old in flash first, so a missing erase would show in the verify.
      const old = pseudoRandomImage(6000, 7);
      const file = path.join(outDir, `old-${process.pid}-${counter}.bin`);
      writeFileSync(file, old);
      execFileSync('stm32flash', ['-m', '8n1', '-b', '115200', '-w', file, standin.pty], { timeout: 30_000 });

      const image = pseudoRandomImage(3001, 42); // not a multiple of 4: padded with 0xFF
      const phases = new Set<string>();
      const result = await flash({ board: bluepill(), method: 'stm32-serial', port: standin.pty, image: { fileName: 'klipper.bin', content: image } }, (e) => {
        if (e.type === 'progress') phases.add(e.phase);
      });
      expect(result).toMatchObject({ method: 'stm32-serial', verifiedBy: 'read-back', chipId: '0410', bytesWritten: 3001 });
      expect([...phases]).toEqual(expect.arrayContaining(['connect', 'erase', 'write', 'verify', 'start', 'done']));
      const mem = standin.flashBytes();
      expect(Buffer.compare(mem.subarray(0, 3001), Buffer.from(image))).toBe(0);
      expect([...mem.subarray(3001, 3004)]).toEqual([0xff, 0xff, 0xff]);
      // Pages beyond the new image were not erased (only what the image covers is).
      expect(Buffer.compare(mem.subarray(4096, 6000), Buffer.from(old.subarray(4096, 6000)))).toBe(0);
    });
  }

  it('refuses a chip whose product id differs from the board', async () => {
    standin = await startStandin();
    const wrong: Board = { ...bluepill(), name: 'Test F103 high density', mcuSpec: { ...bluepill().mcuSpec, productId: '0414' } };
    const err = await flash({ board: wrong, method: 'stm32-serial', port: standin.pty, image: { fileName: 'a.bin', content: new Uint8Array(64) } }).catch((e) => e);
    expect(err).toBeInstanceOf(FlashError);
    expect((err as FlashError).code).toBe('wrong-signature');
    expect((err as FlashError).message).toMatch(/0x0410.*0x0414.*Nothing was written/);
    expect(standin.flashBytes().subarray(0, 64).every((b) => b === 0xff)).toBe(true);
  });

  it('times out clearly when the bootloader does not answer (BOOT0 not set)', async () => {
    standin = await startStandin();
    await flash({ board: bluepill(), method: 'stm32-serial', port: standin.pty, image: { fileName: 'a.bin', content: new Uint8Array(16) } });
    // After Go the application runs and nothing answers 0x7F any more.
    const err = await flash({ board: bluepill(), method: 'stm32-serial', port: standin.pty, image: { fileName: 'a.bin', content: new Uint8Array(16) } }).catch((e) => e);
    expect((err as FlashError).code).toBe('timeout');
    expect((err as FlashError).fix).toMatch(/BOOT0/);
  });
});
