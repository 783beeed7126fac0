// The MCU link against the real sim firmware over a real pty with serialport: connect,
// identify, clock sync, config, 10,000 queued commands delivered exactly once and in order
// (also with the sim's fault injection), shutdown reasons, and loss of the device.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Dictionary } from '../../../src-main/host/mcu/dictionary';
import { Mcu } from '../../../src-main/host/mcu/mcu';
import { McuStepSink, stepCommandIds } from '../../../src-main/host/mcu/step-queue';
import { readTraceCommands, simBuilt, simDictPath, startSim, type SimProcess } from './sim-process';
import { inCI } from '../../support/tools';

const running: { sim?: SimProcess; mcu?: Mcu }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.mcu?.close().catch(() => undefined);
    await r.sim?.stop();
  }
});

if (inCI && !simBuilt()) throw new Error('firmware/build/sim/tether-sim is missing in CI');

async function connected(
  name: string,
  simArgs: string[] = [],
  configure?: (mcu: Mcu) => void,
): Promise<{ sim: SimProcess; mcu: Mcu; logs: string[] }> {
  const sim = await startSim(name, simArgs);
  const logs: string[] = [];
  const mcu = new Mcu({ name: 'mcu', serialPort: sim.pty, log: (l) => logs.push(l) });
  running.push({ sim, mcu });
  if (configure) mcu.registerConfigCallback(() => configure(mcu));
  await mcu.connect();
  return { sim, mcu, logs };
}

/** Queues `n` debug_ping commands with their index as data; returns the data hex strings. */
function queuePings(mcu: Mcu, n: number): string[] {
  const cq = mcu.allocCommandQueue();
  const ping = mcu.lookupCommand('debug_ping data=%*s', cq);
  const sent: string[] = [];
  for (let i = 0; i < n; i++) {
    const data = Uint8Array.of(i >> 16, (i >> 8) & 0xff, i & 0xff);
    ping.send([data]);
    sent.push(Buffer.from(data).toString('hex'));
  }
  return sent;
}

function tracedPings(tracePath: string): string[] {
  return readTraceCommands(tracePath)
    .filter((c) => c.name === 'debug_ping' && String(c.args.data).length === 6)
    .map((c) => String(c.args.data).toLowerCase());
}

