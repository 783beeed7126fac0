import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyPortError, describeWrongBaud, looksLikeWrongBaud, processesUsingPort } from '../../../src-main/ports';
import { repoRoot } from '../../support/paths';
import { makeTestTool } from '../../integration/flash/sim-board';
import { toolsPresent } from '../../support/tools';

describe('classifyPortError on recorded messages', () => {
  it('permission denied on Linux names the group and the udev alternative', () => {
    const p = classifyPortError(new Error('Error: Permission denied, cannot open /dev/ttyUSB0'), '/dev/ttyUSB0', { platform: 'linux' });
    expect(p.code).toBe('permission-denied');
    expect(p.fix).toMatch(/usermod -aG \w+ \$USER/);
    expect(p.fix).toMatch(/udev rule/);
  });
  it('Windows access denied', () => {
    const p = classifyPortError(new Error('Opening COM3: Access denied'), 'COM3', { platform: 'win32' });
    expect(p.code).toBe('permission-denied');
    expect(p.fix).toMatch(/close other serial programs/i);
  });
  it('a vanished device says it was unplugged', () => {
    const p = classifyPortError(new Error('Error: No such file or directory, cannot open /dev/ttyACM0'), '/dev/ttyACM0', { platform: 'linux' });
    expect(p.code).toBe('vanished');
    const w = classifyPortError(new Error('Opening COM9: File not found'), 'COM9', { platform: 'win32' });
    expect(w.code).toBe('vanished');
  });
  it('ModemManager holding the port gets its specific fix (recorded /proc)', () => {
    const procRoot = path.join(repoRoot, 'test/unit/ports/fixtures/proc');
    const p = classifyPortError(new Error('Error Resource temporarily unavailable Cannot lock port'), '/dev/ttyACM0', { platform: 'linux', procRoot });
    expect(p.code).toBe('busy');
    expect(p.holders).toEqual([{ pid: 812, command: 'ModemManager' }]);
    expect(p.message).toContain('ModemManager (pid 812)');
    expect(p.fix).toMatch(/ID_MM_DEVICE_IGNORE/);
  });
  it('wrong baud: garbage is told apart from text and Klipper frames', () => {
    expect(looksLikeWrongBaud(Buffer.from('start\necho:Marlin 2.1\nok\n'), 'text')).toBe(false);
    expect(looksLikeWrongBaud(Uint8Array.from([0xf0, 0x80, 0x00, 0xfe, 0x9c, 0x03, 0xe0, 0x11, 0xa5, 0xff]), 'text')).toBe(true);
    const frame = [7, 0x10, 0x01, 0x02, 0x33, 0x44, 0x7e];
    expect(looksLikeWrongBaud(Uint8Array.from([...frame, ...frame]), 'klipper')).toBe(false);
    expect(looksLikeWrongBaud(Uint8Array.from([0x00, 0x80, 0x80, 0x00, 0x80, 0xf8, 0x00, 0x80, 0x80]), 'klipper')).toBe(true);
    expect(describeWrongBaud('/dev/ttyUSB0', 115200).fix).toMatch(/250000/);
  });
});

describe.skipIf(!toolsPresent('cc', 'make'))('busy port on a real pty', () => {
  let child: ChildProcess;
  let pty: string;
  const toolDir = path.join(repoRoot, 'test/tools/stm32-bootloader-standin');
  beforeAll(async () => {
    makeTestTool(toolDir);
    child = spawn(path.join(toolDir, 'build/stm32-bootloader-standin'), [], { stdio: ['ignore', 'pipe', 'ignore'] });
    pty = await new Promise<string>((resolve) => child.stdout!.on('data', (d) => resolve(/PTY (\S+)/.exec(String(d))![1])));
  });
  afterAll(() => {
    child.kill('SIGTERM');
  });

  it('finds this process holding the port through /proc and says so', async () => {
    const first = new SerialPort({ path: pty, baudRate: 115200, autoOpen: false });
    await new Promise<void>((res, rej) => first.open((e) => (e ? rej(e) : res())));
    try {
      const second = new SerialPort({ path: pty, baudRate: 115200, autoOpen: false });
      const err = await new Promise<Error | null>((res) => second.open((e) => res(e)));
      expect(err).not.toBeNull();
      const p = classifyPortError(err, pty, { platform: 'linux' });
      expect(p.code).toBe('busy');
      expect(p.holders!.map((h) => h.pid)).toContain(process.pid);
      expect(processesUsingPort(pty).map((h) => h.pid)).toContain(process.pid);
    } finally {
      await new Promise<void>((res) => first.close(() => res()));
    }
    expect(processesUsingPort(pty).map((h) => h.pid)).not.toContain(process.pid);
  });
});
