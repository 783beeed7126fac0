// [probe] without a printer: option checks at load, probe:z_virtual_endstop wiring, the sample
// maths (average/median, tolerance retries) and PROBE_ACCURACY's statistics, and the sim machine
// entry for the probe switch.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import type { HomingRail } from '../../../src-main/host/objects/endstop';
import type { PrinterProbe } from '../../../src-main/host/objects/probe';
import {
  accuracyStats,
  combineSamples,
  formatAccuracy,
  probeSamples,
  type ProbeSampleSettings,
} from '../../../src-main/host/objects/probe-samples';
import type { PrinterToolhead } from '../../../src-main/host/objects/toolhead';
import { machineFromConfig } from '../../../src-main/host/sim/machine';
import { loadText } from '../objects/load-helpers';

const BASE = `
[mcu]
serial: /dev/null
[printer]
kinematics: cartesian
max_velocity: 300
max_accel: 3000
[stepper_x]
step_pin: PF0
dir_pin: PF1
microsteps: 16
rotation_distance: 40
endstop_pin: ^PE5
position_endstop: 0
position_max: 200
[stepper_y]
step_pin: PF6
dir_pin: PF7
microsteps: 16
rotation_distance: 40
endstop_pin: ^PJ1
position_endstop: 0
position_max: 200
[stepper_z]
step_pin: PL3
dir_pin: PL1
microsteps: 16
rotation_distance: 8
position_max: 200
`;
const withZ = (zEndstop: string, probe: string) => `${BASE}${zEndstop}\n${probe}`;
const PROBE = '[probe]\npin: ^!PD3\nz_offset: 1.5\nx_offset: -20\n';

describe('[probe] options', () => {
  it('loads with Klipper defaults; z_offset is required; probe:z_virtual_endstop homes Z at z_offset', () => {
    const p = loadText(withZ('endstop_pin: probe:z_virtual_endstop\nposition_min: -2', PROBE));
    const probe = p.printer.lookupObject<PrinterProbe>('probe');
    expect([probe.xOffsetMm, probe.yOffsetMm, probe.zOffsetMm]).toEqual([-20, 0, 1.5]);
    expect(probe.endstop.invert).toBe(true);
    expect(probe.getStatus()).toEqual({ name: 'probe', last_query: false, last_z_result: 0 });
    const z = p.printer.lookupObject<PrinterToolhead>('printer_toolhead').homingRails.find((r: HomingRail) => r.axis === 'z')!;
    expect(z.endstop).toBe(probe.endstop);
    expect(z.settings.position_endstop).toBe(1.5);
    expect(z.settings.homing_positive_dir).toBe(false);
    for (const cmd of ['PROBE', 'QUERY_PROBE', 'PROBE_ACCURACY', 'PROBE_CALIBRATE', 'Z_OFFSET_APPLY_PROBE']) {
      expect(p.gcode.lookup(cmd), cmd).toBeDefined();
    }
    expect(() => loadText(withZ('endstop_pin: probe:z_virtual_endstop', '[probe]\npin: PD3\n'))).toThrow(/z_offset/);
  });

  it('rejects bad values with the option and file:line', () => {
    const bad = (extra: string) => () => loadText(withZ('endstop_pin: ^PD2\nposition_endstop: 0', `${PROBE}${extra}`));
    expect(bad('')).not.toThrow();
    expect(bad('samples: 0')).toThrow(/samples.*printer\.cfg:\d+/s);
    expect(bad('speed: 0')).toThrow(/speed/);
    expect(bad('samples_result: mean')).toThrow(/samples_result/);
    expect(bad('samples_tolerance_retries: -1')).toThrow(/samples_tolerance_retries/);
    expect(bad('activate_gcode: {% if %}')).toThrow(/activate_gcode/);
    expect(bad('bogus: 1')).toThrow(/Option 'bogus' is not valid in section 'probe'/);
    // A probe pin is a pin like any other: used twice is an error.
    expect(() => loadText(withZ('endstop_pin: ^PD3\nposition_endstop: 0', PROBE))).toThrow(/used multiple times/);
  });

  it('probe:z_virtual_endstop: only on Z, without ^/!, with z_offset in range', () => {
    // Without a [probe] (a [bltouch] we do not support yet may stand for it) Z has no endstop.
    const noProbe = loadText(withZ('endstop_pin: probe:z_virtual_endstop', ''));
    const rails = noProbe.printer.lookupObject<PrinterToolhead>('printer_toolhead').homingRails;
    expect(rails.find((r: HomingRail) => r.axis === 'z')!.endstop).toBeNull();
    expect(() => loadText(withZ('endstop_pin: ^probe:z_virtual_endstop', PROBE))).toThrow(/pullup\/invert/);
    expect(() => loadText(withZ('endstop_pin: probe:other', PROBE))).toThrow(/pin chip name 'probe'/);
    // z_offset 1.5 is the endstop position: below position_min 2 it is out of range.
    expect(() => loadText(withZ('endstop_pin: probe:z_virtual_endstop\nposition_min: 2', PROBE))).toThrow(/z_offset 1.5.*position_min/);
  });
});

