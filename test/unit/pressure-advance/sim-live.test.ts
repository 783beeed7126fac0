// Pressure advance and input shaping on a live printer (the sim over a pty, one start): a short
// extruding path streamed by the flush timer; the sim counts every step edge per motor, and for
// X, Y and the extruder those counts equal the steps the host generated (nothing lost at the
// stream's flush boundaries, including the advanced extruder's back-and-forth steps).
import { describe, expect, it } from 'vitest';
import { ShapedLinearRail, shaperPulses, type Toolhead } from '../../../src-main/host/motion/index';
import { startLivePrinter } from '../../integration/live/live-printer';
import { sleep } from '../../integration/jobs/print-helpers';

type Ev = { ev: string; name?: string; steps?: number };

// pressure_advance from printer.cfg; input shaping through the motion API (the same call
// [input_shaper] makes), so this test does not depend on the section's registration.
const EDIT = (cfg: string): string => cfg.replace('[extruder]\n', '[extruder]\npressure_advance: 0.05\nmin_extrude_temp: 0\n');

describe('pressure advance and input shaping on the sim', () => {
  it('the sim steps each motor exactly as often as the host planned', async () => {
    const p = await startLivePrinter('pressure-advance', { edit: EDIT });
    try {
      const th = p.host.printer.lookupObject<Toolhead>('toolhead');
      const px = shaperPulses('mzv', 50, 0.1);
      const py = shaperPulses('mzv', 45, 0.1);
      for (const s of th.kinematics.steppers) {
        const [cx, cy, cz] = s.linearCoefficients()!;
        if (cx || cy) th.setStepperRailFunction(s, new ShapedLinearRail(th.trapq, cx, cy, cz, px, py));
      }
      expect(th.kinFlushDelayS()).toBeCloseTo(0.02, 9); // PA's half window is the widest
      const moves = ['SET_KINEMATIC_POSITION X=100 Y=100 Z=10', 'M83'];
      for (let i = 0; i < 12; i++) moves.push(`G1 X${i % 2 ? 100 : 130} Y${100 + i * 2} E1.2 F6000`);
      moves.push('G1 X110 Y110 F9000', 'G1 E-1 F1800', 'G1 E1 F1800', 'M400');
      await p.run(moves.join('\n'));
      const planned: Record<string, number> = {};
      for (const s of th.allSteppers()) planned[s.name] = s.stepCount;
      // M400 returned once the MCU clock passed the last move plus the kin flush delay; the sim
      // writes its trace at least once a second, so wait until every motor's last count is in
      // it and judge that same read (measured well under 2 s; allowed 10 s on a loaded machine).
      let trace: Ev[] = [];
      const last = (name: string) => trace.filter((e) => e.ev === 'stepper' && e.name === name).at(-1)?.steps;
      const w0 = Date.now();
      for (let i = 0; i < 100; i++) {
        trace = p.trace() as Ev[];
        if (['stepper_x', 'stepper_y', 'extruder'].every((n) => last(n) === planned[n])) break;
        await sleep(100);
      }
      console.log(`sim trace caught up ${Date.now() - w0} ms after M400; host planned ${JSON.stringify(planned)}`);
      for (const n of ['stepper_x', 'stepper_y', 'extruder']) expect(last(n), n).toBe(planned[n]);
      // 14.4 mm extruded + 1 mm retracted and back = 1566 steps without advance; advance adds steps both ways.
      expect(planned.extruder).toBeGreaterThan(Math.round((16.4 * 3200) / 33.5));
      expect(trace.filter((e) => e.ev === 'shutdown')).toEqual([]);
      expect(p.host.printer.state).toBe('ready');
    } finally {
      await p.stop();
    }
  }, 60_000);
});
