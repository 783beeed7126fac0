// The firmware's buttons feature on the sim, through the wire protocol: the state byte is
// reported on each debounced change, the same reports are resent until buttons_ack, acks are
// counted, a one-poll blip is not a change, and a filament switch in the machine file opens once
// its extruder has pushed runout_after_mm. Every wait is for an event (not a fixed sleep), so a
// loaded machine only makes the test slower, never wrong.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, testOutputDir } from '../support/paths';
import { SimLink, pinNumber, startSim, stopSim, type Dictionary, type Message } from './sim-link';

const simPath = path.join(repoRoot, 'firmware/build/sim/tether-sim');
const outDir = path.join(testOutputDir, 'firmware');
const machinePath = path.join(outDir, 'buttons-machine.json');
const tracePath = path.join(outDir, 'buttons.trace.jsonl');
const FREQ = 50_000_000;
const REST_TICKS = 0.002 * FREQ; // poll every 2 ms, as Klipper's host asks
const RETRANSMIT_COUNT = 50; // resend every 50 polls = 100 ms
const STEPS_PER_MM = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// bit 0: filament switch (runs out after 5 mm); bit 1: an active-low button pressed 3 s after
// the first poll for 0.3 s; bit 2: a 1 ms blip at 1 s (shorter than two polls: never reported).
const machine = {
  steppers: [{ name: 'extruder', axis: 'e', step_pin: 'PA4', dir_pin: 'PA6', steps_per_mm: STEPS_PER_MM }],
  switches: [
    { name: 'filament', pin: 'PE4', filament_stepper: 'extruder', runout_after_mm: 5 },
    { name: 'button', pin: '!PE3', presses: [{ at_s: 3, hold_s: 0.3 }] },
    { name: 'blip', pin: 'PE2', presses: [{ at_s: 1, hold_s: 0.001 }] },
  ],
};

