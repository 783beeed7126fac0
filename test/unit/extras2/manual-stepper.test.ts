// [manual_stepper] on a batch host: MANUAL_STEPPER moves generate exactly the steps of the
// distance, SYNC decides whether the toolhead waits, limits and option errors are Klipper's.
import { afterEach, describe, expect, it } from 'vitest';
import type { Toolhead } from '../../../src-main/host/motion/index';
import type { ManualStepper } from '../../../src-main/host/objects/manual-stepper';
import { stopOnEndstopMode } from '../../../src-main/host/objects/manual-stepper';
import { startBatchHost, type BatchHost } from './batch-host';

let host: BatchHost | null = null;
afterEach(async () => {
  await host?.stop();
  host = null;
});

const STEP_MM = 8 / (200 * 16);
const FEEDER = `[manual_stepper feeder]\nstep_pin: PC1\ndir_pin: PC3\nenable_pin: !PC7\nmicrosteps: 16\nrotation_distance: 8\nvelocity: 10\nposition_min: -5\nposition_max: 100\n`;

const feeder = (b: BatchHost) => b.h.printer.lookupObject<ManualStepper>('manual_stepper feeder');
const printTime = (b: BatchHost) => b.h.printer.lookupObject<Toolhead>('toolhead').getLastMoveTime();

describe('[manual_stepper]', () => {
  it('MOVE steps the exact distance, SET_POSITION re-labels, ENABLE switches the driver', async () => {
    host = await startBatchHost(FEEDER);
    const m = feeder(host);
    await host.run('MANUAL_STEPPER STEPPER=feeder ENABLE=1');
    expect(host.status('manual_stepper feeder')).toEqual({ position: 0, enabled: true });
    await host.run('MANUAL_STEPPER STEPPER=feeder MOVE=10');
    expect(m.stepper.motion.mcuPositionSteps).toBe(Math.round(10 / STEP_MM));
    await host.run('MANUAL_STEPPER STEPPER=feeder MOVE=2.5 SPEED=20 ACCEL=500');
    expect(m.stepper.motion.mcuPositionSteps).toBe(Math.round(2.5 / STEP_MM));
    await host.run('MANUAL_STEPPER STEPPER=feeder SET_POSITION=50\nMANUAL_STEPPER STEPPER=feeder MOVE=45');
    expect(m.stepper.motion.mcuPositionSteps).toBe(Math.round(-2.5 / STEP_MM));
    expect(host.status('manual_stepper feeder').position).toBe(45);
    await host.run('MANUAL_STEPPER STEPPER=feeder ENABLE=0');
    expect(host.status('manual_stepper feeder').enabled).toBe(false);
  });

  it('SYNC=1 makes the toolhead wait for the move; SYNC=0 does not', async () => {
    host = await startBatchHost(FEEDER);
    const t0 = printTime(host);
    await host.run('MANUAL_STEPPER STEPPER=feeder MOVE=10'); // 1 s at 10 mm/s, no acceleration
    const t1 = printTime(host);
    expect(t1 - t0).toBeGreaterThanOrEqual(1 - 1e-9);
    await host.run('MANUAL_STEPPER STEPPER=feeder MOVE=0 SYNC=0');
    expect(printTime(host)).toBeCloseTo(t1, 9);
    // A synced move after it starts when the unsynced one ended.
    await host.run('MANUAL_STEPPER STEPPER=feeder MOVE=10');
    expect(printTime(host) - t1).toBeGreaterThanOrEqual(2 - 1e-9);
  });

  it('refuses moves out of range, unknown steppers and STOP_ON_ENDSTOP without a switch', async () => {
    host = await startBatchHost(FEEDER);
    await expect(host.run('MANUAL_STEPPER STEPPER=feeder MOVE=100.5')).rejects.toThrow(/Move out of range/);
    await expect(host.run('MANUAL_STEPPER STEPPER=feeder MOVE=-6')).rejects.toThrow(/Move out of range/);
    expect(feeder(host).stepper.motion.mcuPositionSteps).toBe(0);
    await expect(host.run('MANUAL_STEPPER STEPPER=other MOVE=1')).rejects.toThrow(
      /Unknown manual_stepper 'other' \(manual steppers: feeder\)/,
    );
    await expect(host.run('MANUAL_STEPPER STEPPER=feeder MOVE=1 STOP_ON_ENDSTOP=1')).rejects.toThrow(/has no endstop_pin/);
    await expect(host.run('MANUAL_STEPPER STEPPER=feeder MOVE=1 SPEED=0')).rejects.toThrow(/SPEED/);
  });

  it('STOP_ON_ENDSTOP values', () => {
    expect([2, 1, 0, -1, -2].map(stopOnEndstopMode)).toEqual([
      { triggered: true, mustTrigger: false },
      { triggered: true, mustTrigger: true },
      null,
      { triggered: false, mustTrigger: true },
      { triggered: false, mustTrigger: false },
    ]);
  });

  it('bad options name printer.cfg:line; M84 turns it off too', async () => {
    await expect(startBatchHost(FEEDER.replace('velocity: 10', 'velocity: -1'))).rejects.toThrow(/velocity.*printer\.cfg:\d+/s);
    await expect(startBatchHost(FEEDER.replace('position_max: 100', 'position_max: -10'))).rejects.toThrow(
      /position_max.*printer\.cfg:\d+/s,
    );
    await expect(startBatchHost(FEEDER.replace('step_pin: PC1', 'step_pin: PF0'))).rejects.toThrow(
      /PF0.*used multiple times|used multiple times.*PF0/s,
    );
    host = await startBatchHost(FEEDER);
    await host.run('MANUAL_STEPPER STEPPER=feeder ENABLE=1\nM84');
    expect(host.status('manual_stepper feeder').enabled).toBe(false);
  });
});
