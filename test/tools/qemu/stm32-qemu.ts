// Starts Tether's STM32 firmware (the qemu-stm32f405 build) in QEMU's netduinoplus2 machine
// (STM32F405) with USART1 on a pty. QEMU discards UART output while nobody has the pty open, so
// it starts paused (-S); `resume()` continues it through the monitor once the host has the pty.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { mkdirSync, rmSync } from 'node:fs';
import { testOutputDir } from '../../support/paths';

export interface QemuBoard {
  pty: string;
  resume(): Promise<void>;
  /** A 32-bit word of the simulated chip's memory or registers (monitor `xp`). */
  readWord(address: number): Promise<number>;
  stop(): Promise<void>;
}

export interface QemuOptions {
  /** QEMU's instruction counting (-icount shift=auto): virtual time advances with executed
   * instructions and timers fire at their exact instruction, so interrupt timing is the
   * firmware's own, not the host's scheduling (the CPU is still not cycle-timed). */
  icount?: boolean;
}

export async function startQemuStm32(elf: string, name: string, options: QemuOptions = {}): Promise<QemuBoard> {
  const dir = path.join(testOutputDir, 'qemu');
  mkdirSync(dir, { recursive: true });
  const monitor = path.join(dir, `${name}.monitor`);
  rmSync(monitor, { force: true });
  const proc: ChildProcess = spawn(
    'qemu-system-arm',
    [
      '-M',
      'netduinoplus2',
      '-kernel',
      elf,
      '-nographic',
      '-serial',
      'pty',
      '-monitor',
      `unix:${monitor},server,nowait`,
      '-S',
      ...(options.icount ? ['-icount', 'shift=auto'] : []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const pty = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`QEMU printed no pty within 20 s:\n${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /redirected to (\/dev\/pts\/\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`QEMU exited (${code}):\n${out}`)));
  });
  // One monitor command: its output ends with the next "(qemu)" prompt (the banner ends with
  // the first). A loaded host can take seconds to answer: wait for the prompt, not a fixed time.
  const monitorCommand = (cmd: string) =>
    new Promise<string>((resolve, reject) => {
      let text = '';
      const sock = net.connect(monitor, () => sock.write(`${cmd}\n`));
      const done = () => {
        clearTimeout(timer);
        sock.end();
        resolve(text);
      };
      const timer = setTimeout(done, 15_000);
      sock.on('data', (d: Buffer) => {
        text += d.toString();
        if ((text.match(/\(qemu\)/g) ?? []).length >= 2) done();
      });
      sock.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  return {
    pty,
    resume: async () => {
      await monitorCommand('cont');
    },
    readWord: async (address: number) => {
      const hex = `0x${address.toString(16)}`;
      const text = await monitorCommand(`xp /1wx ${hex}`);
      const m = new RegExp(`${hex.slice(2)}:\\s+0x([0-9a-f]+)`, 'i').exec(text);
      if (!m) throw new Error(`QEMU monitor gave no value for ${hex}:\n${text}`);
      return Number.parseInt(m[1], 16);
    },
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.on('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}