describe('buttons on the sim', () => {
  let sim: Awaited<ReturnType<typeof startSim>>;
  let link: SimLink;
  let dict: Dictionary;
  const states = (): Message[] => link.received.filter((m) => m.name === 'buttons_state');
  const bytes = (m: Message): number[] => [...(m.params.state as Buffer)];
  async function waitFor<T>(what: string, f: () => T | undefined, timeoutMs = 15_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = f();
      if (v !== undefined) return v;
      if (Date.now() > end)
        throw new Error(`timed out waiting for ${what}: ${JSON.stringify(states().map((m) => [m.params.ack_count, bytes(m)]))}`);
      await sleep(20);
    }
  }

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(machinePath, JSON.stringify(machine, null, 1));
    sim = await startSim(simPath, ['--machine', machinePath, '--trace', tracePath]);
    link = await SimLink.open(sim.pty);
    ({ dict } = await link.identify());
    link.send('allocate_oids', { count: 2 });
    link.sendBlock([
      ...link.encode('config_stepper', {
        oid: 0,
        step_pin: pinNumber(dict, 'PA4'),
        dir_pin: pinNumber(dict, 'PA6'),
        invert_step: 0,
        step_pulse_ticks: 0,
      }),
      ...link.encode('config_buttons', { oid: 1, button_count: 3 }),
    ]);
    link.sendBlock([
      ...link.encode('buttons_add', { oid: 1, pos: 0, pin: pinNumber(dict, 'PE4'), pull_up: 1 }),
      ...link.encode('buttons_add', { oid: 1, pos: 1, pin: pinNumber(dict, 'PE3'), pull_up: 1 }),
      ...link.encode('buttons_add', { oid: 1, pos: 2, pin: pinNumber(dict, 'PE2'), pull_up: 0 }),
    ]);
    link.send('finalize_config', { crc: 7 });
    expect((await link.query('get_config', {}, 'config')).params.is_config).toBe(1);
  });

  afterAll(async () => {
    await link?.close();
    if (sim) await stopSim(sim.proc);
  });

  it('reports changes, resends until acked, debounces a blip, follows the filament', async () => {
    const now = (await link.query('get_clock', {}, 'clock')).params.clock as number;
    // invert bit 1: the active-low button reads 1 while pressed.
    link.send('buttons_query', {
      oid: 1,
      clock: (now + 0.05 * FREQ) >>> 0,
      rest_ticks: REST_TICKS,
      retransmit_count: RETRANSMIT_COUNT,
      invert: 0b010,
    });

    // Filament present from the start: one report [0b001], resent while not acked.
    const t0 = Date.now();
    await waitFor('3 copies of the first report', () => (states().length >= 3 ? true : undefined));
    const resendMs = (Date.now() - t0) / 2;
    for (const m of states()) {
      expect(m.params.ack_count).toBe(0);
      expect(bytes(m)).toEqual([0b001]);
    }
    console.log(`buttons: 3 copies of an unacked report within ${Date.now() - t0} ms (resend period set to 100 ms)`);
    expect(resendMs).toBeGreaterThan(50); // not flooding: resent per retransmit_count, not per poll

    link.send('buttons_ack', { oid: 1, count: 1 });
    // The next message is the press, after the ack: ack_count 1 and only the new report.
    const copiesBefore = states().length;
    const press = await waitFor('the button press', () => states().find((m) => (m.params.ack_count as number) >= 1));
    expect(press.params.ack_count).toBe(1);
    expect(bytes(press)).toEqual([0b011]);
    const index = states().indexOf(press);
    // Copies of [0b001] that crossed the ack on the wire are fine; none after the ack took.
    expect(
      states()
        .slice(index)
        .every((m) => m.params.ack_count === 1),
    ).toBe(true);
    expect(index).toBeGreaterThanOrEqual(copiesBefore);

    // Release (not acked yet): both reports pending, oldest first.
    const both = await waitFor('press and release pending', () => states().find((m) => bytes(m).length === 2));
    expect(both.params.ack_count).toBe(1);
    expect(bytes(both)).toEqual([0b011, 0b001]);
    link.send('buttons_ack', { oid: 1, count: 2 });

    // The 1 ms blip at 1 s never showed (bit 2 is never set).
    expect(states().every((m) => bytes(m).every((b) => (b & 0b100) === 0))).toBe(true);

    // Push 8 mm of filament: the switch opens after 5 mm.
    const c = (await link.query('get_clock', {}, 'clock')).params.clock as number;
    link.sendBlock([
      ...link.encode('reset_step_clock', { oid: 0, clock: (c + 0.05 * FREQ) >>> 0 }),
      ...link.encode('set_next_step_dir', { oid: 0, dir: 1 }),
      ...link.encode('queue_step', { oid: 0, interval: 0.002 * FREQ, count: 8 * STEPS_PER_MM, add: 0 }),
    ]);
    const runout = await waitFor('the runout', () => states().find((m) => m.params.ack_count === 3));
    expect(bytes(runout)).toEqual([0b000]);
    link.send('buttons_ack', { oid: 1, count: 1 });

    // The trace: the switch opened between 4.9 and 5.1 mm of extrusion (steps are 0.1 mm).
    await sleep(200);
    const trace = readFileSync(tracePath, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"ev":"switch"'))
      .map((l) => JSON.parse(l) as { name: string; on: boolean; mm: number });
    const opened = trace.find((e) => e.name === 'filament' && !e.on)!;
    expect(opened.mm).toBeGreaterThanOrEqual(4.9);
    expect(opened.mm).toBeLessThanOrEqual(5.1);
    expect(trace.filter((e) => e.name === 'button').map((e) => e.on)).toEqual([false, true, false]);
  });

  it('an ack of more reports than are pending shuts the MCU down', async () => {
    link.send('buttons_ack', { oid: 1, count: 5 });
    const sd = await waitFor('shutdown', () => link.received.find((m) => m.name === 'shutdown'));
    const strings = (dict as unknown as { enumerations: { static_string_id: Record<string, number> } }).enumerations.static_string_id;
    expect(sd.params.static_string_id).toBe(strings['Invalid buttons ack count']);
  });
});