const settings = (o: Partial<ProbeSampleSettings> = {}): ProbeSampleSettings => ({
  probeSpeedMmS: 5,
  liftSpeedMmS: 5,
  samples: 3,
  sampleRetractDistMm: 2,
  samplesResult: 'average',
  samplesToleranceMm: 0.1,
  samplesToleranceRetries: 0,
  ...o,
});

describe('probe sample maths', () => {
  it('average and median (odd: the middle sample by height; even: the mean of the two middle ones)', () => {
    const ps = [
      [10, 20, 1.0],
      [10, 20, 1.3],
      [10, 20, 1.05],
    ];
    expect(combineSamples(ps, 'average')[2]).toBeCloseTo(3.35 / 3, 9);
    expect(combineSamples(ps, 'median')).toEqual([10, 20, 1.05]);
    expect(combineSamples([...ps, [10, 20, 2]], 'median')[2]).toBeCloseTo((1.05 + 1.3) / 2, 9);
  });

  it('lifts between samples, retries from scratch when they spread too far, then fails', async () => {
    const heights = [1.0, 1.2, 1.0, 1.01, 1.02];
    const lifts: number[] = [];
    const notes: string[] = [];
    let i = 0;
    const probeOnce = async () => [0, 0, heights[i++]!];
    const got = await probeSamples(
      settings({ samplesToleranceRetries: 1 }),
      probeOnce,
      (z) => void lifts.push(z),
      (m) => void notes.push(m),
    );
    expect(got.map((p) => p[2])).toEqual([1.0, 1.01, 1.02]);
    expect(notes).toEqual(['Probe samples exceed tolerance. Retrying...']);
    // After every sample but the last: sample height + sample_retract_dist.
    expect(lifts).toEqual([3.0, 3.2, 3.0, 3.01]);
    i = 0;
    await expect(
      probeSamples(
        settings(),
        probeOnce,
        () => undefined,
        () => undefined,
      ),
    ).rejects.toThrow('Probe samples exceed samples_tolerance');
    expect(i).toBe(2);
  });

  it("PROBE_ACCURACY's statistics (population standard deviation) in Klipper's wording", () => {
    const a = accuracyStats([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(a).toEqual({ maximum: 9, minimum: 2, range: 7, average: 5, median: 4.5, standardDeviation: 2 });
    expect(formatAccuracy(a)).toBe(
      'probe accuracy results: maximum 9.000000, minimum 2.000000, range 7.000000, average 5.000000, median 4.500000, standard deviation 2.000000',
    );
  });
});

describe('sim machine', () => {
  it('the probe is a switch on stepper_z at z_offset (bed at 0), inverted as configured', () => {
    const config = new PrinterConfig(parseConfigText(withZ('endstop_pin: probe:z_virtual_endstop', PROBE), '/virtual/printer.cfg'));
    const m = machineFromConfig(config, {
      endstops: { probe: { tilt: { x_stepper: 'stepper_x', y_stepper: 'stepper_y', dz_dx: 0.01, dz_dy: 0 } } },
    });
    expect(m.endstops.find((e) => e.name === 'probe')).toEqual({
      name: 'probe',
      pin: '!PD3',
      steppers: ['stepper_z'],
      trigger_position_mm: 1.5,
      side: 'min',
      tilt: { x_stepper: 'stepper_x', y_stepper: 'stepper_y', dz_dx: 0.01, dz_dy: 0 },
    });
    // No switch for stepper_z itself: its endstop is the probe.
    expect(m.endstops.map((e) => e.name).sort()).toEqual(['probe', 'x_endstop', 'y_endstop']);
  });
});
