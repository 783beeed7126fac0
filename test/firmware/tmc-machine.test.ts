import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineFromConfigFile } from '../../src-main/host/sim/machine';
import { readTraceEvents } from '../integration/live/live-printer';
import { referenceDir, repoRoot, testOutputDir } from '../support/paths';
import { SimLink, pinNumber, startSim, stopSim } from './sim-link';
import { datagram, request } from './tmc-wire';

// The sim's "drivers" section generated from printer.cfg ([tmc2209 stepper_x] ...), and the sim
// running that machine: the SKR Mini E3 V3's four TMC2209s share one UART (rx PC11, tx PC10,
// addresses 0-3), each answering to its own address.
const simPath = path.join(repoRoot, 'firmware/build/sim/tether-sim');
const configs = path.join(referenceDir, 'klipper-configs');
const outDir = path.join(testOutputDir, 'firmware');

describe('sim drivers from printer.cfg', () => {
  it('[tmc2209 ...] UART drivers and [tmc5160 ...] SPI drivers become "drivers" entries', () => {
    const skr = machineFromConfigFile(path.join(configs, 'generic-bigtreetech-skr-mini-e3-v3.0.cfg'));
    expect(skr.drivers).toEqual([
      { name: 'stepper_x', kind: 'tmc2209', uart_pin: 'PC11', tx_pin: 'PC10', uart_address: 0 },
      { name: 'stepper_y', kind: 'tmc2209', uart_pin: 'PC11', tx_pin: 'PC10', uart_address: 2 },
      { name: 'stepper_z', kind: 'tmc2209', uart_pin: 'PC11', tx_pin: 'PC10', uart_address: 1 },
      { name: 'extruder', kind: 'tmc2209', uart_pin: 'PC11', tx_pin: 'PC10', uart_address: 3 },
    ]);
    const leviathan = machineFromConfigFile(path.join(configs, 'generic-ldo-leviathan-v1.2.cfg'));
    expect(leviathan.drivers).toContainEqual({ name: 'stepper_x', kind: 'tmc5160', cs_pin: 'PE15', spi_bus: 'spi4' });
  });

  it('the sim runs the generated machine: each TMC2209 on the shared UART answers at its address', async () => {
    mkdirSync(outDir, { recursive: true });
    const machinePath = path.join(outDir, 'tmc-skr-machine.json');
    writeFileSync(machinePath, JSON.stringify(machineFromConfigFile(path.join(configs, 'generic-bigtreetech-skr-mini-e3-v3.0.cfg'))));
    const sim = await startSim(simPath, ['--machine', machinePath]);
    const link = await SimLink.open(sim.pty);
    try {
      const { dict } = await link.identify();
      link.send('allocate_oids', { count: 1 });
      link.send('config_tmcuart', {
        oid: 0,
        rx_pin: pinNumber(dict, 'PC11'),
        pull_up: 0,
        tx_pin: pinNumber(dict, 'PC10'),
        bit_time: 50_000_000 / 40000,
      });
      link.send('finalize_config', { crc: 0 });
      const read = async (addr: number, reg: number) => {
        const r = await request(link, 'tmcuart_send', { oid: 0, write: datagram([0xf5, addr, reg]), read: 10 }, 'tmcuart_response');
        return r.params.read as Buffer;
      };
      // Give each driver its own GCONF, then read every one back: only the addressed one answers.
      for (const addr of [0, 1, 2, 3]) {
        const v = 0x40 | addr;
        await request(link, 'tmcuart_send', { oid: 0, write: datagram([0xf5, addr, 0x80, 0, 0, 0, v]), read: 0 }, 'tmcuart_response');
      }
      for (const addr of [0, 1, 2, 3]) expect(await read(addr, 0x00)).toEqual(datagram([0x05, 0xff, 0x00, 0, 0, 0, 0x40 | addr]));
    } finally {
      await link.close();
      await stopSim(sim.proc);
    }
  });
});

// A corexy carriage (motors A = stepper_x, B = stepper_y: x = (a+b)/2, y = (a-b)/2) between
// walls at x 10 and y 5 (README "drivers": a hard stop with an axis). Both motors start at 0.
const FREQ = 50_000_000;
const STEP_MM = 1 / 80;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const wall = (axis: 'x' | 'y', mm: number) => ({
  side: 'max',
  position_mm: mm,
  axis,
  x_stepper: 'stepper_x',
  y_stepper: 'stepper_y',
  corexy: true,
});
const COREXY_MACHINE = {
  steppers: [
    { name: 'stepper_x', axis: 'x', step_pin: 'PF0', dir_pin: 'PF1', steps_per_mm: 80, position_mm: 0 },
    { name: 'stepper_y', axis: 'y', step_pin: 'PF6', dir_pin: 'PF7', steps_per_mm: 80, position_mm: 0 },
  ],
  endstops: [],
  heaters: [],
  fans: [],
  drivers: [
    {
      name: 'stepper_x',
      kind: 'tmc2209',
      uart_pin: 'PC0',
      tx_pin: 'PC1',
      uart_address: 0,
      stepper: 'stepper_x',
      hard_stop: wall('x', 10),
      diag_pin: 'PE5',
    },
    {
      name: 'stepper_y',
      kind: 'tmc2209',
      uart_pin: 'PC0',
      tx_pin: 'PC1',
      uart_address: 2,
      stepper: 'stepper_y',
      hard_stop: wall('y', 5),
      diag_pin: 'PJ1',
    },
  ],
};

