import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, testOutputDir } from '../support/paths';
import { SimLink, frameBlock, pinNumber, startSim, stopSim, type Dictionary } from './sim-link';

// The simulated hardware seen through the protocol: homing against an endstop that triggers at
// its position, a heater warming up as read back through the thermistor, the max_duration
// watchdog, and link faults. Uses firmware/boards/sim/example-machine.json.
const simPath = path.join(repoRoot, 'firmware/build/sim/tether-sim');
const machineFile = path.join(repoRoot, 'firmware/boards/sim/example-machine.json');
const outDir = path.join(testOutputDir, 'firmware');
const tracePath = path.join(outDir, 'machine.trace.jsonl');
const FREQ = 50_000_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type TraceEvent = { ev: string; [k: string]: unknown };

describe('simulated machine', () => {
  let sim: Awaited<ReturnType<typeof startSim>>;
  let link: SimLink;
  let dict: Dictionary;

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    sim = await startSim(simPath, ['--machine', machineFile, '--trace', tracePath]);
    link = await SimLink.open(sim.pty);
    ({ dict } = await link.identify());
    link.send('allocate_oids', { count: 6 });
    link.sendBlock([
      ...link.encode('config_stepper', {
        oid: 0,
        step_pin: pinNumber(dict, 'PF0'),
        dir_pin: pinNumber(dict, 'PF1'),
        invert_step: -1,
        step_pulse_ticks: 0,
      }),
      ...link.encode('config_endstop', { oid: 1, pin: pinNumber(dict, 'PE5'), pull_up: 1 }),
      ...link.encode('config_trsync', { oid: 2 }),
    ]);
    link.sendBlock([
      ...link.encode('config_digital_out', { oid: 3, pin: pinNumber(dict, 'PB4'), value: 0, default_value: 0, max_duration: 2 * FREQ }),
      ...link.encode('set_digital_out_pwm_cycle', { oid: 3, cycle_ticks: 0.1 * FREQ }),
      ...link.encode('config_analog_in', { oid: 4, pin: pinNumber(dict, 'PK5') }),
    ]);
    link.send('finalize_config', { crc: 1 });
    expect((await link.query('get_config', {}, 'config')).params.is_config).toBe(1);
  });

  afterAll(async () => {
    await link?.close();
    if (sim) await stopSim(sim.proc);
  });

  it('homing: the endstop at 0 mm stops stepper_x (starting at 100 mm) through the trsync', async () => {
    const idle = await link.query('endstop_query_state', { oid: 1 }, 'endstop_state');
    expect(idle.params).toMatchObject({ homing: 0, pin_value: 0 });
    const now = (await link.query('get_clock', {}, 'clock')).params.clock as number;
    const start = (now + 0.15 * FREQ) >>> 0;
    const interval = 2500; // 20 kHz = 250 mm/s at 80 steps/mm
    link.sendBlock([
      ...link.encode('trsync_start', { oid: 2, report_clock: start, report_ticks: 0.1 * FREQ, expire_reason: 4 }),
      ...link.encode('stepper_stop_on_trigger', { oid: 0, trsync_oid: 2 }),
      ...link.encode('trsync_set_timeout', { oid: 2, clock: (start + 1.5 * FREQ) >>> 0 }),
    ]);
    link.sendBlock([
      ...link.encode('endstop_home', {
        oid: 1,
        clock: start,
        sample_ticks: 750,
        sample_count: 4,
        rest_ticks: 500,
        pin_value: 1,
        trsync_oid: 2,
        trigger_reason: 1,
      }),
      ...link.encode('reset_step_clock', { oid: 0, clock: start }),
      ...link.encode('set_next_step_dir', { oid: 0, dir: 0 }),
    ]);
    // 110 mm toward the switch in runs of 1000 steps.
    for (let i = 0; i < 9; i++) link.send('queue_step', { oid: 0, interval, count: 1000, add: 0 });
    await sleep(900);
    const fired = link.received.filter((m) => m.name === 'trsync_state' && m.params.can_trigger === 0);
    expect(fired.length).toBeGreaterThan(0);
    expect(fired[0].params.trigger_reason).toBe(1);
    const pos = (await link.query('stepper_get_position', { oid: 0 }, 'stepper_position')).params.pos as number;
    // 8000 steps reach 0 mm; the oversampling (4 x 750 ticks) lets at most two more steps out.
    expect(-pos).toBeGreaterThanOrEqual(8000);
    expect(-pos).toBeLessThanOrEqual(8003);
    const st = await link.query('endstop_query_state', { oid: 1 }, 'endstop_state');
    expect(st.params).toMatchObject({ homing: 0, pin_value: 1 });
    // Halted steppers ignore queue_step until reset_step_clock.
    link.send('queue_step', { oid: 0, interval, count: 10, add: 0 });
    await sleep(100);
    expect((await link.query('stepper_get_position', { oid: 0 }, 'stepper_position')).params.pos).toBe(pos);
  });

  it('a sim woken late takes in what the host sent before firing the timers that fell due', async () => {
    // A loaded machine deschedules the sim (SIGSTOP here) across a homing deadline while the host
    // extends it in time: on waking, the extension must win, as on an MCU that receives bytes as
    // they arrive. (A CI run lost a G28 to 'Communication timeout during homing' this way.)
    const now = (await link.query('get_clock', {}, 'clock')).params.clock as number;
    const start = (now + 0.05 * FREQ) >>> 0;
    link.sendBlock([
      ...link.encode('trsync_start', { oid: 2, report_clock: start, report_ticks: 10 * FREQ, expire_reason: 4 }),
      ...link.encode('trsync_set_timeout', { oid: 2, clock: (start + 0.3 * FREQ) >>> 0 }),
    ]);
    await sleep(100);
    const before = link.received.length;
    process.kill(sim.proc.pid!, 'SIGSTOP');
    try {
      link.send('trsync_set_timeout', { oid: 2, clock: (start + 5 * FREQ) >>> 0 });
      await sleep(700); // the old deadline passes while the sim is stopped
    } finally {
      process.kill(sim.proc.pid!, 'SIGCONT');
    }
    await sleep(300);
    const states = link.received.slice(before).filter((m) => m.name === 'trsync_state' && m.params.oid === 2);
    expect(states.filter((m) => m.params.can_trigger === 0)).toEqual([]);
    // Still armed: a host trigger ends it with the host's reason.
    link.send('trsync_trigger', { oid: 2, reason: 2 });
    await sleep(200);
    const ended = link.received.slice(before).filter((m) => m.name === 'trsync_state' && m.params.oid === 2 && m.params.can_trigger === 0);
    expect(ended.map((m) => m.params.trigger_reason)).toEqual([2]);
  });

  it('heater: full power warms the extruder and the thermistor ADC falls', async () => {
    const now = (await link.query('get_clock', {}, 'clock')).params.clock as number;
    const start = (now + 0.1 * FREQ) >>> 0;
    link.send('query_analog_in', {
      oid: 4,
      clock: start,
      sample_ticks: 0.001 * FREQ,
      sample_count: 8,
      rest_ticks: 0.1 * FREQ,
      bytes_per_report: 2,
      min_value: 100 * 8,
      max_value: 4000 * 8,
      range_check_count: 4,
    });
    // On for 1.2 s with refreshes every 0.5 s (inside max_duration 2 s), then off.
    link.sendBlock([
      ...link.encode('queue_digital_out', { oid: 3, clock: (start + 0.05 * FREQ) >>> 0, on_ticks: 0.1 * FREQ }),
      ...link.encode('queue_digital_out', { oid: 3, clock: (start + 0.55 * FREQ) >>> 0, on_ticks: 0.1 * FREQ }),
      ...link.encode('queue_digital_out', { oid: 3, clock: (start + 1.05 * FREQ) >>> 0, on_ticks: 0.1 * FREQ }),
      ...link.encode('queue_digital_out', { oid: 3, clock: (start + 1.25 * FREQ) >>> 0, on_ticks: 0 }),
    ]);
    await sleep(1700);
    const adc = link.received.filter((m) => m.name === 'analog_in_state').map((m) => (m.params.values as Buffer).readUInt16LE(0) / 8);
    expect(adc.length).toBeGreaterThan(8);
    // 25 C on a 100k NTC with a 4.7k pullup reads 3911; 1.2 s at 40 W / 8 J/K adds about 6 C.
    expect(adc[0]).toBeGreaterThan(3900);
    expect(Math.min(...adc)).toBeLessThan(3890);
    expect(link.received.some((m) => m.name === 'shutdown')).toBe(false);
  });

  it('max_duration: a heater left on without updates shuts down and goes back to off', async () => {
    const now = (await link.query('get_clock', {}, 'clock')).params.clock as number;
    link.send('queue_digital_out', { oid: 3, clock: (now + 0.1 * FREQ) >>> 0, on_ticks: 0.05 * FREQ });
    await sleep(2600);
    const shut = link.received.find((m) => m.name === 'shutdown');
    expect(shut).toBeDefined();
    expect(shut!.params.static_string_id).toBe(dict.enumerations.static_string_id['Missed scheduling of next digital out event']);
    // In shutdown only the allowed commands answer.
    const reply = await link.query('stepper_get_position', { oid: 0 }, 'is_shutdown');
    expect(reply.params.static_string_id).toBe(shut!.params.static_string_id);
    expect((await link.query('get_config', {}, 'config')).params.is_shutdown).toBe(1);

    await stopSim(sim.proc);
    const trace = readFileSync(tracePath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TraceEvent);
    expect(trace.filter((e) => e.ev === 'endstop' && e.name === 'x_min').map((e) => e.triggered)).toEqual([false, true]);
    const heater = trace.filter((e) => e.ev === 'heater' && e.name === 'extruder').map((e) => e.temp as number);
    expect(Math.max(...heater)).toBeGreaterThan(26);
    expect(trace.find((e) => e.ev === 'shutdown')).toMatchObject({ reason: 'Missed scheduling of next digital out event' });
    const pb4 = trace.filter((e) => e.ev === 'pin' && e.pin === 'PB4');
    expect(pb4.at(-1)).toMatchObject({ value: 0 });
  });
});

