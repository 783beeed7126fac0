import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, testOutputDir } from '../support/paths';
import { SimLink, pinNumber, startSim, stopSim, type Dictionary } from './sim-link';

// Drives the simulated printer over its real pty with serialport, byte for byte: identify,
// the config phase, queued steps, and checks the trace shows what was executed.
const simPath = path.join(repoRoot, 'firmware/build/sim/tether-sim');
const machineFile = path.join(repoRoot, 'firmware/boards/sim/example-machine.json');
const outDir = path.join(testOutputDir, 'firmware');
const tracePath = path.join(outDir, 'conversation.trace.jsonl');

type TraceEvent = { ev: string; [k: string]: unknown };

describe('sim conversation over the pty', () => {
  let sim: Awaited<ReturnType<typeof startSim>>;
  let link: SimLink;
  let dict: Dictionary;
  let compressedBytes = 0;

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    sim = await startSim(simPath, ['--machine', machineFile, '--trace', tracePath, '--pty', path.join(outDir, 'conversation.pty')]);
    link = await SimLink.open(sim.pty);
  });

  afterAll(async () => {
    await link?.close();
    if (sim) await stopSim(sim.proc);
  });

  it('identify: the dictionary is zlib JSON with Klipper format strings and our constants', async () => {
    ({ dict, compressedBytes } = await link.identify());
    expect(compressedBytes).toBeGreaterThan(100);
    expect(dict.commands['queue_step oid=%c interval=%u count=%hu add=%hi']).toBeTypeOf('number');
    expect(dict.commands['identify offset=%u count=%c']).toBe(1);
    expect(dict.responses['identify_response offset=%u data=%.*s']).toBe(0);
    expect(dict.config.CLOCK_FREQ).toBe(50000000);
    expect(dict.config.ADC_MAX).toBe(4095);
    expect(dict.config.MCU).toBe('tether-sim');
    expect(dict.enumerations.static_string_id['Move queue overflow']).toBeTypeOf('number');
    // Same object as the JSON file written by the build.
    const onDisk = JSON.parse(readFileSync(path.join(repoRoot, 'firmware/build/sim/tether-sim.dict.json'), 'utf8'));
    expect(dict).toEqual(onDisk);
    // Pin names of the three families resolve.
    expect(pinNumber(dict, 'PL7')).toBe(pinNumber(dict, 'PL0') + 7);
    expect(pinNumber(dict, 'PK15')).toBe(pinNumber(dict, 'PK0') + 15);
    expect(pinNumber(dict, 'gpio29')).toBe(pinNumber(dict, 'gpio0') + 29);
    // SAM and LPC176x names are aliases below 256 (step pins are %c parameters).
    for (const name of ['PB27', 'PD31', 'P1.20', 'P4.29', 'gpio29', 'PL15']) expect(pinNumber(dict, name)).toBeLessThan(256);
  });

  it('config phase, clock, ping', async () => {
    const before = await link.query('get_config', {}, 'config');
    expect(before.params.is_config).toBe(0);
    const up = await link.query('get_uptime', {}, 'uptime');
    expect(up.params.high).toBe(0);
    const pong = await link.query('debug_ping', { data: Buffer.from('tether') }, 'pong');
    expect((pong.params.data as Buffer).toString()).toBe('tether');

    link.send('allocate_oids', { count: 3 });
    link.sendBlock([
      ...link.encode('config_stepper', {
        oid: 0,
        step_pin: pinNumber(dict, 'PF0'),
        dir_pin: pinNumber(dict, 'PF1'),
        invert_step: 0,
        step_pulse_ticks: 100,
      }),
      ...link.encode('config_digital_out', { oid: 1, pin: pinNumber(dict, 'PH6'), value: 0, default_value: 0, max_duration: 0 }),
    ]);
    link.send('config_stepper', {
      oid: 2,
      step_pin: pinNumber(dict, 'PL3'),
      dir_pin: pinNumber(dict, 'PL1'),
      invert_step: -1,
      step_pulse_ticks: 0,
    });
    link.send('finalize_config', { crc: 0x12345678 });
    const after = await link.query('get_config', {}, 'config');
    expect(after.params).toMatchObject({ is_config: 1, crc: 0x12345678, is_shutdown: 0, move_count: 1024 });
  });

  it('queued steps run at the planned clocks and the trace shows them', async () => {
    const freq = 50_000_000;
    const now = (await link.query('get_clock', {}, 'clock')).params.clock as number;
    const start = (now + 0.2 * freq) >>> 0;
    link.sendBlock([
      ...link.encode('reset_step_clock', { oid: 0, clock: start }),
      ...link.encode('set_next_step_dir', { oid: 0, dir: 1 }),
      ...link.encode('queue_step', { oid: 0, interval: 5000, count: 400, add: 0 }),
      ...link.encode('set_next_step_dir', { oid: 0, dir: 0 }),
      ...link.encode('queue_step', { oid: 0, interval: 10000, count: 80, add: 10 }),
    ]);
    link.sendBlock([
      ...link.encode('reset_step_clock', { oid: 2, clock: start }),
      ...link.encode('set_next_step_dir', { oid: 2, dir: 1 }),
      ...link.encode('queue_step', { oid: 2, interval: 20000, count: 200, add: 0 }),
      ...link.encode('queue_digital_out', { oid: 1, clock: (start + 1000) >>> 0, on_ticks: 1 }),
    ]);
    await new Promise((r) => setTimeout(r, 700));
    const pos = await link.query('stepper_get_position', { oid: 0 }, 'stepper_position');
    expect(pos.params.pos).toBe(400 - 80);
    const zpos = await link.query('stepper_get_position', { oid: 2 }, 'stepper_position');
    expect(zpos.params.pos).toBe(200);
    const shut = link.received.filter((m) => m.name === 'shutdown');
    expect(shut).toEqual([]);
    expect(link.badBlocks).toBe(0);

    await stopSim(sim.proc);
    const trace = readFileSync(tracePath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TraceEvent);
    expect(trace[0]).toMatchObject({ ev: 'start', clock_freq: 50000000 });
    expect((trace[0].steppers as { name: string; pos: number }[]).find((st) => st.name === 'stepper_x')).toMatchObject({
      pos: 8000,
      steps_per_mm: 80,
    });
    const cmds = trace.filter((e) => e.ev === 'cmd');
    const names = cmds.map((e) => e.name);
    expect(
      names.slice(0, names.indexOf('finalize_config') + 1).filter((n) => String(n).startsWith('config_') || n === 'allocate_oids'),
    ).toEqual(['allocate_oids', 'config_stepper', 'config_digital_out', 'config_stepper']);
    const qs = cmds.filter((e) => e.name === 'queue_step');
    expect(qs.map((e) => e.args)).toEqual([
      { oid: 0, interval: 5000, count: 400, add: 0 },
      { oid: 0, interval: 10000, count: 80, add: 10 },
      { oid: 2, interval: 20000, count: 200, add: 0 },
    ]);
    const ping = cmds.find((e) => e.name === 'debug_ping')!;
    expect(ping.args).toEqual({ data: Buffer.from('tether').toString('hex') });

    // Executed motion: stepper_x starts at 100 mm (8000 steps at 80 steps/mm).
    const xs = trace.filter((e) => e.ev === 'stepper' && e.name === 'stepper_x');
    expect(xs.map((e) => e.pos)).toEqual([8400, 8320]);
    const endFirst = (start + 400 * 5000) >>> 0;
    const endSecond = (endFirst + 80 * 10000 + (10 * 80 * 79) / 2) >>> 0;
    expect(xs.map((e) => e.clock)).toEqual([endFirst, endSecond]);
    expect(xs[1].mm).toBeCloseTo(104, 6);
    // Both-edge stepper_z: 200 toggles = 200 steps = 0.5 mm at 400 steps/mm from 10 mm.
    const zs = trace.filter((e) => e.ev === 'stepper' && e.name === 'stepper_z');
    expect(zs.at(-1)).toMatchObject({ pos: 4200, steps: 200 });
    // The fan pin (PH6) went on at its clock.
    const fan = trace.find((e) => e.ev === 'fan' && e.name === 'fan');
    expect(fan).toMatchObject({ clock: (start + 1000) >>> 0, value: 1 });
  });
});

describe('sim pty lifecycle', () => {
  it('a host can close and reopen the pty; reset clears the configuration', async () => {
    mkdirSync(outDir, { recursive: true });
    const sim = await startSim(simPath, ['--pty', path.join(outDir, 'reopen.pty')]);
    try {
      let link = await SimLink.open(sim.pty);
      const { dict } = await link.identify();
      link.send('allocate_oids', { count: 1 });
      link.send('finalize_config', { crc: 7 });
      expect((await link.query('get_config', {}, 'config')).params.is_config).toBe(1);
      await link.close();
      await new Promise((r) => setTimeout(r, 200));
      // Reopen through the symlink made by --pty.
      link = await SimLink.open(path.join(outDir, 'reopen.pty'));
      link.useDictionary(dict);
      await link.resync();
      expect((await link.query('get_config', {}, 'config')).params).toMatchObject({ is_config: 1, crc: 7 });
      link.send('reset');
      await new Promise((r) => setTimeout(r, 200));
      await link.resync();
      expect((await link.query('get_config', {}, 'config')).params.is_config).toBe(0);
      expect(link.received.some((m) => m.name === 'starting')).toBe(true);
      await link.close();
    } finally {
      expect(await stopSim(sim.proc)).toBe(0);
    }
  });
});