describe('a corexy hard stop in the sim', () => {
  it('printer.cfg: a corexy homing X and Y on virtual endstops gets carriage walls, Z its own stop', () => {
    mkdirSync(outDir, { recursive: true });
    const base = readFileSync(path.join(repoRoot, 'resources/printers/tether-sim.cfg'), 'utf8');
    const cfg = base
      .replace('kinematics: cartesian', 'kinematics: corexy')
      .replace(/(\[stepper_([xyz])\][^[]*?)endstop_pin: \^P..\n/g, '$1endstop_pin: tmc2209_stepper_$2:virtual_endstop\n')
      .replace(/(\[stepper_[xy]\][^[]*?)position_endstop: 0\n/g, '$1position_endstop: 200\n');
    const drivers = ['x', 'y', 'z'].map(
      (a, i) =>
        `[tmc2209 stepper_${a}]\nuart_pin: PC0\ntx_pin: PC1\nuart_address: ${i}\nrun_current: 0.5\ndiag_pin: ^P${['E5', 'J1', 'D3'][i]}\n`,
    );
    const cfgPath = path.join(outDir, 'tmc-corexy.cfg');
    writeFileSync(cfgPath, `${cfg}\n${drivers.join('\n')}`);
    const m = machineFromConfigFile(cfgPath);
    const stop = (n: string) => m.drivers!.find((d) => d.name === n)!;
    expect(stop('stepper_x')).toMatchObject({ stepper: 'stepper_x', diag_pin: 'PE5', hard_stop: wall('x', 200) });
    expect(stop('stepper_y')).toMatchObject({ stepper: 'stepper_y', diag_pin: 'PJ1', hard_stop: wall('y', 200) });
    expect(stop('stepper_z').hard_stop).toEqual({ side: 'min', position_mm: 0.5 });
  });

  it('homing X on DIAG stops both motors at the x wall; the walls block the steps that push past them, not the ones away', async () => {
    mkdirSync(outDir, { recursive: true });
    const machinePath = path.join(outDir, 'tmc-corexy-machine.json');
    const tracePath = path.join(outDir, 'tmc-corexy.trace.jsonl');
    writeFileSync(machinePath, JSON.stringify(COREXY_MACHINE));
    const sim = await startSim(simPath, ['--machine', machinePath, '--trace', tracePath]);
    const link = await SimLink.open(sim.pty);
    try {
      const { dict } = await link.identify();
      link.send('allocate_oids', { count: 5 });
      link.send('config_tmcuart', {
        oid: 0,
        rx_pin: pinNumber(dict, 'PC0'),
        pull_up: 0,
        tx_pin: pinNumber(dict, 'PC1'),
        bit_time: FREQ / 40000,
      });
      for (const [oid, pin] of [
        [1, 'PF0'],
        [2, 'PF6'],
      ] as const) {
        link.send('config_stepper', {
          oid,
          step_pin: pinNumber(dict, pin),
          dir_pin: pinNumber(dict, pin === 'PF0' ? 'PF1' : 'PF7'),
          invert_step: -1,
          step_pulse_ticks: 0,
        });
      }
      link.send('config_endstop', { oid: 3, pin: pinNumber(dict, 'PE5'), pull_up: 0 });
      link.send('config_trsync', { oid: 4 });
      link.send('finalize_config', { crc: 0 });
      // StallGuard on stepper_x's driver only (stealthChop by default): TCOOLTHRS 0xfffff, SGTHRS 100.
      for (const [reg, v] of [
        [0x14, 0xfffff],
        [0x40, 100],
      ]) {
        const w = datagram([0xf5, 0, 0x80 | reg, (v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff]);
        await request(link, 'tmcuart_send', { oid: 0, write: w, read: 0 }, 'tmcuart_response');
      }
      /** Both motors from `start`: dirA/dirB (1 = +), n steps each every 2500 ticks (20 kHz). */
      const move = (start: number, dirA: number, dirB: number, n: number) => {
        for (const [oid, dir] of [
          [1, dirA],
          [2, dirB],
        ]) {
          link.sendBlock([...link.encode('reset_step_clock', { oid, clock: start }), ...link.encode('set_next_step_dir', { oid, dir })]);
          link.send('queue_step', { oid, interval: 2500, count: n, add: 0 });
        }
      };
      const clock = async () => ((await link.query('get_clock', {}, 'clock')).params.clock as number) + 0.1 * FREQ;
      const after = (e: Record<string, unknown>, since: number) => (Number(e.clock) - since) >>> 0 < 2 ** 31;
      const xy = (a: number, b: number) => ({ x: (a + b) / 2, y: (a - b) / 2 });
      /** Polls the sim trace (flushed once a second) until `get` finds what it needs. */
      const fromTrace = async <T>(get: (t: Record<string, unknown>[]) => T | undefined): Promise<T> => {
        const t0 = Date.now();
        for (;;) {
          const v = get(readTraceEvents(tracePath));
          if (v !== undefined) return v;
          if (Date.now() - t0 > 20_000) throw new Error('sim trace: not there within 20 s');
          await sleep(100);
        }
      };
      /** The carriage once halted: the sim's positions when the MCU read them after `since`. */
      const halted = async (since: number) => {
        await link.query('stepper_get_position', { oid: 1 }, 'stepper_position');
        return fromTrace((t) => {
          const st = t.filter((e) => e.ev === 'positions' && e.why === 'stepper_get_position' && after(e, since)).at(-1)?.steppers as
            { name: string; mm: number }[] | undefined;
          return st && xy(st.find((s) => s.name === 'stepper_x')!.mm, st.find((s) => s.name === 'stepper_y')!.mm);
        });
      };
      /** The carriage once both motors ran out of steps queued from `since` (their move_done events). */
      const moved = (since: number) =>
        fromTrace((t) => {
          const done = (oid: number) => t.find((e) => e.ev === 'stepper' && e.oid === oid && after(e, since));
          const a = done(1);
          const b = done(2);
          return a && b ? xy(Number(a.mm), Number(b.mm)) : undefined;
        });

      // Home X: both motors +, 2000 steps each (x would reach 25 mm), DIAG of stepper_x's driver
      // as the endstop, the trsync halting both motors.
      let start = (await clock()) >>> 0;
      link.sendBlock([
        ...link.encode('trsync_start', { oid: 4, report_clock: start, report_ticks: 0.1 * FREQ, expire_reason: 4 }),
        ...link.encode('stepper_stop_on_trigger', { oid: 1, trsync_oid: 4 }),
        ...link.encode('stepper_stop_on_trigger', { oid: 2, trsync_oid: 4 }),
        ...link.encode('trsync_set_timeout', { oid: 4, clock: (start + 2 * FREQ) >>> 0 }),
      ]);
      link.send('endstop_home', {
        oid: 3,
        clock: start,
        sample_ticks: 750,
        sample_count: 4,
        rest_ticks: 500,
        pin_value: 1,
        trsync_oid: 4,
        trigger_reason: 1,
      });
      move(start, 1, 1, 2000);
      const t0 = Date.now();
      while (!link.received.some((m) => m.name === 'trsync_state' && m.params.can_trigger === 0) && Date.now() - t0 < 20_000)
        await sleep(50);
      const fired = link.received.find((m) => m.name === 'trsync_state' && m.params.can_trigger === 0);
      expect(fired?.params.trigger_reason).toBe(1); // the DIAG pin, not the timeout
      let c = await halted(start);
      expect(c.x).toBeLessThanOrEqual(10);
      expect(c.x).toBeGreaterThanOrEqual(10 - STEP_MM);
      expect(Math.abs(c.y)).toBeLessThanOrEqual(STEP_MM);
      // The MCU issued (counted) more steps than the carriage took: the motors slipped until the stall stopped them.
      const issued = (await link.query('stepper_get_position', { oid: 1 }, 'stepper_position')).params.pos as number;
      expect(issued).toBeGreaterThanOrEqual(800);
      expect(issued).toBeLessThan(2000);

      // Along the x wall into the y wall (A +, B -: +y by 10 mm, no endstop): the carriage ends
      // in the corner, neither wall passed.
      start = (await clock()) >>> 0;
      move(start, 1, 0, 800);
      c = await moved(start);
      expect(c.x).toBeLessThanOrEqual(10);
      expect(c.x).toBeGreaterThanOrEqual(10 - 2 * STEP_MM);
      expect(c.y).toBeLessThanOrEqual(5);
      expect(c.y).toBeGreaterThanOrEqual(5 - 2 * STEP_MM);

      // Away from the x wall (A -, B -: -x by 5 mm): every step goes through.
      const before = c;
      start = (await clock()) >>> 0;
      move(start, 0, 0, 400);
      c = await moved(start);
      expect(c.x).toBeCloseTo(before.x - 5, 6);
      expect(c.y).toBeCloseTo(before.y, 6);
    } finally {
      await link.close();
      await stopSim(sim.proc);
    }
  }, 60_000);
});
