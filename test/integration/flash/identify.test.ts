import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FlashError, identifyFirmware } from '../../../src-main/flash';
import { repoRoot } from '../../support/paths';
import { toolsPresent } from '../../support/tools';
import { buildSimBoardTools, simBuild, startSimBoard, type SimBoard } from './sim-board';

// After flashing, the wizard reconnects and names the firmware. Against Tether's own firmware
// (the sim build made by the global setup) that works; against a chip running something else
// (the simavr test app) it fails with a clear message instead of hanging.
const simFirmware = path.join(repoRoot, 'firmware/build/sim/tether-sim');

describe.skipIf(!existsSync(simFirmware))('identify the firmware after flashing', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGTERM');
    child = undefined;
  });

  it('names Tether firmware on a pty', async () => {
    child = spawn(simFirmware, [], { stdio: ['ignore', 'pipe', 'ignore'] });
    const pty = await new Promise<string>((resolve) => {
      let out = '';
      child!.stdout!.on('data', (d) => {
        out += d;
        const m = /pty: (\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
    });
    const id = await identifyFirmware(pty, 250000, 20);
    expect(id.version.length).toBeGreaterThan(0);
    expect(id.mcu).not.toBe('?');
  });
});

describe.skipIf(!toolsPresent('avr-gcc', 'make', 'cc'))('identify on a board running other firmware', () => {
  let board: SimBoard | undefined;
  beforeAll(() => buildSimBoardTools());
  afterEach(async () => {
    await board?.stop();
    board = undefined;
  });

  it('times out with a message naming the port and baud', async () => {
    board = await startSimBoard(['--mcu', 'atmega328p', '--app', path.join(simBuild, 'app_atmega328p_A.hex')]);
    const err = await identifyFirmware(board.pty, 115200, 2).catch((e) => e);
    expect(err).toBeInstanceOf(FlashError);
    expect((err as FlashError).message).toContain(`${board.pty} did not identify itself at 115200 baud`);
  });
});
