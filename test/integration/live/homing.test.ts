// Homing on the sim over a real pty, in real time: G28 through endstop_home + trsync, checked
// against what the simulated machine did (its trace: endstop reads and carriage positions).
import { describe, expect, it } from 'vitest';
import type { Toolhead } from '../../../src-main/host/motion/index';
import type { PrinterStepper } from '../../../src-main/host/objects/stepper';
import { parsePosition, startLivePrinter, type LivePrinter } from './live-printer';

interface StepperPos {
  name: string;
  pos: number;
  mm: number;
}
type Ev = { ev: string; name?: string; clock: number; triggered?: boolean; mm?: number; why?: string; steppers?: StepperPos[] };

/** Carriages start close to their endstops so each test homes in a few seconds. */
const NEAR_ENDSTOPS = { steppers: { stepper_x: { position_mm: 30 }, stepper_y: { position_mm: 30 }, stepper_z: { position_mm: 3 } } };
/** Z's second approach from 2 mm instead of 5 (at 2.5 mm/s): a shorter test, same code path. */
const shortZRetract = (cfg: string) => cfg.replace('position_endstop: 0.5', 'position_endstop: 0.5\nhoming_retract_dist: 2');
const STEP_MM = { stepper_x: 40 / 3200, stepper_y: 40 / 3200, stepper_z: 8 / 3200 };
const ENDSTOP_MM = { x: 0, y: 0, z: 0.5 };

function traceOf(p: LivePrinter): Ev[] {
  return p.trace() as Ev[];
}
const homedAxes = (p: LivePrinter) => p.host.printer.lookupObject<Toolhead>('toolhead').getStatus().homed_axes;
const endstopEvents = (trace: Ev[], axis: string) => trace.filter((e) => e.ev === 'endstop' && e.name === `${axis}_endstop`);
/** The trace's clock is the MCU's 32-bit clock: compare with wrap-around. */
const before = (a: Ev, b: Ev) => ((a.clock - b.clock) | 0) < 0;