describe.skipIf(!simBuilt())('MCU link with the sim over a pty', () => {
  it('connects, identifies, syncs clocks and configures', async () => {
    const { mcu } = await connected('connect', [], (m) => {
      const trsync = m.createOid();
      const stepper = m.createOid();
      m.addConfigCmd(`config_trsync oid=${trsync}`);
      const pin = [...m.dictionary.getEnumeration('pin')!.byName.keys()][0];
      m.addConfigCmd(`config_stepper oid=${stepper} step_pin=${pin} dir_pin=${pin} invert_step=0 step_pulse_ticks=100`);
    });
    const simDict = Dictionary.fromText(readFileSync(simDictPath, 'utf8'));
    expect(mcu.dictionary.commands.map((c) => c.format).sort()).toEqual(simDict.commands.map((c) => c.format).sort());
    const status = mcu.getStatus();
    expect(status.state).toBe('ready');
    expect(status.moveCount).toBeGreaterThan(0);
    expect(Math.abs(status.lastStats.clockDriftPpm)).toBeLessThan(20_000);
    // Clock estimate tracks the MCU: a fresh get_clock lands near the prediction.
    const q = mcu.lookupQueryCommand('get_clock', 'clock clock=%u');
    const { params, meta } = await q.sendWithMeta();
    const predicted = mcu.getClockAt((meta.sentTimeS + meta.receiveTimeS) / 2 || mcu.monotonic());
    const actual = mcu.clock32ToClock64(params.clock as number);
    expect(Math.abs(actual - predicted) / mcu.clockFreq).toBeLessThan(0.05);
    const pos = await mcu.lookupQueryCommand('stepper_get_position oid=%c', 'stepper_position oid=%c pos=%i', 1).send([1]);
    expect(pos).toEqual({ oid: 1, pos: 0 });
    // A background message still goes out (due 0.105 s later), and its reply arrives.
    const pong = new Promise<string>((resolve) =>
      mcu.registerResponse((p) => resolve(Buffer.from(p.data as Uint8Array).toString('hex')), 'pong'),
    );
    mcu.lookupCommand('debug_ping data=%*s').send([Uint8Array.of(0xbe, 0xef)], { background: true });
    expect(await pong).toBe('beef');
  });

  it('delivers 10,000 queued commands exactly once, in order', async () => {
    const { sim, mcu } = await connected('clean');
    const sent = queuePings(mcu, 10_000);
    await mcu.flush();
    await mcu.close();
    await sim.stop();
    expect(tracedPings(sim.tracePath)).toEqual(sent);
  });

  it.each([1e-2, 1e-3])('delivers 10,000 commands exactly once, in order, with %s drop and corrupt rate', async (rate) => {
    const { sim, mcu } = await connected(`faults-${rate}`, ['--drop-rate', String(rate), '--corrupt-rate', String(rate), '--seed', '7']);
    const sent = queuePings(mcu, 10_000);
    await mcu.flush();
    const stats = mcu.getStatus().lastStats;
    await mcu.close();
    await sim.stop();
    expect(tracedPings(sim.tracePath)).toEqual(sent);
    if (rate >= 1e-2) expect(stats.retransmits).toBeGreaterThan(0);
  });

  it('streams more queue_steps than the MCU move queue holds, on time (move_count slots, clock sync)', async () => {
    let oid = -1;
    // A generous lateness limit: this checks the host's flow control, not the sim's timing on a
    // loaded machine.
    const { mcu } = await connected('steps', ['--late-limit-ms', '1000'], (m) => {
      oid = m.createOid();
      m.addConfigCmd(`config_stepper oid=${oid} step_pin=PA0 dir_pin=PA1 invert_step=0 step_pulse_ticks=50`);
    });
    const moveCount = mcu.getStatus().moveCount;
    const cq = mcu.allocCommandQueue();
    const steps = new McuStepSink(oid);
    steps.bind(cq, stepCommandIds(mcu.dictionary));
    const freq = mcu.clockFreq;
    const interval = Math.round(freq * 200e-6);
    const count = 10; // 2 ms per message: the full MCU queue holds ~2 s of moves
    const messages = moveCount + 200; // the last 200 must wait for slots to free up
    const t0 = mcu.getClockAt(mcu.monotonic() + 0.5);
    mcu.lookupCommand('reset_step_clock oid=%c clock=%u', cq).send([oid, t0], { reqClock: t0 });
    mcu.lookupCommand('set_next_step_dir oid=%c dir=%c', cq).send([oid, 1], { reqClock: t0 });
    for (let k = 0; k < messages; k++) {
      const start = t0 + k * count * interval;
      steps.queueStep(interval, count, 0, start, start + count * interval);
    }
    const endClock = t0 + messages * count * interval;
    const shutdowns: string[] = [];
    mcu.on('shutdown', (r) => shutdowns.push(r));
    await mcu.flush();
    // Wait until the MCU has stepped through the last move, then read the position.
    const endS = (endClock - mcu.getClockAt(mcu.monotonic())) / freq;
    await new Promise((r) => setTimeout(r, Math.max(0, endS * 1000) + 300));
    expect(shutdowns).toEqual([]);
    const pos = await mcu.lookupQueryCommand('stepper_get_position oid=%c', 'stepper_position oid=%c pos=%i', oid).send([oid]);
    expect(Math.abs(pos.pos as number)).toBe(messages * count);
  });

  it('reports the MCU shutdown reason', async () => {
    const { mcu } = await connected('shutdown');
    const reason = new Promise<string>((resolve) => mcu.on('shutdown', resolve));
    mcu.lookupCommand('emergency_stop').send();
    expect(await reason).toBe("MCU 'mcu' shutdown: Command request");
    expect(mcu.getStatus().shutdownReason).toBe("MCU 'mcu' shutdown: Command request");
  });

  it('hears is_shutdown for commands sent while shut down, and restarts a shut-down MCU on connect', async () => {
    const sim = await startSim('is-shutdown');
    const first = new Mcu({ serialPort: sim.pty });
    running.push({ sim, mcu: first });
    await first.connect({ configure: false });
    const seen: string[] = [];
    first.setMessageListener((f, p) => seen.push(f.formatParams(p)));
    const shutdown = new Promise<string>((resolve) => first.on('shutdown', resolve));
    first.sendRaw(undefined, first.dictionary.lookupCommandByName('emergency_stop').encode());
    expect(await shutdown).toBe("MCU 'mcu' shutdown: Command request");
    first.sendRaw(undefined, first.dictionary.encodeCommandText('allocate_oids count=1').bytes);
    await first.flush();
    for (let i = 0; i < 200 && !seen.some((l) => l.startsWith('is_shutdown')); i++) await new Promise((r) => setTimeout(r, 10));
    expect(seen).toContain('is_shutdown static_string_id=Command request');
    await first.close();
    // A new session finds the MCU shut down and restarts it before configuring.
    const second = new Mcu({ serialPort: sim.pty });
    running.push({ mcu: second });
    second.registerConfigCallback(() => second.addConfigCmd(`config_trsync oid=${second.createOid()}`));
    await second.connect();
    expect(second.getStatus().state).toBe('ready');
  });

  it('says "Lost communication with MCU" within 5 s of the sim being killed', async () => {
    const { sim, mcu } = await connected('kill');
    const lost = new Promise<string>((resolve) => mcu.on('shutdown', resolve));
    const t0 = performance.now();
    sim.kill();
    const reason = await lost;
    expect(reason).toMatch(/^Lost communication with MCU 'mcu'/);
    expect(performance.now() - t0).toBeLessThan(5000);
    // Queries on a dead link fail at once with the reason instead of waiting for retries.
    await expect(mcu.lookupQueryCommand('get_clock', 'clock clock=%u').send()).rejects.toThrow(/^Lost communication with MCU 'mcu'/);
  });

  it('says "Lost communication with MCU" when the MCU stops answering (more than 4 clock queries)', async () => {
    const { sim, mcu } = await connected('stall');
    const lost = new Promise<string>((resolve) => mcu.on('shutdown', resolve));
    const t0 = performance.now();
    sim.proc.kill('SIGSTOP');
    try {
      const reason = await lost;
      expect(reason).toMatch(/^Lost communication with MCU 'mcu' \(no reply to \d+ clock queries\)/);
      const s = (performance.now() - t0) / 1000;
      // 5 periods of 0.9839 s at most, plus timer slack on a loaded machine.
      expect(s).toBeLessThan(6.5);
      expect(s).toBeGreaterThan(3.5);
      // Nothing waits forever on a dead link.
      await mcu.flush();
    } finally {
      sim.proc.kill('SIGCONT');
    }
  });

  it('reconnects to an MCU that kept the same config: only restart commands are sent', async () => {
    const sim = await startSim('same-crc');
    running.push({ sim });
    const session = async (): Promise<void> => {
      const mcu = new Mcu({ serialPort: sim.pty });
      running.push({ mcu });
      mcu.registerConfigCallback(() => {
        const oid = mcu.createOid();
        const pin = [...mcu.dictionary.getEnumeration('pin')!.byName.keys()][0];
        mcu.addConfigCmd(`config_stepper oid=${oid} step_pin=${pin} dir_pin=${pin} invert_step=0 step_pulse_ticks=100`);
        mcu.addConfigCmd(`reset_step_clock oid=${oid} clock=0`, { onRestart: true });
      });
      await mcu.connect();
      await mcu.flush();
      await mcu.close();
    };
    await session();
    await session();
    await sim.stop();
    const names = readTraceCommands(sim.tracePath).map((c) => c.name);
    expect(names.filter((n) => n === 'finalize_config').length).toBe(1);
    expect(names.filter((n) => n === 'config_stepper').length).toBe(1);
    expect(names.filter((n) => n === 'reset_step_clock').length).toBe(1);
    expect(names.lastIndexOf('reset_step_clock')).toBeGreaterThan(names.indexOf('finalize_config'));
    expect(names).not.toContain('reset');
  });

  it('restarts the firmware when it holds a different config (CRC mismatch)', async () => {
    const sim = await startSim('crc');
    const first = new Mcu({ serialPort: sim.pty });
    running.push({ sim, mcu: first });
    first.registerConfigCallback(() => first.addConfigCmd(`config_trsync oid=${first.createOid()}`));
    await first.connect();
    await first.close();
    const second = new Mcu({ serialPort: sim.pty });
    running.push({ mcu: second });
    second.registerConfigCallback(() => {
      second.addConfigCmd(`config_trsync oid=${second.createOid()}`);
      second.addConfigCmd(`config_trsync oid=${second.createOid()}`);
    });
    await second.connect();
    expect(second.state).toBe('ready');
    await second.close();
    await sim.stop();
    const names = readTraceCommands(sim.tracePath).map((c) => c.name);
    expect(names.filter((n) => n === 'finalize_config').length).toBe(2);
    expect(names).toContain('reset');
  });
});