describe('link fault injection', () => {
  it('--drop-rate 1 loses every block; --corrupt-rate 1 damages every block', async () => {
    for (const [flag, expectBad] of [
      ['--drop-rate', false],
      ['--corrupt-rate', true],
    ] as const) {
      const sim = await startSim(simPath, [flag, '1', '--seed', '5']);
      try {
        const link = await SimLink.open(sim.pty);
        for (let i = 0; i < 5; i++) {
          link.send('identify', { offset: 0, count: 40 });
          await sleep(60);
        }
        await sleep(200);
        expect(link.received.filter((m) => m.name === 'identify_response')).toEqual([]);
        if (expectBad) expect(link.badBlocks + link.emptyBlocks).toBeGreaterThan(0);
        else expect(link.badBlocks + link.emptyBlocks).toBe(0);
        await link.close();
      } finally {
        expect(await stopSim(sim.proc)).toBe(0);
      }
    }
  });
});

describe('delivery over a lossy link', () => {
  it('with retransmission every command runs exactly once, in order (--drop-rate/--corrupt-rate 0.05)', async () => {
    mkdirSync(outDir, { recursive: true });
    const trace = path.join(outDir, 'lossy.trace.jsonl');
    const total = 600;
    let resends = 0;
    const sim = await startSim(simPath, ['--drop-rate', '0.05', '--corrupt-rate', '0.05', '--seed', '11', '--trace', trace]);
    try {
      const link = await SimLink.open(sim.pty);
      // identify's simple query loop does not retransmit: take the build's copy of the dictionary.
      link.useDictionary(JSON.parse(readFileSync(path.join(repoRoot, 'firmware/build/sim/tether-sim.dict.json'), 'utf8')));
      // A minimal go-back-N sender: up to 8 blocks in flight, every MCU block acks up to its seq,
      // resend everything unacked (after a 0x7E) when the oldest is 40 ms old.
      await link.resync();
      let nextSeq = 0;
      let base = 0; // oldest unacked, as a running count
      const unacked: { bytes: Buffer; sentAt: number }[] = [];
      link.onBlockSeq = (mcuNext) => {
        const n = (mcuNext - base) & 0x0f;
        if (n > 0 && n <= unacked.length) {
          unacked.splice(0, n);
          base += n;
        }
      };
      // Resync put the link on the MCU's numbering; count from there.
      nextSeq = base = link.nextSeq;
      let sent = 0;
      const deadline = Date.now() + 40_000;
      while ((sent < total || unacked.length) && Date.now() < deadline) {
        while (sent < total && unacked.length < 8) {
          const payload: number[] = [];
          for (let k = 0; k < 4 && sent < total; k++, sent++) {
            payload.push(...link.encode('debug_ping', { data: Buffer.from([sent >> 8, sent & 0xff]) }));
          }
          const bytes = frameBlock(nextSeq, payload);
          nextSeq++;
          unacked.push({ bytes, sentAt: Date.now() });
          link.writeRaw(bytes);
        }
        await new Promise((r) => setTimeout(r, 5));
        if (unacked.length && Date.now() - unacked[0].sentAt > 40) {
          link.writeRaw(Buffer.concat([Buffer.from([0x7e]), ...unacked.map((u) => u.bytes)]));
          for (const u of unacked) u.sentAt = Date.now();
          resends++;
        }
      }
      expect(unacked.length).toBe(0);
      await link.close();
    } finally {
      expect(await stopSim(sim.proc)).toBe(0);
    }
    const pings = readFileSync(trace, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TraceEvent)
      .filter((e) => e.ev === 'cmd' && e.name === 'debug_ping')
      .map((e) => parseInt((e.args as { data: string }).data, 16));
    expect(pings).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(resends, 'the faults should have forced retransmissions').toBeGreaterThan(0);
  });
});

