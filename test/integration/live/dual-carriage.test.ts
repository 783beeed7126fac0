// [dual_carriage] (IDEX) on the sim over a real pty, one printer start: G28 X homes both
// carriages to their own switches (sim trace), moves step only the active carriage's motor by the
// planned count, COPY and MIRROR step both (equal / opposite counts), and a move closer than
// safe_distance is refused with nothing stepped. Counts are read from the MCU once it stopped
// stepping (a loaded machine's sim may run behind the MCU clock M400 waited for).
import { describe, expect, it } from 'vitest';
import type { DualCarriage } from '../../../src-main/host/objects/dual-carriage';
import type { PrinterStepper } from '../../../src-main/host/objects/stepper';
import { DUAL_CARRIAGE } from '../../unit/dual-carriage/dual-carriage-config';
import { parsePosition, startLivePrinter, type LivePrinter } from './live-printer';

interface StepperPos {
  name: string;
  pos: number;
  mm: number;
}
type Ev = { ev: string; name?: string; clock: number; triggered?: boolean; mm?: number; why?: string; steppers?: StepperPos[] };

const STEP_MM = 40 / 3200;
/** Carriage 0 starts 30 mm from its switch at 0, carriage 1 30 mm from its switch at 200. */
const NEAR_SWITCHES = { steppers: { stepper_x: { position_mm: 30 }, dual_carriage: { position_mm: 170 } } };

/** The MCU's step count of a motor, once two reads 50 ms apart agree. */
async function settled(s: PrinterStepper): Promise<number> {
  let last = await s.queryMcuPosition();
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const now = await s.queryMcuPosition();
    if (now === last) return now;
    last = now;
  }
  return s.queryMcuPosition();
}

