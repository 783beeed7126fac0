// [bltouch] on the sim over a real pty: the sim's BLTouch (firmware/boards/sim README: an endstop
// with "servo_pin") reads the servo pulse widths, so its switch works only while the host holds
// the pin down. G28 homes Z on probe:z_virtual_endstop with the pin lowered for the homing move,
// PROBE deploys/verifies/stows around the descent, QUERY_PROBE shows the pin-up rule, and probing
// with the head already on the bed fails with Klipper's "BLTouch failed to deploy".
//
// Tolerances: as in probe.test.ts, the sim moves its steppers and samples the switch at each
// timer's nominal clock whatever the machine's load, so load shifts no position; the MCU polls
// the switch about once per step, so a trigger is exact to a step or two (Z step 0.0025 mm): we
// allow 2 steps and log the measured figure. The servo pulse widths are timed by the sim's clock
// too (nominal, not wall time), so a loaded machine can not blur pin_down into another signal.
import { describe, expect, it } from 'vitest';
import type { Toolhead } from '../../../src-main/host/motion/index';
import type { BLTouch } from '../../../src-main/host/objects/bltouch';
import { startLivePrinter } from './live-printer';
import { homeZOnProbe, probeZs } from './probe-printer';

const Z_STEP_MM = 8 / 3200;
const Z_OFFSET_MM = 1;
const TILT = { x_stepper: 'stepper_x', y_stepper: 'stepper_y', dz_dx: 0.01, dz_dy: 0.005 };
const bedZ = (x: number, y: number) => TILT.dz_dx * x + TILT.dz_dy * y;

const bltouchConfig = (cfg: string) =>
  homeZOnProbe(cfg).concat(
    `\n[bltouch]\nsensor_pin: ^PD3\ncontrol_pin: PB5\npin_move_time: 0.2\nz_offset: ${Z_OFFSET_MM}\nspeed: 10\nlift_speed: 10\n`,
  );

const NEAR = { stepper_x: { position_mm: 20 }, stepper_y: { position_mm: 20 }, stepper_z: { position_mm: 3 } };

describe('[bltouch] on a live printer', () => {
  it('homes Z on the BLTouch, probes a tilted bed, stows, and refuses to deploy on the bed', async () => {
    const p = await startLivePrinter('bltouch', {
      edit: bltouchConfig,
      overrides: { steppers: NEAR, endstops: { probe: { tilt: TILT } } },
    });
    let probeOut: string;
    const queries: string[] = [];
    let deployError = '';
    let homedAxes = '';
    let noTrigger = '';
    let deployedAfterNoTrigger: boolean | null = null;
    try {
      await p.run('G28');
      homedAxes = p.host.printer.lookupObject<Toolhead>('toolhead').getStatus().homed_axes as string;
      await p.run('G1 Z3 F600\nG1 X100 Y50 F6000');
      probeOut = await p.run('PROBE');
      // The head stays where the probe touched: with the pin up the sensor reads open; lowered
      // by hand onto the bed it reads triggered.
      queries.push(await p.run('QUERY_PROBE'));
      await p.run('BLTOUCH_DEBUG COMMAND=pin_down');
      queries.push(await p.run('QUERY_PROBE'));
      await p.run('BLTOUCH_DEBUG COMMAND=pin_up');
      queries.push(await p.run('QUERY_PROBE'));
      deployError = await p.run('PROBE').then(
        () => 'no error',
        (e: Error) => e.message,
      );
      // A descent that finds no bed (the host believes Z is 1.5 mm lower than it is, so it
      // stops 0.5 mm down, above the surface) still raises the pin before reporting.
      await p.run('G1 Z3 F600\nSET_KINEMATIC_POSITION Z=-1.5');
      noTrigger = await p.run('PROBE').then(
        () => 'no error',
        (e: Error) => e.message,
      );
      deployedAfterNoTrigger = p.host.printer.lookupObject<BLTouch>('probe').seq.deployed;
    } finally {
      await p.stop();
    }
    expect(homedAxes).toBe('xyz');
    const expected = Z_OFFSET_MM + bedZ(100, 50);
    const [single] = probeZs(probeOut!);
    console.log(`BLTouch PROBE: z=${single![2]} expected ${expected} (Z step ${Z_STEP_MM})`);
    expect(single!.slice(0, 2)).toEqual([100, 50]);
    expect(Math.abs(single![2]! - expected)).toBeLessThanOrEqual(2 * Z_STEP_MM);
    expect(queries.map((q) => q.replace(/^\/\/ /, '').trim())).toEqual(['probe: open', 'probe: TRIGGERED', 'probe: open']);
    expect(deployError).toMatch(/BLTouch failed to deploy/);
    expect(noTrigger).toMatch(/No trigger on probe after full movement/);
    expect(deployedAfterNoTrigger).toBe(false);
    // The sim saw the switch close only with the pin down: twice while homing, once per probe.
    const closings = (p.trace() as { ev: string; name?: string; triggered?: boolean; mm?: number }[]).filter(
      (e) => e.ev === 'endstop' && e.name === 'probe' && e.triggered,
    );
    expect(closings[0]!.mm!).toBeCloseTo(Z_OFFSET_MM, 2);
  }, 90_000);
});
