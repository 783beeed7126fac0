// [servo] pulse-width maths and options; [filament_motion_sensor] runout logic and options.
import { afterEach, describe, expect, it } from 'vitest';
import { servoAngleToWidthS, servoClampWidthS } from '../../../src-main/host/objects/servo';
import { ExtruderPath, type FilamentMotionSensor, MotionRunoutTracker } from '../../../src-main/host/objects/filament-motion-sensor';
import { TrapQ } from '../../../src-main/host/motion/trapq';
import { startBatchHost, type BatchHost } from './batch-host';

let host: BatchHost | null = null;
afterEach(async () => {
  await host?.stop();
  host = null;
});

describe('[servo]', () => {
  const r = { minWidthS: 0.001, maxWidthS: 0.002, maxAngleDeg: 180 };
  it('maps angles onto the pulse range and clamps widths (0 = off)', () => {
    expect([0, 90, 180, 270, -10].map((a) => servoAngleToWidthS(r, a))).toEqual([0.001, 0.0015, 0.002, 0.002, 0.001]);
    expect([0, 0.0005, 0.0012, 0.003].map((w) => servoClampWidthS(r, w))).toEqual([0, 0.001, 0.0012, 0.002]);
  });

  it('checks its options with printer.cfg:line', async () => {
    host = await startBatchHost('[servo arm]\npin: PB5\ninitial_angle: 90\n');
    await host.stop();
    host = null;
    await expect(startBatchHost('[servo arm]\npin: PB5\nminimum_pulse_width: 0.002\nmaximum_pulse_width: 0.001\n')).rejects.toThrow(
      /maximum_pulse_width.*must be above minimum_pulse_width.*printer\.cfg:\d+/s,
    );
    await expect(startBatchHost('[servo arm]\npin: PB5\nmaximum_pulse_width: 0.03\n')).rejects.toThrow(
      /maximum_pulse_width.*printer\.cfg:\d+/s,
    );
  });
});

describe('[filament_motion_sensor]', () => {
  it('filament is present until the extruder passes detection_length after the last toggle', () => {
    const t = new MotionRunoutTracker(7);
    t.reset(0);
    expect([0, 6.9, 7, 8].map((e) => t.present(e))).toEqual([true, true, false, false]);
    t.reset(8); // a toggle at E=8
    expect([14.9, 15.1].map((e) => t.present(e))).toEqual([true, false]);
  });

  it("keeps the extruder's path after the trapq forgot it (steps generated before the MCU runs them)", () => {
    const tq = new TrapQ();
    // 0..1 s: E 0 -> 4 mm at 4 mm/s; then 1..2 s: E 4 -> 6 at 2 mm/s.
    tq.append(0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 4, 4, 0);
    tq.append(1, 0, 1, 0, 4, 0, 0, 1, 0, 0, 2, 2, 0);
    const path = new ExtruderPath(tq);
    expect(path.at(0.5)).toBeCloseTo(2, 9);
    path.record(0.25, 2);
    tq.expireBefore(1.5); // the first segment is gone
    const out = [0, 0, 0];
    tq.positionAt(0.5, out);
    expect(out[0]).toBeCloseTo(4, 9); // what the trapq alone says now: wrong by 2 mm
    expect(path.at(0.5)).toBeCloseTo(2, 6);
    expect(path.at(1.5)).toBeCloseTo(5, 6);
  });

  it('loads with its extruder, shares QUERY_FILAMENT_SENSOR; errors name printer.cfg:line', async () => {
    host = await startBatchHost('[filament_motion_sensor encoder]\nswitch_pin: ^PE4\nextruder: extruder\ndetection_length: 4\n');
    const s = host.h.printer.lookupObject<FilamentMotionSensor>('filament_motion_sensor encoder');
    expect(s.tracker.detectionLengthMm).toBe(4);
    expect(await host.run('QUERY_FILAMENT_SENSOR SENSOR=encoder')).toMatch(/Filament Sensor encoder: filament (not )?detected/);
    await host.run('SET_FILAMENT_SENSOR SENSOR=encoder ENABLE=0');
    expect(host.status('filament_motion_sensor encoder').enabled).toBe(false);
    // pause_on_runout (default True) brings PAUSE with it.
    expect(host.h.printer.lookupObjectOrNull('pause_resume')).not.toBeNull();
    await host.stop();
    host = null;
    await expect(startBatchHost('[filament_motion_sensor encoder]\nswitch_pin: ^PE4\nextruder: extruder9\n')).rejects.toThrow(
      /Unknown extruder 'extruder9'.*printer\.cfg:\d+/s,
    );
    await expect(
      startBatchHost('[filament_motion_sensor encoder]\nswitch_pin: ^PE4\nextruder: extruder\ndetection_length: 0\n'),
    ).rejects.toThrow(/detection_length.*printer\.cfg:\d+/s);
  });
});
