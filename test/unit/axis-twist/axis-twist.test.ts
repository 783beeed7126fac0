// [axis_twist_compensation]: the interpolation, the corrections from probe vs nozzle heights,
// and the calibration on a batch printer whose probe reads a flat bed higher towards +X (a
// twisted X rail): after AXIS_TWIST_COMPENSATION_CALIBRATE (three probes, three paper tests)
// PROBE reads the same height all along X, and the values are offered to SAVE_CONFIG.
import { describe, expect, it } from 'vitest';
import type { Toolhead } from '../../../src-main/host/motion/index';
import { compensationAt, twistCorrections, twistPoints, type AxisTwistCompensation } from '../../../src-main/host/objects/axis-twist';
import type { SaveConfig } from '../../../src-main/host/objects/save-config';
import { CARTESIAN, connectMcu, loadText } from '../objects/load-helpers';

describe('axis twist maths', () => {
  it('corrections are the mean error minus each point error', () => {
    const c = twistCorrections([0.1, 0.2, 0.6], [0, 0, 0.3]);
    [0.1, 0, -0.1].forEach((v, i) => expect(c[i]).toBeCloseTo(v, 12));
  });

  it('compensationAt is linear between the samples and held beyond the ends', () => {
    const c = { startMm: 0, endMm: 200, values: [0.1, 0, -0.2] };
    expect(compensationAt(c, 0)).toBeCloseTo(0.1, 12);
    expect(compensationAt(c, 50)).toBeCloseTo(0.05, 12);
    expect(compensationAt(c, 150)).toBeCloseTo(-0.1, 12);
    expect(compensationAt(c, 200)).toBeCloseTo(-0.2, 12);
    expect(compensationAt(c, -30)).toBeCloseTo(0.1, 12);
    expect(compensationAt(c, 260)).toBeCloseTo(-0.2, 12);
    expect(compensationAt(null, 10)).toBe(0);
  });

  it('points are evenly spaced from start to end', () => {
    expect(twistPoints(20, 180, 5)).toEqual([20, 60, 100, 140, 180]);
  });
});

const PROBE = '\n[probe]\npin: ^PD2\nx_offset: 30\nz_offset: 1\n';
const TWIST = '\n[axis_twist_compensation]\ncalibrate_start_x: 40\ncalibrate_end_x: 160\ncalibrate_y: 100\nspeed: 100\n';
/** The probe reads the (flat) bed this much high at probe X. */
const twist = (x: number) => 0.0015 * (x - 50);

describe('[axis_twist_compensation] on a printer', () => {
  it('options: a probe is needed; saved compensations need their start and end', () => {
    expect(() => loadText(CARTESIAN + TWIST)).toThrow(/add a \[probe\] or \[bltouch\]/);
    expect(() => loadText(CARTESIAN + PROBE + TWIST + 'z_compensations: 0.1, 0, -0.1\n')).toThrow(
      /z_compensations needs compensation_start_x and compensation_end_x/,
    );
    expect(() =>
      loadText(CARTESIAN + PROBE + TWIST + 'z_compensations: 0.1, x\ncompensation_start_x: 0\ncompensation_end_x: 10\n'),
    ).toThrow(/z_compensations must be numbers separated by commas/);
    const p = loadText(CARTESIAN + PROBE + TWIST + 'z_compensations: 0.1, 0, -0.1\ncompensation_start_x: 20\ncompensation_end_x: 160\n');
    expect(p.printer.lookupObject<AxisTwistCompensation>('axis_twist_compensation').correctionAt(55, 0)).toBeCloseTo(0.05, 12);
  });

  it('calibrates with the paper test at each point; PROBE then reads the flat bed flat', async () => {
    const p = await connectMcu(loadText(CARTESIAN + PROBE + TWIST));
    const th = p.printer.lookupObject<Toolhead>('toolhead');
    const out: string[] = [];
    p.gcode.onResponse((_k, t) => out.push(t));
    // The probe's switch: triggers z_offset above the bed, plus the twist at its X (nozzle X + 30).
    const probe = p.printer.lookupObject<{ probeOnce: (speed: number) => Promise<number[]> }>('probe');
    const probedAt: number[] = [];
    probe.probeOnce = async () => {
      const [x, y] = th.getPosition();
      probedAt.push(x! + 30);
      return [x!, y!, 1 + twist(x! + 30)];
    };
    await p.gcode.run('SET_KINEMATIC_POSITION X=100 Y=100 Z=10\nAXIS_TWIST_COMPENSATION_CALIBRATE');
    expect(probedAt).toEqual([40, 100, 160]);
    // The user lowers the nozzle onto the (flat, z = 0) bed at each point: 0.1 mm paper.
    for (let i = 0; i < 3; i++) {
      expect(th.getPosition()[0]).toBe([40, 100, 160][i]);
      await p.gcode.run(`TESTZ Z=${(0.1 - th.getPosition()[2]!).toFixed(6)}\nACCEPT`);
    }
    const text = out.join('\n');
    expect(text).toMatch(/z_compensations = 0\.090000, 0\.000000, -0\.090000/);
    const items = p.printer.lookupObject<SaveConfig>('configfile').getStatus().save_config_pending_items as Record<
      string,
      Record<string, string>
    >;
    expect(items.axis_twist_compensation).toEqual({
      z_compensations: '0.090000, 0.000000, -0.090000',
      compensation_start_x: '40.000000',
      compensation_end_x: '160.000000',
    });
    // PROBE with the nozzle at X 10, 40 and 130 (probe at 40, 70 between two points, and 160): the same height now.
    out.length = 0;
    await p.gcode.run('G1 Z5 F600\nG1 X10 Y100 F6000\nPROBE\nG1 Z5\nG1 X40\nPROBE\nG1 Z5\nG1 X130\nPROBE');
    const results = [...out.join('\n').matchAll(/Result is z=(-?[\d.]+)/g)].map((m) => Number(m[1]));
    expect(results).toHaveLength(3);
    const mean = (twist(40) + twist(100) + twist(160)) / 3;
    for (const r of results) expect(r).toBeCloseTo(1 + mean, 5);
  });

  it('ABORT leaves the compensation as it was', async () => {
    const p = await connectMcu(loadText(CARTESIAN + PROBE + TWIST));
    const th = p.printer.lookupObject<Toolhead>('toolhead');
    const probe = p.printer.lookupObject<{ probeOnce: (speed: number) => Promise<number[]> }>('probe');
    probe.probeOnce = async () => [th.getPosition()[0]!, th.getPosition()[1]!, 1];
    await p.gcode.run('SET_KINEMATIC_POSITION X=100 Y=100 Z=10\nAXIS_TWIST_COMPENSATION_CALIBRATE SAMPLE_COUNT=2\nACCEPT\nABORT');
    const a = p.printer.lookupObject<AxisTwistCompensation>('axis_twist_compensation');
    expect(a.getStatus().z_compensations).toEqual([]);
    await expect(p.gcode.run('AXIS_TWIST_COMPENSATION_CALIBRATE AXIS=Y')).rejects.toThrow(/AXIS=Y needs calibrate_start_y/);
  });
});
