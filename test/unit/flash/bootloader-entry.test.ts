import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KLIPPER_BOOTLOADER_REQUEST, requestKlipperBootloader } from '../../../src-main/flash';
import { testOutputDir } from '../../support/paths';
import { toolsPresent } from '../../support/tools';

describe.skipIf(!toolsPresent('socat'))('entering the bootloader', () => {
  let socat: ChildProcess;
  const dir = path.join(testOutputDir, `entry-${process.pid}`);
  const a = path.join(dir, 'host');
  const b = path.join(dir, 'board');
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    socat = spawn('socat', [`PTY,link=${a},rawer`, `PTY,link=${b},rawer`], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !(existsSync(a) && existsSync(b)); i++) await new Promise((r) => setTimeout(r, 20));
  });
  afterAll(() => {
    socat.kill('SIGTERM');
  });

  it('sends Klipper\'s "Request Serial Bootloader" block at the firmware\'s baud', async () => {
    const board = new SerialPort({ path: b, baudRate: 250000, autoOpen: false });
    await new Promise<void>((res, rej) => board.open((e) => (e ? rej(e) : res())));
    const received: Buffer[] = [];
    board.on('data', (d: Buffer) => received.push(d));
    await requestKlipperBootloader(a, 250000, 50);
    for (let i = 0; i < 50 && Buffer.concat(received).length < KLIPPER_BOOTLOADER_REQUEST.length; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise<void>((res) => board.close(() => res()));
    const bytes = Buffer.concat(received);
    // 0x7E ' ' 0x1C ' ' "Request Serial Bootloader!!" ' ' 0x7E: 33 bytes, starting and ending with the sync byte.
    expect(bytes.length).toBe(33);
    expect(bytes[0]).toBe(0x7e);
    expect(bytes[2]).toBe(0x1c);
    expect(bytes.subarray(4, 31).toString('latin1')).toBe('Request Serial Bootloader!!');
    expect(bytes[32]).toBe(0x7e);
  });
});
