// Serial open errors a user meets, on real ptys: a missing device, a port already in use, and
// (as text, since root ignores permissions) the EACCES advice.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { toolsPresent } from '../../support/tools';
import { explainOpenError, openSerialTransport, SerialOpenError, type ByteTransport } from '../../../src-main/host/mcu/transport';
import { Mcu } from '../../../src-main/host/mcu/mcu';
import { simBuilt, startSim, type SimProcess } from './sim-process';

const sims: SimProcess[] = [];
const open: ByteTransport[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
  for (const s of sims.splice(0)) await s.stop();
});

describe('serial transport errors', () => {
  it('names a missing device and what to check', async () => {
    const err = await openSerialTransport('/dev/tether-no-such-port').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SerialOpenError);
    expect((err as Error).message).toMatch(/'\/dev\/tether-no-such-port' does not exist.*plugged in.*tether ports/);
  });

  it('explains permission problems with the dialout group', () => {
    const e = Object.assign(new Error('Error: Permission denied, cannot open /dev/ttyACM0'), { code: 'EACCES' });
    expect(explainOpenError('/dev/ttyACM0', e)).toMatch(/Permission denied opening serial port '\/dev\/ttyACM0'.*dialout.*udev/);
  });

  it.skipIf(!simBuilt())('says when the port is in use by another program', async () => {
    const sim = await startSim('busy');
    sims.push(sim);
    open.push(await openSerialTransport(sim.pty));
    const err = await openSerialTransport(sim.pty).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/is in use by another program/);
  });

  it.skipIf(!simBuilt())('connects once a briefly busy port is released (our own link closing, ModemManager probing)', async () => {
    const sim = await startSim('busy-then-free');
    sims.push(sim);
    const holder = await openSerialTransport(sim.pty);
    const released = new Promise((r) => setTimeout(r, 1500)).then(() => holder.close());
    const mcu = new Mcu({ serialPort: sim.pty, connectTimeoutS: 20 });
    try {
      await mcu.connect({ configure: false });
      expect(mcu.state).not.toBe('disconnected');
    } finally {
      await released;
      await mcu.close();
    }
  });

  it.skipIf(!simBuilt())('gives up on a port that stays busy, saying it is in use', async () => {
    const sim = await startSim('busy-forever');
    sims.push(sim);
    open.push(await openSerialTransport(sim.pty));
    const mcu = new Mcu({ serialPort: sim.pty, connectTimeoutS: 2 });
    await expect(mcu.connect({ configure: false })).rejects.toThrow(/is in use by another program/);
  });

  it('gives up connecting to a missing port with the open error when the timeout runs out', async () => {
    const mcu = new Mcu({ serialPort: '/dev/tether-no-such-port', connectTimeoutS: 0.5 });
    await expect(mcu.connect()).rejects.toThrow(/does not exist/);
  });
});

describe.skipIf(!toolsPresent('socat'))('identify timeout', () => {
  it('times out identify on a pty with nothing behind it', async () => {
    const link = `/tmp/tether-silent-${process.pid}`;
    const socat = spawn('socat', [`pty,raw,echo=0,link=${link}`, `pty,raw,echo=0,link=${link}-b`]);
    try {
      for (let i = 0; i < 100 && !existsSync(link); i++) await new Promise((r) => setTimeout(r, 20));
      const mcu = new Mcu({ serialPort: link, connectTimeoutS: 1 });
      const t0 = performance.now();
      await expect(mcu.connect()).rejects.toThrow(/Timeout on connect to MCU 'mcu': identify took more than 5 s/);
      expect(performance.now() - t0).toBeGreaterThan(4500);
    } finally {
      socat.kill();
    }
  }, 20_000);
});
