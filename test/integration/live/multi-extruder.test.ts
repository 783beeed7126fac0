// A dual-extruder printer on the sim (one start): [extruder1] has its own heater, sensor and
// motor in the generated machine; it refuses to extrude until its own heater is hot, then
// ACTIVATE_EXTRUDER puts E on its motor. The sim counts every step edge per motor: extruder1's
// and the synced [extruder_stepper]'s counts equal what the host planned, [extruder]'s stays 0.
import { describe, expect, it } from 'vitest';
import type { PrinterExtruder } from '../../../src-main/host/objects/extruder';
import type { ExtruderStepper } from '../../../src-main/host/objects/extruder-stepper';
import { sleep } from '../jobs/print-helpers';
import { startLivePrinter } from './live-printer';

type Ev = { ev: string; name?: string; steps?: number; pos?: number };

// RAMPS E1 pins for the second extruder; the extra motor on free port G pins.
const DUAL_EDIT = (cfg: string) =>
  `${cfg}
[extruder1]
step_pin: PC1
dir_pin: PC3
enable_pin: !PC7
microsteps: 16
rotation_distance: 22.4
nozzle_diameter: 0.400
filament_diameter: 1.750
heater_pin: PB5
sensor_type: EPCOS 100K B57560G104F
sensor_pin: PK7
control: watermark
min_temp: 0
max_temp: 250
min_extrude_temp: 45

[extruder_stepper belted]
extruder: extruder
step_pin: PG1
dir_pin: !PG0
enable_pin: !PG2
microsteps: 16
rotation_distance: 33.5
`;

describe('multi-extruder on the sim', () => {
  it('heats extruder1, activates it, and only its motor (and the synced one) steps', async () => {
    // A light hotend block for extruder1 (2 J/K) so it reaches 50 C in a few seconds.
    const p = await startLivePrinter('multi-extruder', {
      edit: DUAL_EDIT,
      overrides: { heaters: { extruder1: { heat_capacity_j_per_k: 2 } } },
    });
    try {
      const printer = p.host.printer;
      const e0 = printer.lookupObject<PrinterExtruder>('extruder').stepper!;
      const e1 = printer.lookupObject<PrinterExtruder>('extruder1').stepper!;
      const belted = printer.lookupObject<ExtruderStepper>('extruder_stepper belted').stepper;
      // The generated machine gives extruder1 its own heater and both extra motors.
      const start = p.trace().find((e) => e.ev === 'start') as { steppers: { name: string }[]; heaters: string[] };
      expect(start.heaters).toEqual(expect.arrayContaining(['extruder', 'extruder1']));
      expect(start.steppers.map((s) => s.name)).toEqual(expect.arrayContaining(['extruder', 'extruder1', 'extruder_stepper belted']));

      await p.run('ACTIVATE_EXTRUDER EXTRUDER=extruder1');
      // extruder1's own heater is cold (min_extrude_temp 45): no extrusion yet.
      await expect(p.run('G1 E1 F300')).rejects.toThrow(/Extrude below minimum temp/);
      const t0 = Date.now();
      const heat = await p.run('M109 T1 S50');
      console.log(`extruder1 reached 50 C in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${heat.split('\n').at(-1)}`);
      expect(printer.lookupObject<PrinterExtruder>('extruder1').getStatus()).toMatchObject({ target: 50, can_extrude: true });
      expect(printer.lookupObject<PrinterExtruder>('extruder').getStatus()).toMatchObject({ target: 0 });

      // belted follows extruder1 now; 10 mm of filament on extruder1's queue.
      expect(await p.run('SYNC_EXTRUDER_MOTION EXTRUDER=belted MOTION_QUEUE=extruder1')).toBe(
        "// Extruder 'belted' now syncing with 'extruder1'",
      );
      expect(p.host.printer.lookupObject<{ getStatus(): Record<string, unknown> }>('toolhead').getStatus().extruder).toBe('extruder1');
      await p.run('M83\nG1 E10 F600\nM400');
      const planned = { extruder1: e1.stepCount, belted: belted.stepCount, extruder: e0.stepCount };
      // 10 mm = 1428.6 steps at 22.4 mm/rev and 955.2 at 33.5 mm/rev (16 x 200 steps per rev).
      expect(Math.abs(planned.extruder1 - (10 * 3200) / 22.4)).toBeLessThanOrEqual(1);
      expect(Math.abs(planned.belted - (10 * 3200) / 33.5)).toBeLessThanOrEqual(1);
      expect(planned.extruder).toBe(0);

      // M400 returned once the MCU clock passed the move; the sim writes its trace at least once
      // a second: wait until both motors' last runs are in it, then judge that same read. Under
      // load only the wait grows (measured 0.1 s idle, allowed 10 s): the counts are exact and the
      // cold-extrude refusal and heater wait depend on temperatures, not on time.
      let trace: Ev[] = [];
      const lastSteps = (name: string) => trace.filter((e) => e.ev === 'stepper' && e.name === name).at(-1)?.steps;
      const w0 = Date.now();
      for (let i = 0; i < 100; i++) {
        trace = p.trace() as Ev[];
        if (lastSteps('extruder1') === planned.extruder1 && lastSteps('extruder_stepper belted') === planned.belted) break;
        await sleep(100);
      }
      console.log(`sim trace caught up ${Date.now() - w0} ms after M400; host planned ${JSON.stringify(planned)}`);
      expect(lastSteps('extruder1')).toBe(planned.extruder1);
      expect(lastSteps('extruder_stepper belted')).toBe(planned.belted);
      // [extruder]'s motor never stepped: the sim has no run for it at all.
      expect(trace.filter((e) => e.ev === 'stepper' && e.name === 'extruder')).toEqual([]);
      expect(trace.filter((e) => e.ev === 'shutdown')).toEqual([]);
      expect(printer.state).toBe('ready');
    } finally {
      await p.stop();
    }
  }, 60_000);
});
