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