describe('homing on a live printer', () => {
  it('G28 homes every axis in two approaches; GET_POSITION and QUERY_ENDSTOPS agree with the sim', async () => {
    const p = await startLivePrinter('homing-all', { edit: shortZRetract, overrides: NEAR_ENDSTOPS });
    let position: Record<string, Record<string, number>>;
    let queryHomed: string;
    let queryAway: string;
    try {
      await p.run('G28');
      expect(homedAxes(p)).toBe('xyz');
      position = parsePosition(await p.run('GET_POSITION'));
      queryHomed = await p.run('QUERY_ENDSTOPS');
      await p.run('G1 X10 Y10 Z5 F3000');
      queryAway = await p.run('M119');
      expect(p.host.printer.lookupObject<{ getStatus(): unknown }>('query_endstops').getStatus()).toEqual({
        last_query: { x: 0, y: 0, z: 0 },
      });
    } finally {
      await p.stop();
    }
    expect(queryHomed).toBe('x:TRIGGERED y:TRIGGERED z:TRIGGERED');
    expect(queryAway).toBe('x:open y:open z:open');
    const trace = traceOf(p);
    const start = trace.find((e) => e.ev === 'start') as unknown as { steppers: StepperPos[] };
    for (const axis of ['x', 'y', 'z'] as const) {
      const stepper = `stepper_${axis}` as const;
      const step = STEP_MM[stepper];
      const retract = axis === 'z' ? 2 : 5;
      // Open at the start, triggered (first approach), open after the retract, triggered again.
      const ev = endstopEvents(trace, axis).slice(0, 4);
      expect(ev.map((e) => e.triggered)).toEqual([false, true, false, true]);
      expect(ev[1]!.mm!).toBeCloseTo(ENDSTOP_MM[axis], 6);
      expect(Math.abs(ev[2]!.mm! - (ENDSTOP_MM[axis] + retract))).toBeLessThanOrEqual(2 * step);
      expect(ev[3]!.mm!).toBeCloseTo(ENDSTOP_MM[axis], 6);
      // After each approach the host asked the MCU where the stepper is: the carriage stood at the switch.
      const halts = trace.filter((e) => e.ev === 'positions' && e.why === 'stepper_get_position' && !before(e, ev[1]!));
      const at = (e: Ev) => e.steppers!.find((s) => s.name === stepper)!;
      expect(Math.abs(at(halts[0]!).mm - ENDSTOP_MM[axis])).toBeLessThanOrEqual(step);
      // GET_POSITION: 'mcu' is the MCU's step count (exact), the rest the toolhead's view of it.
      const final = trace.filter((e) => e.ev === 'positions' && e.why === 'exit').at(-1)!;
      const initialPos = start.steppers.find((s) => s.name === stepper)!.pos;
      const homedPos = trace.filter((e) => e.ev === 'positions' && e.why === 'stepper_get_position').at(-1)!;
      expect(position!.mcu![stepper]).toBe(at(homedPos).pos - initialPos);
      const physicalMm = at(homedPos).mm;
      // The host's idea of where the carriage is, within a step of where the sim put it (the MCU
      // reports the poll after the one that saw the switch; the host takes rest_ticks off).
      expect(Math.abs(position!.kinematic![axis.toUpperCase()]! - physicalMm)).toBeLessThanOrEqual(step + 1e-9);
      expect(position!.toolhead![axis.toUpperCase()]).toBeCloseTo(position!.kinematic![axis.toUpperCase()]!, 6);
      expect(position!.stepper![stepper]).toBeCloseTo(position!.kinematic![axis.toUpperCase()]!, 6);
      // Moved to X10 Y10 Z5 from where the host believed it was.
      expect(Math.abs(at(final).mm - (axis === 'z' ? 5 : 10))).toBeLessThanOrEqual(step + 1e-9);
    }
    expect(position!.gcode).toEqual({ X: position!.toolhead!.X, Y: position!.toolhead!.Y, Z: position!.toolhead!.Z, E: 0 });
    expect(position!['gcode base']).toEqual({ X: 0, Y: 0, Z: 0, E: 0 });
  }, 60_000);

  it('refuses moves before homing; G28 X homes X only', async () => {
    const p = await startLivePrinter('homing-x', { overrides: NEAR_ENDSTOPS });
    try {
      await expect(p.run('G1 X10 F3000')).rejects.toThrow(/Must home axis first/);
      await p.run('G28 X');
      expect(homedAxes(p)).toBe('x');
      await p.run('G1 X10 F3000');
      await expect(p.run('G1 Y10 F3000')).rejects.toThrow(/Must home axis first/);
      const x = p.host.printer.lookupObject<{ steppers: PrinterStepper[] }>('printer_toolhead').steppers[0]!;
      const th = p.host.printer.lookupObject<Toolhead>('toolhead');
      // M400 ends at the move's end by the MCU's clock; a sim running late behind that clock
      // (a loaded CI box once left it 32 steps short) may still be stepping: read the count
      // once it stops changing.
      const settled = async () => {
        for (let last = await x.queryMcuPosition(), i = 0; i < 40; i++) {
          await new Promise((r) => setTimeout(r, 50));
          const now = await x.queryMcuPosition();
          if (now === last) return now;
          last = now;
        }
        return x.queryMcuPosition();
      };
      await p.run('M400');
      const [stepsAt, xAt] = [await settled(), th.getPosition()[0]];
      await p.run('G1 X40 F3000\nM400');
      expect(await settled()).toBe(stepsAt + Math.round((40 - xAt) / STEP_MM.stepper_x));
      await p.run('G1 X10 F3000\nM400');
    } finally {
      await p.stop();
    }
    const trace = traceOf(p);
    expect(endstopEvents(trace, 'x').filter((e) => e.triggered)).toHaveLength(2);
    expect(endstopEvents(trace, 'y').filter((e) => e.triggered)).toHaveLength(0);
    const final = trace.filter((e) => e.ev === 'positions' && e.why === 'exit').at(-1)!;
    expect(final.steppers!.find((s) => s.name === 'stepper_x')!.mm).toBeCloseTo(10, 1);
    expect(final.steppers!.find((s) => s.name === 'stepper_y')!.mm).toBe(30);
  }, 60_000);

  it("an endstop that never triggers: Klipper's error, homing forgotten, the printer still usable", async () => {
    // X sits beyond its whole homing travel (1.5 x the range): the switch is never reached.
    const fast = (cfg: string) => cfg.replace('homing_speed: 50', 'homing_speed: 250');
    const p = await startLivePrinter('homing-no-trigger', {
      edit: fast,
      overrides: { steppers: { ...NEAR_ENDSTOPS.steppers, stepper_x: { position_mm: 1000 } } },
    });
    try {
      await expect(p.run('G28 X')).rejects.toThrow('No trigger on x after full movement');
      expect(p.host.printer.state).toBe('ready');
      expect(homedAxes(p)).toBe('');
      await p.run('G28 Y');
      expect(homedAxes(p)).toBe('y');
      await p.run('G1 Y20 F3000\nM400');
    } finally {
      await p.stop();
    }
    const trace = traceOf(p);
    expect(trace.find((e) => e.ev === 'shutdown')).toBeUndefined();
    const final = trace.filter((e) => e.ev === 'positions' && e.why === 'exit').at(-1)!;
    // The whole approach ran (300 mm towards the switch) and then stopped.
    expect(final.steppers!.find((s) => s.name === 'stepper_x')!.mm).toBeCloseTo(700, 1);
    expect(final.steppers!.find((s) => s.name === 'stepper_y')!.mm).toBeCloseTo(20, 1);
  }, 60_000);

  it('safe_z_home: X and Y first, then the head moves to home_xy_position, then Z', async () => {
    const cfg = (c: string) => `${shortZRetract(c)}\n[safe_z_home]\nhome_xy_position: 50, 60\nspeed: 150\nz_hop: 2\nz_hop_speed: 5\n`;
    const p = await startLivePrinter('homing-safe-z', { edit: cfg, overrides: NEAR_ENDSTOPS });
    try {
      await p.run('G28');
      expect(homedAxes(p)).toBe('xyz');
    } finally {
      await p.stop();
    }
    const trace = traceOf(p);
    const z = endstopEvents(trace, 'z');
    const lastY = endstopEvents(trace, 'y')
      .filter((e) => e.triggered)
      .at(-1)!;
    expect(before(lastY, z[0]!)).toBe(true);
    // z_hop lifted Z from 3 to 5 mm before Z homing started.
    expect(z[0]!.mm).toBeCloseTo(5, 6);
    const zHalt = trace.find((e) => e.ev === 'positions' && e.why === 'stepper_get_position' && !before(e, z[1]!))!;
    const mm = (name: string) => zHalt.steppers!.find((s) => s.name === name)!.mm;
    expect(mm('stepper_x')).toBeCloseTo(50, 1);
    expect(mm('stepper_y')).toBeCloseTo(60, 1);
    expect(mm('stepper_z')).toBeCloseTo(0.5, 2);
  }, 60_000);

  it('homing_override runs its G-code; set_position_z marks Z homed without moving it', async () => {
    const cfg = (c: string) => `${c}\n[homing_override]\nset_position_z: 3\ngcode:\n  RESPOND MSG="override running"\n  G28 Y\n  G28 X\n`;
    const p = await startLivePrinter('homing-override', { edit: cfg, overrides: NEAR_ENDSTOPS });
    let out: string;
    try {
      out = await p.run('G28');
      expect(homedAxes(p)).toBe('xyz');
      expect(p.host.printer.lookupObject<Toolhead>('toolhead').getPosition()[2]).toBe(3);
    } finally {
      await p.stop();
    }
    expect(out).toContain('override running');
    const trace = traceOf(p);
    const firstX = endstopEvents(trace, 'x').find((e) => e.triggered)!;
    const firstY = endstopEvents(trace, 'y').find((e) => e.triggered)!;
    expect(before(firstY, firstX)).toBe(true);
    expect(endstopEvents(trace, 'z').filter((e) => e.triggered)).toHaveLength(0);
  }, 60_000);
});
