// G28 on a delta printer, on the sim (machine generated from the delta printer.cfg): the three
// towers move up together, each stops at its own endstop (the sim trace shows it), and the
// toolhead position afterwards is the home position computed from the towers' position_endstop,
// arm_length and delta_radius (x = y = 0 when the endstops agree).
import { describe, expect, it } from 'vitest';
import { sleep } from '../jobs/print-helpers';
import { startLivePrinter, type LivePrinter } from './live-printer';

const ARM_MM = 333.0;
const RADIUS_MM = 174.75;
const STEP_MM = 40 / (200 * 16);

/** A delta on the sim's atmega2560 pins (from Klipper's example-delta.cfg, no heaters). */
function deltaConfig(serialLine: string, endstops: [number, number, number]): string {
  const tower = (t: string, step: string, dir: string, en: string, endstop: string, pe: number, extra = '') => `
[stepper_${t}]
step_pin: ${step}
dir_pin: ${dir}
enable_pin: !${en}
microsteps: 16
rotation_distance: 40
endstop_pin: ^${endstop}
position_endstop: ${pe}
${extra}`;
  return `[mcu]
${serialLine}

[printer]
kinematics: delta
max_velocity: 300
max_accel: 3000
max_z_velocity: 150
delta_radius: ${RADIUS_MM}
${tower('a', 'PF0', 'PF1', 'PD7', 'PE4', endstops[0], `homing_speed: 50\narm_length: ${ARM_MM}`)}
${tower('b', 'PF6', 'PF7', 'PF2', 'PJ0', endstops[1])}
${tower('c', 'PL3', 'PL1', 'PK0', 'PD2', endstops[2])}
[force_move]
enable_force_move: True
`;
}

async function startDelta(name: string, endstops: [number, number, number]): Promise<LivePrinter> {
  return startLivePrinter(name, { edit: (c) => deltaConfig(/^serial: .*$/m.exec(c)![0], endstops) });
}

type Status = { getStatus(t?: number): Record<string, unknown> };

/** The towers' XY (angles 210, 330, 90 degrees on delta_radius). */
const TOWERS = [210, 330, 90].map((deg) => [Math.cos((deg * Math.PI) / 180) * RADIUS_MM, Math.sin((deg * Math.PI) / 180) * RADIUS_MM]);

/** Each stepper's position (mm) at the sim's last position report (the host reads them after
 * each homing halt), and every endstop trigger it traced. */
function simState(p: LivePrinter): { mm: Record<string, number>; triggers: Record<string, number[]> } {
  const mm: Record<string, number> = {};
  const triggers: Record<string, number[]> = {};
  for (const ev of p.trace()) {
    if (ev.ev === 'positions') for (const st of ev.steppers as { name: string; mm: number }[]) mm[st.name] = st.mm;
    if (ev.ev === 'endstop' && ev.triggered) (triggers[ev.name as string] ??= []).push(ev.mm as number);
  }
  return { mm, triggers };
}

describe('delta homing on the sim', () => {
  it('G28 homes the three towers to their endstops; the position is x=0 y=0 z=position_endstop', async () => {
    const p = await startDelta('delta-homing', [297.05, 297.05, 297.05]);
    try {
      const th = p.host.printer.lookupObject<Status>('toolhead');
      expect(th.getStatus().homed_axes).toBe('');
      await expect(p.run('G1 Z10 F600')).rejects.toThrow(/Must home/);
      // Each tower has its endstop (named like Klipper: the stepper name without 'stepper_').
      expect(await p.run('QUERY_ENDSTOPS')).toBe('a:open b:open c:open');
      // Homing one axis homes them all on a delta.
      await p.run('G28 X');
      expect(th.getStatus().homed_axes).toBe('xyz');
      const [x, y, z] = th.getStatus().position as number[];
      expect(Math.abs(x!)).toBeLessThan(0.05);
      expect(Math.abs(y!)).toBeLessThan(0.05);
      expect(z).toBeCloseTo(297.05, 1);
      expect(await p.run('QUERY_ENDSTOPS')).toBe('a:TRIGGERED b:TRIGGERED c:TRIGGERED'); // resting on them
      const m114 = await p.run('M114');
      expect(m114).toMatch(/X:-?0\.0\d* Y:-?0\.0\d* Z:297\.0\d*/);
      await sleep(2000); // the sim flushes its trace at least once a second
      const { mm, triggers } = simState(p);
      for (const t of ['a', 'b', 'c']) {
        // Two approaches (fast, then slow after the retract), each stopped at the endstop.
        expect(triggers[`${t}_endstop`]?.length, `${t} triggers`).toBe(2);
        for (const at of triggers[`${t}_endstop`]!) expect(Math.abs(at - 297.05)).toBeLessThan(3 * STEP_MM);
        expect(Math.abs(mm[`stepper_${t}`]! - 297.05), `stepper_${t} stopped at its endstop`).toBeLessThan(3 * STEP_MM);
      }
      // Moves now work inside the delta's range.
      await p.run('G1 X20 Y-10 Z100 F6000\nM400');
      expect((th.getStatus().position as number[]).slice(0, 3)).toEqual([20, -10, 100]);
      expect(p.trace().filter((e) => e.ev === 'shutdown')).toEqual([]);
    } finally {
      await p.stop();
    }
  }, 90_000);

  it('towers with different position_endstop each stop at their own; the position puts every carriage at its endstop', async () => {
    const pe: [number, number, number] = [297.05, 295.5, 298.2];
    const p = await startDelta('delta-homing-uneven', pe);
    try {
      await p.run('G28');
      const [x, y, z] = p.host.printer.lookupObject<Status>('toolhead').getStatus().position as number[];
      // Not the centre any more: the effector tilts towards the lower endstop.
      expect(Math.hypot(x!, y!)).toBeGreaterThan(0.5);
      // Independent check: each carriage height (z + the arm's vertical reach) is that tower's
      // endstop, in the rail coordinates Klipper uses (position_endstop + sqrt(arm^2 - radius^2)).
      const reachAtCentre = Math.sqrt(ARM_MM ** 2 - RADIUS_MM ** 2);
      TOWERS.forEach(([tx, ty], i) => {
        const carriage = z! + Math.sqrt(ARM_MM ** 2 - (x! - tx!) ** 2 - (y! - ty!) ** 2);
        expect(Math.abs(carriage - (pe[i]! + reachAtCentre)), `tower ${'abc'[i]}`).toBeLessThan(3 * STEP_MM);
      });
      await sleep(2000);
      const { mm } = simState(p);
      ['a', 'b', 'c'].forEach((t, i) => expect(Math.abs(mm[`stepper_${t}`]! - pe[i]!), `stepper_${t}`).toBeLessThan(3 * STEP_MM));
    } finally {
      await p.stop();
    }
  }, 90_000);
});