describe('machine file validation', () => {
  it('accepts LPC/SAM pin names and names the file, line and field of a mistake', async () => {
    mkdirSync(outDir, { recursive: true });
    const good = path.join(outDir, 'lpc-machine.json');
    writeFileSync(
      good,
      JSON.stringify(
        {
          steppers: [
            { name: 'stepper_x', step_pin: 'P2.2', dir_pin: '!P2.6', steps_per_mm: 80 },
            { name: 'stepper_y', step_pin: 'PB27', dir_pin: 'PB26', steps_per_mm: 80 },
          ],
        },
        null,
        1,
      ),
    );
    const sim = await startSim(simPath, ['--machine', good]);
    expect(await stopSim(sim.proc)).toBe(0);

    const bad = path.join(outDir, 'bad-machine.json');
    writeFileSync(bad, '{\n "steppers": [\n  { "name": "stepper_x", "step_pin": "PF0", "dir_pin": "PF1", "steps_per_mm": -80 }\n ]\n}\n');
    const r = spawnSync(simPath, ['--machine', bad], { encoding: 'utf8', timeout: 10_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${bad}:3: stepper_x: steps_per_mm must be above 0`);
    writeFileSync(bad, '{ "steppers": [ { "name": "x", } ] }');
    const r2 = spawnSync(simPath, ['--machine', bad], { encoding: 'utf8', timeout: 10_000 });
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/invalid JSON: line 1: /);
  });
});
