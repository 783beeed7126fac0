// FORCE_MOVE switches a stepper driver on for its move and back off afterwards when it was off
// (Klipper's behaviour), and leaves a driver that was on alone. Checked on the sim: the enable
// pin's edges in the trace around the steps, the position the sim integrated (steps while the
// driver is off do not move the motor), and stepper_enable's status.
import { describe, expect, it } from 'vitest';
import { simPositions, sleep } from '../jobs/print-helpers';
import { startLivePrinter } from './live-printer';

type Status = { getStatus(t?: number): Record<string, unknown> };

/** The sim trace's 0/1 edges of a pin (the sim names it as the machine file does: '!PD7'). */
function pinEdges(trace: Record<string, unknown>[], pin: string): { clock: number; value: number }[] {
  return trace
    .filter((e) => e.ev === 'pin' && String(e.pin).replace(/^!/, '') === pin)
    .map((e) => ({ clock: e.clock as number, value: e.value as number }));
}

/** Clocks of the last stepper event (end of a queue_step run) of that stepper. */
function lastStepClock(trace: Record<string, unknown>[], name: string): number {
  const runs = trace.filter((e) => e.ev === 'stepper' && e.name === name);
  return runs.at(-1)?.clock as number;
}

describe('FORCE_MOVE and the driver enable state', () => {
  it('enables a disabled driver for the move, then disables it again; an enabled one stays on', async () => {
    const p = await startLivePrinter('force-move-enable');
    try {
      const enable = p.host.printer.lookupObject<Status>('stepper_enable');
      const on = () => enable.getStatus().steppers as Record<string, boolean>;
      expect(on().stepper_x).toBe(false);

      await p.run('FORCE_MOVE STEPPER=stepper_x DISTANCE=8 VELOCITY=20\nM400');
      expect(on().stepper_x).toBe(false);
      await sleep(2500); // the sim flushes its trace at least once a second
      let trace = p.trace();
      // The motor really moved: the sim only moves it while its enable pin says "on".
      expect(simPositions(p).stepper_x).toBeCloseTo(8, 2);
      // enable_pin: !PD7 -> on = 0, off = 1. Edges: off at config, on before the first step,
      // off again after the last.
      const edges = pinEdges(trace, 'PD7').slice(1);
      expect(pinEdges(trace, 'PD7')[0].value).toBe(1);
      expect(edges.map((e) => e.value)).toEqual([0, 1]);
      const firstStepCmd = trace.find((e) => e.ev === 'cmd' && e.name === 'queue_step');
      expect(firstStepCmd).toBeDefined();
      const endClock = lastStepClock(trace, 'stepper_x');
      expect(((edges[1].clock - endClock) >>> 0) / 50e6).toBeLessThan(1); // off soon after the last step ...
      expect((edges[1].clock - endClock) | 0).toBeGreaterThanOrEqual(0); // ... never before it

      // A driver already on stays on (no edges added), and the move happens.
      await p.run('SET_STEPPER_ENABLE STEPPER=stepper_y ENABLE=1\nM400');
      expect(on().stepper_y).toBe(true);
      await p.run('FORCE_MOVE STEPPER=stepper_y DISTANCE=-4 VELOCITY=10\nM400');
      expect(on().stepper_y).toBe(true);
      await sleep(2500);
      trace = p.trace();
      expect(pinEdges(trace, 'PF2').map((e) => e.value)).toEqual([1, 0]); // !PF2: off at config, on, never off again
      expect(simPositions(p).stepper_y).toBeCloseTo(-4, 2);
      expect(p.trace().filter((e) => e.ev === 'shutdown')).toEqual([]);
    } finally {
      await p.stop();
    }
  }, 60_000);
});
