// [delta_calibrate] on a batch-mode delta printer: the options and their errors, DELTA_ANALYZE's
// "not supported yet", and DELTA_CALIBRATE against a stand-in probe over a delta whose true
// tower A endstop is 0.3 mm higher than printer.cfg says: the calibration offered to
// SAVE_CONFIG moves stepper_a's position_endstop by that much and leaves the rest.
import { describe, expect, it } from 'vitest';
import type { DeltaKinematics, Toolhead } from '../../../src-main/host/motion/index';
import { cartesianFromStable, stableFromCartesian, type DeltaParams } from '../../../src-main/host/objects/delta-calibrate-math';
import { currentDeltaParams, type DeltaCalibrate } from '../../../src-main/host/objects/delta-calibrate';
import type { ZProbe } from '../../../src-main/host/objects/probe-api';
import type { SaveConfig } from '../../../src-main/host/objects/save-config';
import { connectMcu, loadText } from '../objects/load-helpers';

const tower = (t: string, step: string, dir: string, en: string, endstop: string, extra = '') => `
[stepper_${t}]
step_pin: ${step}
dir_pin: ${dir}
enable_pin: !${en}
microsteps: 16
rotation_distance: 40
endstop_pin: ^${endstop}
${extra}`;

const DELTA = `
[mcu]
serial: /dev/null

[printer]
kinematics: delta
max_velocity: 300
max_accel: 3000
max_z_velocity: 150
delta_radius: 174.75
${tower('a', 'PF0', 'PF1', 'PD7', 'PE4', 'position_endstop: 297.05\narm_length: 333.0')}
${tower('b', 'PF6', 'PF7', 'PF2', 'PJ0')}
${tower('c', 'PL3', 'PL1', 'PK0', 'PD2')}
[probe]
pin: ^PD3
z_offset: 1.0
`;

const CALIBRATE = `
[delta_calibrate]
radius: 100
speed: 100
horizontal_move_z: 10
`;

describe('[delta_calibrate] options', () => {
  it('loads on a delta (and keeps saved heights); errors name what is wrong', () => {
    const p = loadText(DELTA + CALIBRATE + 'height0: 1.0\nheight0_pos: 100,100,100\n');
    const dc = p.printer.lookupObject<DeltaCalibrate>('delta_calibrate');
    expect(dc.points).toHaveLength(7);
    expect(dc.saved).toEqual({ height0: '1.0', height0_pos: '100,100,100' });
    expect(() => loadText(DELTA + '\n[delta_calibrate]\nspeed: 10\n')).toThrow(/radius/);
    expect(() => loadText(DELTA + '\n[delta_calibrate]\nradius: 0\n')).toThrow(/radius/);
    expect(() => loadText(DELTA + CALIBRATE + 'bogus: 1\n')).toThrow(/bogus/);
    const cartesian = DELTA.replace('kinematics: delta', 'kinematics: cartesian');
    expect(() => loadText(cartesian + CALIBRATE)).toThrow();
  });

  it('DELTA_ANALYZE and METHOD=manual say they are not supported yet', async () => {
    const p = loadText(DELTA + CALIBRATE);
    await expect(p.gcode.run('DELTA_ANALYZE')).rejects.toThrow(/DELTA_ANALYZE .* is not supported yet/);
    await expect(p.gcode.run('DELTA_CALIBRATE METHOD=manual')).rejects.toThrow(/METHOD=manual is not supported yet/);
  });
});

describe('DELTA_CALIBRATE', () => {
  it('finds a tower endstop 0.3 mm off and offers it to SAVE_CONFIG with the probed heights', async () => {
    const p = await connectMcu(loadText(DELTA.replace(/\[probe\][^[]*/, '[force_move]\nenable_force_move: True\n') + CALIBRATE));
    const th = p.printer.lookupObject<Toolhead>('toolhead');
    const nominal = currentDeltaParams(th.kinematics as DeltaKinematics);
    expect(nominal.positionEndstopsMm.map((v) => Number(v.toFixed(9)))).toEqual([297.05, 297.05, 297.05]);
    expect(nominal.anglesDeg.map((v) => Number(v.toFixed(9)))).toEqual([210, 330, 90]);
    const truth: DeltaParams = { ...nominal, positionEndstopsMm: [297.35, 297.05, 297.05] };
    const out: string[] = [];
    p.gcode.onResponse((_k, t) => out.push(t));
    // The stand-in probe: where (in the host's belief) the true nozzle is z_offset above the bed.
    const probe: ZProbe = {
      xOffsetMm: 0,
      yOffsetMm: 0,
      zOffsetMm: 1,
      runProbe: async () => {
        const [x, y] = th.getPosition();
        let lo = -20;
        let hi = 40;
        for (let i = 0; i < 100; i++) {
          const mid = (lo + hi) / 2;
          if (cartesianFromStable(truth, stableFromCartesian(nominal, [x!, y!, mid]))[2] > 1) hi = mid;
          else lo = mid;
        }
        return [x!, y!, (lo + hi) / 2];
      },
    };
    p.printer.addObject('probe', probe);
    await p.gcode.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=100\nDELTA_CALIBRATE');
    const text = out.join('\n');
    expect(text).toMatch(/Delta calibration: height error 0\.\d+ mm \(rms\) before, 0\.0000\d\d mm after/);
    const items = p.printer.lookupObject<SaveConfig>('configfile').getStatus().save_config_pending_items as Record<
      string,
      Record<string, string>
    >;
    console.log(`DELTA_CALIBRATE offers: ${JSON.stringify(items)}`);
    expect(Number(items.stepper_a!.position_endstop)).toBeCloseTo(297.35, 3);
    expect(Number(items.stepper_b!.position_endstop)).toBeCloseTo(297.05, 3);
    expect(Number(items.stepper_c!.position_endstop)).toBeCloseTo(297.05, 3);
    expect(Number(items.stepper_a!.angle)).toBeCloseTo(210, 3);
    expect(Number(items.stepper_b!.angle)).toBeCloseTo(330, 3);
    expect(Number(items.stepper_c!.angle)).toBe(90);
    expect(Number(items.printer!.delta_radius)).toBeCloseTo(174.75, 3);
    // Seven probed heights, each with the three carriages' steps below their endstops.
    const dc = items.delta_calibrate!;
    for (let i = 0; i < 7; i++) {
      expect(dc[`height${i}`]).toBe('1.000000');
      expect(dc[`height${i}_pos`]).toMatch(/^\d+\.\d{3},\d+\.\d{3},\d+\.\d{3}$/);
    }
    expect(dc.height7).toBeUndefined();
  });
});