describe('[dual_carriage] on a live printer', () => {
  it('homes both carriages, steps the active one, copies and mirrors, refuses moves inside safe_distance', async () => {
    const p: LivePrinter = await startLivePrinter('dual-carriage', { edit: (cfg) => cfg + DUAL_CARRIAGE, overrides: NEAR_SWITCHES });
    const steppers = p.host.printer.lookupObject<{ steppers: PrinterStepper[] }>('printer_toolhead').steppers;
    const c0 = steppers.find((s) => s.name === 'stepper_x')!;
    const c1 = steppers.find((s) => s.name === 'dual_carriage')!;
    const dc = p.host.printer.lookupObject<DualCarriage>('dual_carriage');
    /** MCU counts of both motors (settled) and what the host planned (sent) for them. */
    const counts = async () => ({
      mcu: [await settled(c0), await settled(c1)],
      host: [c0.motion.mcuPositionSteps, c1.motion.mcuPositionSteps],
    });
    type Counts = Awaited<ReturnType<typeof counts>>;
    const delta = (a: Counts, b: Counts) => ({
      mcu: [b.mcu[0]! - a.mcu[0]!, b.mcu[1]! - a.mcu[1]!],
      host: [b.host[0]! - a.host[0]!, b.host[1]! - a.host[1]!],
    });
    let query = '';
    let position: Record<string, Record<string, number>> = {};
    let refused = '';
    const moves: Record<string, ReturnType<typeof delta>> = {};
    const positions: Record<string, number[]> = {};
    try {
      await p.run('G28 X');
      expect(dc.getStatus()).toEqual({ carriage_0: 'PRIMARY', carriage_1: 'INACTIVE' });
      query = await p.run('QUERY_ENDSTOPS');
      position = parsePosition(await p.run('GET_POSITION'));
      const homed = await counts();
      positions.homed = dc.carriagePositions();
      // Carriage 0 to X50: only its motor steps.
      await p.run('G1 X50 F6000\nM400');
      const a = await counts();
      moves.carriage0 = delta(homed, a);
      // Carriage 1 takes over where it is (its switch) and moves to 150.
      await p.run('SET_DUAL_CARRIAGE CARRIAGE=1\nG1 X150 F6000\nM400');
      const b = await counts();
      moves.carriage1 = delta(a, b);
      // COPY: carriage 0 is the primary again (at 50), carriage 1 follows +20 mm.
      await p.run('SET_DUAL_CARRIAGE CARRIAGE=1 MODE=COPY\nG1 X70 F6000\nM400');
      const c = await counts();
      moves.copy = delta(b, c);
      // MIRROR: carriage 0 -10 mm, carriage 1 +10 mm.
      await p.run('SET_DUAL_CARRIAGE CARRIAGE=1 MODE=MIRROR\nG1 X60 F6000\nM400');
      const d = await counts();
      moves.mirror = delta(c, d);
      positions.mirrored = dc.carriagePositions();
      // X105 would leave the carriages 30 mm apart (< 40): refused, nothing moves.
      refused = await p.run('G1 X105 F6000').then(
        () => '',
        (e: Error) => e.message,
      );
      await p.run('M400');
      moves.refused = delta(d, await counts());
    } finally {
      await p.stop();
    }
    // Each carriage stopped at its own switch: 0 at the min end, 1 at the max end.
    expect(query).toMatch(/\bx:TRIGGERED\b/);
    expect(query).toMatch(/\bdual_carriage:TRIGGERED\b/);
    const trace = p.trace() as Ev[];
    for (const [name, mm] of [
      ['x_endstop', 0],
      ['dual_carriage_endstop', 200],
    ] as const) {
      const ev = trace.filter((e) => e.ev === 'endstop' && e.name === name).slice(0, 4);
      expect(
        ev.map((e) => e.triggered),
        name,
      ).toEqual([false, true, false, true]);
      expect(ev[1]!.mm!).toBeCloseTo(mm, 6);
      expect(ev[3]!.mm!).toBeCloseTo(mm, 6);
    }
    // After homing the host's carriage positions are the switches (within the steps run past the trigger).
    expect(Math.abs(positions.homed![0]! - 0)).toBeLessThanOrEqual(STEP_MM + 1e-9);
    expect(Math.abs(positions.homed![1]! - 200)).toBeLessThanOrEqual(STEP_MM + 1e-9);
    expect(Math.abs(position.kinematic!.X! - positions.homed![0]!)).toBeLessThanOrEqual(STEP_MM + 1e-9);
    expect(Object.keys(position.mcu!)).toContain('dual_carriage');
    // Exactly the planned steps reached the MCU, on the carriages each mode moves.
    for (const [name, m] of Object.entries(moves)) expect(m.mcu, name).toEqual(m.host);
    const near = (steps: number, mm: number) => expect(Math.abs(steps - mm / STEP_MM)).toBeLessThanOrEqual(1);
    near(moves.carriage0!.mcu[0]!, 50 - positions.homed![0]!);
    expect(moves.carriage0!.mcu[1]).toBe(0);
    expect(moves.carriage1!.mcu[0]).toBe(0);
    near(moves.carriage1!.mcu[1]!, 150 - positions.homed![1]!);
    expect(moves.copy!.mcu[0]).toBe(20 / STEP_MM);
    expect(moves.copy!.mcu[1]).toBe(20 / STEP_MM);
    expect(moves.mirror!.mcu[0]).toBe(-10 / STEP_MM);
    expect(moves.mirror!.mcu[1]).toBe(10 / STEP_MM);
    expect(positions.mirrored![0]).toBeCloseTo(60, 9);
    expect(refused).toMatch(/closer than safe_distance 40\.000 mm/);
    expect(moves.refused!.mcu).toEqual([0, 0]);
    // The sim's carriages ended where the host put them.
    const final = trace.filter((e) => e.ev === 'positions' && e.why === 'exit').at(-1)!;
    const at = (n: string) => final.steppers!.find((s) => s.name === n)!.mm;
    expect(Math.abs(at('stepper_x') - positions.mirrored![0]!)).toBeLessThanOrEqual(STEP_MM + 1e-9);
    expect(Math.abs(at('dual_carriage') - positions.mirrored![1]!)).toBeLessThanOrEqual(STEP_MM + 1e-9);
  }, 90_000);
});

// hybrid_corexy ("Markforged" IDEX): both X motors turn (carriage x) - y. The gantry starts at
// y = 20, carriage 0 at 30 (motor 10), carriage 1 at 170 (motor 150), so each X switch fires
// where its motor is position_endstop - 20 (the sim's tilt term), and G28 Y must halt all three.
const HYBRID_START = { steppers: { stepper_y: { position_mm: 20 }, stepper_x: { position_mm: 10 }, dual_carriage: { position_mm: 150 } } };

