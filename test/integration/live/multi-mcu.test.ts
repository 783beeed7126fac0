// Two MCUs, two sim processes, two ptys, one printer: the extruder (stepper, heater, thermistor)
// and the Z endstop on [mcu toolboard], the rest on [mcu]. Checked against both sims' traces.
import { describe, expect, it } from 'vitest';
import type { Mcu } from '../../../src-main/host/mcu/mcu';
import type { PrinterExtruder } from '../../../src-main/host/objects/extruder';
import type { PrinterToolhead } from '../../../src-main/host/objects/toolhead';
import { Host } from '../../../src-main/host/host';
import { startMultiMcuPrinter, toolboardConfig } from './multi-mcu-printer';
import { writeTestConfig } from './live-printer';

type Ev = {
  ev: string;
  name?: string;
  clock: number;
  pos?: number;
  mm?: number;
  steps?: number;
  temp?: number;
  args?: Record<string, number>;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Ground truth for comparing the two sims' clocks: the sim's clock is CLOCK_MONOTONIC since its
 * start x 50 MHz exactly (firmware/boards/sim/README.md), and so is the host's time base. One
 * get_clock with the smallest round trip out of 10 pins the sim's clock to host time within
 * half that round trip; the nominal rate carries it from there. Independent of the host's
 * clock sync (whose estimates are what the mapping under test is built from).
 */
async function hostTimeOfClock(mcu: Mcu): Promise<{ hostS: (clock32: number) => number; rttS: number }> {
  const q = mcu.lookupQueryCommand('get_clock', 'clock clock=%u');
  let best = { rttS: Infinity, hostS: 0, clock: 0 };
  for (let i = 0; i < 10; i++) {
    const { params, meta } = await q.sendWithMeta([]);
    const rttS = meta.receiveTimeS - meta.sentTimeS;
    if (meta.sentTimeS > 0 && rttS < best.rttS)
      best = { rttS, hostS: (meta.sentTimeS + meta.receiveTimeS) / 2, clock: mcu.clock32ToClock64(params.clock as number) };
  }
  const freq = mcu.clockFreq;
  return { hostS: (clock32) => best.hostS + (mcu.clock32ToClock64(clock32) - best.clock) / freq, rttS: best.rttS };
}

const steppersOf = (trace: Ev[], name: string) => trace.filter((e) => e.ev === 'stepper' && e.name === name);

/** E moves like X (80 steps/mm, no cross-section limit), so one move steps both identically. */
const sameStepsAsX = (cfg: string) =>
  cfg
    .replace('rotation_distance: 33.5', 'rotation_distance: 40\nmax_extrude_cross_section: 100\nmin_extrude_temp: 0')
    // Watermark control heats at full power to the target: a quick M109 (PID settles slowly).
    .replace(/control: pid\npid_Kp: 22.2\npid_Ki: 1.08\npid_Kd: 114/, 'control: watermark');

describe('a printer with two MCUs (two sims)', () => {
  it('gets ready with both, steps both in time, heats on the toolboard, and reports the toolboard lost by name', async () => {
    const p = await startMultiMcuPrinter('multi-mcu', {
      edit: sameStepsAsX,
      overrides: {
        steppers: { stepper_x: { position_mm: 30 }, stepper_y: { position_mm: 30 } },
        heaters: { extruder: { heat_capacity_j_per_k: 2 } },
      },
    });
    const printer = p.host.printer;
    const main = printer.lookupObject<Mcu>('mcu');
    const tool = printer.lookupObject<Mcu>('mcu toolboard');
    let skewS = Infinity;
    let toleranceS = 0;
    try {
      expect(printer.state).toBe('ready');
      expect([main.state, tool.state]).toEqual(['ready', 'ready']);
      // `mcu toolboard` is a status object like `mcu`.
      const st = tool.getStatus();
      expect(st.name).toBe('toolboard');
      expect(st.mcuVersion).not.toBe('');
      expect(st.lastStats.receiveSeq).toBeGreaterThan(10);

      // X on the main MCU, E on the toolboard: the same 30 mm at the same time.
      const th = printer.lookupObject<PrinterToolhead>('printer_toolhead');
      const hostX = th.steppers.find((s) => s.name === 'stepper_x')!;
      const hostE = printer.lookupObject<PrinterExtruder>('extruder').stepper!;
      await p.run('G28 X Y\nG1 X20 F6000\nM400');
      await sleep(1100); // each sim flushes its trace at least once a second
      const xStepsBefore = steppersOf(p.trace('mcu') as Ev[], 'stepper_x').at(-1)!.steps!;
      const hostXBefore = hostX.stepCount;
      await p.run('M83\nG1 X50 E30 F1200\nM400');
      let x: Ev[] = [];
      let e: Ev[] = [];
      for (let i = 0; i < 50 && !(x.at(-1)?.pos === 50 * 80 && e.at(-1)?.pos === 30 * 80); i++) {
        await sleep(100);
        x = steppersOf(p.trace('mcu') as Ev[], 'stepper_x');
        e = steppersOf(p.trace('mcu toolboard') as Ev[], 'extruder');
      }
      const mainTrace = p.trace('mcu') as Ev[];
      const toolTrace = p.trace('mcu toolboard') as Ev[];
      expect(steppersOf(toolTrace, 'stepper_x')).toEqual([]); // each sim has only its own part
      expect(steppersOf(mainTrace, 'extruder')).toEqual([]);
      expect(x.at(-1)!.pos).toBe(50 * 80);
      expect(e.at(-1)!.pos).toBe(30 * 80);
      // Every step the host planned for the move reached that MCU, and no other.
      expect(x.at(-1)!.steps! - xStepsBefore).toBe(hostX.stepCount - hostXBefore);
      expect(hostX.stepCount - hostXBefore).toBe(30 * 80);
      expect(e.at(-1)!.steps).toBe(hostE.stepCount);
      expect(hostE.stepCount).toBe(30 * 80);
      // The last X step and the last E step are one instant in print time: on the two sims'
      // clocks (0.3 s apart, each at its own rate) they must land at the same host time.
      const [mainAt, toolAt] = await Promise.all([hostTimeOfClock(main), hostTimeOfClock(tool)]);
      skewS = Math.abs(mainAt.hostS(x.at(-1)!.clock) - toolAt.hostS(e.at(-1)!.clock));
      // The measurement is good to half of each round trip; the host's own mapping rests on
      // replies of that kind too. A mapping that ignored either clock would be >= 0.3 s off.
      toleranceS = 0.001 + mainAt.rttS + toolAt.rttS;
      console.log(
        `multi-MCU: last X/E step skew ${(skewS * 1e6).toFixed(0)} us (tolerance ${(toleranceS * 1e6).toFixed(0)} us); estimated drift: main ${main.getStatus().lastStats.clockDriftPpm.toFixed(1)} ppm, toolboard ${tool.getStatus().lastStats.clockDriftPpm.toFixed(1)} ppm`,
      );
      expect(skewS).toBeLessThan(toleranceS);

      // M109 on the toolboard's heater (heater pin and thermistor on the second sim).
      await p.run('M109 S90');
      expect(Number(/T0:([\d.]+)/.exec(await p.run('M105'))![1])).toBeGreaterThan(87);
      await sleep(1100);
      const heat = (p.trace('mcu toolboard') as Ev[]).filter((ev) => ev.ev === 'heater' && ev.name === 'extruder');
      expect(heat.at(-1)!.temp!).toBeGreaterThan(85);
      expect((p.trace('mcu') as Ev[]).some((ev) => ev.ev === 'heater' && ev.name === 'extruder')).toBe(false);

      // FIRMWARE_RESTART resets and reconfigures both MCUs.
      await p.run('FIRMWARE_RESTART');
      await p.host.restarting;
      expect(p.host.printer.state).toBe('ready');
      await sleep(1100);
      for (const section of ['mcu', 'mcu toolboard']) {
        expect(p.host.printer.lookupObject<Mcu>(section).state, section).toBe('ready');
        const cmds = (p.trace(section) as Ev[]).filter((ev) => ev.ev === 'cmd').map((ev) => ev.name);
        expect(cmds.filter((n) => n === 'allocate_oids').length, section).toBe(2);
      }

      // The toolboard dies: the printer shuts down naming it; the main MCU is stopped too.
      const after = p.host.printer;
      process.kill(p.sims.get('mcu toolboard')!.pid, 'SIGKILL');
      const deadline = Date.now() + 10_000;
      while (after.state !== 'shutdown' && Date.now() < deadline) await sleep(50);
      expect(after.state).toBe('shutdown');
      expect(after.stateMessage).toMatch(/Lost communication with MCU 'toolboard'/);
      await expect(p.run('G1 X10')).rejects.toThrow(/Lost communication with MCU 'toolboard'/);
      await sleep(1100);
      expect((p.trace('mcu') as Ev[]).filter((ev) => ev.ev === 'cmd' && ev.name === 'emergency_stop').length).toBeGreaterThan(0);
    } finally {
      await p.stop();
    }
    expect(skewS).toBeLessThan(toleranceS);
  }, 60_000);
});

describe('homing with the endstop on another MCU than the stepper', () => {
  /** Z homes over 15 mm at 10 mm/s: a short move. */
  const shortZ = (cfg: string) =>
    cfg
      .replace('max_z_velocity: 5', 'max_z_velocity: 20')
      .replace('position_endstop: 0.5\nposition_max: 200', 'position_endstop: 0.5\nposition_max: 10\nhoming_speed: 10');

  it('the toolboard endstop triggers: the trigger is relayed and the main MCU halts Z at once', async () => {
    // The toolboard's switch follows the main sim's Z; placed at 100 mm it reads triggered from the start.
    const p = await startMultiMcuPrinter('multi-mcu-home-relay', {
      edit: shortZ,
      overrides: { steppers: { stepper_z: { position_mm: 5 } }, endstops: { z_endstop: { trigger_position_mm: 100 } } },
    });
    try {
      await expect(p.run('G28 Z')).rejects.toThrow(/Endstop z still triggered after retract/);
      await sleep(1200);
    } finally {
      await p.stop();
    }
    const mainTrace = p.trace('mcu') as Ev[];
    const toolTrace = p.trace('mcu toolboard') as Ev[];
    // The toolboard armed its endstop; the main MCU's trsync (the Z stepper's) got the host's relay.
    const home = toolTrace.find((ev) => ev.ev === 'cmd' && ev.name === 'endstop_home' && ev.args!.clock !== 0)!;
    expect(home).toBeTruthy();
    const relay = mainTrace.find((ev) => ev.ev === 'cmd' && ev.name === 'trsync_trigger')!;
    expect(relay.args!.reason).toBe(2); // host request: the relayed trigger
    // The main MCU halts Z at once on the relay: no step towards the switch (downwards) after a
    // relay until the next approach is armed. Steps before the relay arrives are the relay's
    // latency (none on a quiet machine; a loaded CI box may let the first few through), bounded below.
    const z = steppersOf(mainTrace, 'stepper_z');
    const relays = mainTrace.filter((ev) => ev.ev === 'cmd' && ev.name === 'trsync_trigger');
    const starts = mainTrace.filter((ev) => ev.ev === 'cmd' && ev.name === 'trsync_start');
    let prevPos = (mainTrace.find((ev) => ev.ev === 'start') as unknown as { steppers: { name: string; pos: number }[] }).steppers.find(
      (s) => s.name === 'stepper_z',
    )!.pos;
    const down: Ev[] = [];
    for (const ev of z) {
      if (ev.pos! < prevPos) down.push(ev);
      prevPos = ev.pos!;
    }
    for (const r of relays) {
      const nextStart = starts.find((s) => s.clock > r.clock)?.clock ?? Infinity;
      expect(down.filter((ev) => ev.clock > r.clock && ev.clock < nextStart)).toEqual([]);
    }
    const lowest = Math.min(5, ...down.map((ev) => ev.mm!));
    console.log(`relay test: ${down.length} Z steps towards the switch before the relay, lowest ${lowest} mm`);
    expect(lowest).toBeGreaterThan(4.5);
  }, 60_000);

  it('the toolboard endstop never triggers: both MCUs keep each other alive to the end of the move', async () => {
    // The switch sits below Z's whole homing travel: never reached.
    const p = await startMultiMcuPrinter('multi-mcu-home-none', {
      edit: shortZ,
      overrides: { steppers: { stepper_z: { position_mm: 5 } }, endstops: { z_endstop: { trigger_position_mm: -100 } } },
    });
    try {
      // 15 mm at 10 mm/s: ~1.6 s of reports and timeout extensions on both MCUs (each MCU's
      // deadline follows the older of the two reports); a missed one ends in a communication timeout.
      await expect(p.run('G28 Z')).rejects.toThrow(/No trigger on z after full movement/);
      await sleep(1200);
    } finally {
      await p.stop();
    }
    const z = steppersOf(p.trace('mcu') as Ev[], 'stepper_z');
    // The whole homing move ran on the main MCU: 1.5 x the 9.5 mm span below the start.
    expect(z.at(-1)!.mm!).toBeCloseTo(5 - 1.5 * 9.5, 1);
    const extensions = (p.trace('mcu toolboard') as Ev[]).filter((ev) => ev.ev === 'cmd' && ev.name === 'trsync_set_timeout');
    expect(extensions.length).toBeGreaterThan(20);
  }, 60_000);
});

describe('multi-MCU config errors', () => {
  it('an unknown chip name stops the host with the option, its line and the known MCUs', async () => {
    const { configPath } = writeTestConfig('multi-mcu-badchip', (cfg) =>
      toolboardConfig('/tmp/none', cfg).replace('heater_pin: toolboard:PB4', 'heater_pin: tolboard:PB4'),
    );
    const host = await Host.start({ configPath });
    await host.started;
    try {
      expect(host.printer.state).toBe('error');
      expect(host.printer.stateMessage).toMatch(
        /Unknown pin chip name 'tolboard' in option 'heater_pin' of section 'extruder' \(known MCUs: mcu, toolboard;.*printer\.cfg:\d+/,
      );
    } finally {
      await host.stop();
    }
  });

  it("a pin missing from that MCU's dictionary is named with its option when the toolboard connects", async () => {
    const p = await startMultiMcuPrinter('multi-mcu-badpin', {
      edit: (c) => `${c}\n[output_pin tool_led]\npin: toolboard:PZ9\n`,
      requireReady: false,
    });
    try {
      expect(p.host.printer.state).toBe('error');
      expect(p.host.printer.stateMessage).toMatch(
        /pin 'PZ9' in option 'pin' of section 'output_pin tool_led' \(printer\.cfg:\d+\) is not a pin of MCU 'toolboard'/,
      );
    } finally {
      await p.stop();
    }
  }, 30_000);
});