describe('[dual_carriage] on a live hybrid_corexy printer', () => {
  it('homes both carriages with the gantry off its switch, then Y; COPY and MIRROR step x - y on both motors', async () => {
    const p: LivePrinter = await startLivePrinter('dual-carriage-hybrid', {
      edit: (cfg) => cfg.replace('kinematics: cartesian', 'kinematics: hybrid_corexy') + DUAL_CARRIAGE,
      overrides: HYBRID_START,
    });
    const steppers = p.host.printer.lookupObject<{ steppers: PrinterStepper[] }>('printer_toolhead').steppers;
    const motors = ['stepper_x', 'stepper_y', 'dual_carriage'].map((n) => steppers.find((s) => s.name === n)!);
    const dc = p.host.printer.lookupObject<DualCarriage>('dual_carriage');
    const counts = async () => ({ mcu: await Promise.all(motors.map(settled)), host: motors.map((s) => s.motion.mcuPositionSteps) });
    const moves: { name: string; mcu: number[]; host: number[] }[] = [];
    /** Runs a move and records every motor's MCU and planned step deltas. */
    const measured = async (name: string, script: string) => {
      const a = await counts();
      await p.run(`${script}\nM400`);
      const b = await counts();
      moves.push({ name, mcu: b.mcu.map((v, i) => v - a.mcu[i]!), host: b.host.map((v, i) => v - a.host[i]!) });
    };
    let position: Record<string, Record<string, number>> = {};
    let carriages: number[] = [];
    try {
      await p.run('G28 X\nG28 Y');
      await p.run('G1 X50 Y10 F6000\nM400');
      // COPY from carriages 50 / 200: x -10, y +5, so both X motors -15 mm, Y +5 mm.
      await measured('copy', 'SET_DUAL_CARRIAGE CARRIAGE=1 MODE=COPY\nG1 X40 Y15 F6000');
      // MIRROR from 40 / 190: x +10, y +5: stepper_x +5, dual_carriage (190 -> 180) -15, Y +5.
      await measured('mirror', 'SET_DUAL_CARRIAGE CARRIAGE=1 MODE=MIRROR\nG1 X50 Y20 F6000');
      position = parsePosition(await p.run('GET_POSITION'));
      carriages = dc.carriagePositions();
    } finally {
      await p.stop();
    }
    const trace = p.trace() as Ev[];
    // Fast approach and slow re-approach each trigger where the motor is the switch minus y = 20.
    for (const [name, mm] of [
      ['x_endstop', 0 - 20],
      ['dual_carriage_endstop', 200 - 20],
    ] as const) {
      const ev = trace.filter((e) => e.ev === 'endstop' && e.name === name).slice(0, 4);
      expect(
        ev.map((e) => e.triggered),
        name,
      ).toEqual([false, true, false, true]);
      expect(Math.abs(ev[1]!.mm! - mm), name).toBeLessThanOrEqual(STEP_MM + 1e-9);
      expect(Math.abs(ev[3]!.mm! - mm), name).toBeLessThanOrEqual(STEP_MM + 1e-9);
    }
    for (const m of moves) expect(m.mcu, m.name).toEqual(m.host);
    const steps = (...mm: number[]) => mm.map((v) => v / STEP_MM);
    expect(moves[0]!.mcu).toEqual(steps(-15, 5, -15));
    expect(moves[1]!.mcu).toEqual(steps(5, 5, -15));
    // Homing left each carriage within a step of its switch; the moves are exact from there.
    expect(Math.abs(carriages[0]! - 50)).toBeLessThanOrEqual(STEP_MM + 1e-9);
    expect(Math.abs(carriages[1]! - 180)).toBeLessThanOrEqual(2 * STEP_MM + 1e-9);
    // GET_POSITION's stepper line and the sim's motors agree: each X motor at its carriage - y.
    const final = trace.filter((e) => e.ev === 'positions' && e.why === 'exit').at(-1)!;
    const at = (n: string) => final.steppers!.find((s) => s.name === n)!.mm;
    const y = position.kinematic!.Y!;
    expect(Math.abs(position.stepper!.stepper_x! - (carriages[0]! - y))).toBeLessThan(1e-6);
    expect(Math.abs(position.stepper!.dual_carriage! - (carriages[1]! - y))).toBeLessThan(1e-6);
    for (const n of ['stepper_x', 'stepper_y', 'dual_carriage']) {
      expect(Math.abs(at(n) - position.stepper![n]!), n).toBeLessThanOrEqual(STEP_MM + 1e-9);
    }
  }, 90_000);
});
