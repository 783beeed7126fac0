// [skew_correction]: the skew factor from a parallelogram's measured lengths, the move
// correction and its inverse, and the commands on a batch printer: moves reaching the toolhead
// are corrected, profiles load/save/remove through SAVE_CONFIG, errors name what is wrong.
import { describe, expect, it } from 'vitest';
import type { SaveConfig } from '../../../src-main/host/objects/save-config';
import { skewFactor, skewPosition, unskewPosition, type SkewCorrection } from '../../../src-main/host/objects/skew-correction';
import { BED_MESH, meshPrinter } from '../bed-mesh/helpers';
import { CARTESIAN, loadText } from '../objects/load-helpers';

/** The diagonals AC, BD and side AD of a parallelogram with sides ab, ad and angle A (degrees). */
function parallelogram(ab: number, ad: number, angleDeg: number): [number, number, number] {
  const a = (angleDeg * Math.PI) / 180;
  const d = [ad * Math.cos(a), ad * Math.sin(a)];
  const ac = Math.hypot(ab + d[0]!, d[1]!);
  const bd = Math.hypot(d[0]! - ab, d[1]!);
  return [ac, bd, ad];
}

describe('skew maths', () => {
  it('the factor is tan(90 - A) for the angle A at corner A', () => {
    for (const angle of [90, 89.5, 90.7, 85]) {
      const [ac, bd, ad] = parallelogram(100, 70, angle);
      expect(skewFactor(ac, bd, ad)).toBeCloseTo(Math.tan(((90 - angle) * Math.PI) / 180), 12);
    }
    expect(skewFactor(...parallelogram(100, 100, 90))).toBeCloseTo(0, 12);
  });

  it('refuses lengths that make no parallelogram', () => {
    expect(() => skewFactor(10, 10, 100)).toThrow(/make no parallelogram/);
    expect(() => skewFactor(0, 10, 10)).toThrow(/make no parallelogram/);
  });

  it('the move correction and its inverse undo each other; XY skew shifts X by y*factor', () => {
    const s = { xy: 0.01, xz: -0.002, yz: 0.003 };
    const p = [120, 80, 30, 5];
    const m = skewPosition(s, p);
    unskewPosition(s, m).forEach((v, i) => expect(v).toBeCloseTo(p[i]!, 12));
    expect(m[3]).toBe(5);
    expect(skewPosition({ xy: 0.01, xz: 0, yz: 0 }, [100, 50, 0])).toEqual([99.5, 50, 0]);
  });
});

const SKEW = `
[skew_correction]

[skew_correction calibrated]
xy_skew = 0.01
xz_skew = 0
yz_skew = 0
`;

describe('[skew_correction] on a printer', () => {
  it('SKEW_PROFILE LOAD corrects the moves; SET_SKEW CLEAR=1 stops it; GET_CURRENT_SKEW reports', async () => {
    const p = await meshPrinter(SKEW);
    const skew = p.printer.lookupObject<SkewCorrection>('skew_correction');
    expect(skew.getStatus()).toMatchObject({ xy_skew: 0, profiles: ['calibrated'] });
    await p.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=10\nSKEW_PROFILE LOAD=calibrated\nG1 X100 Y50 F6000');
    expect(p.moves.at(-1)!.slice(0, 3)).toEqual([99.5, 50, 10]);
    // The G-code position is the unskewed one.
    await p.run('M114');
    expect(p.out.at(-1)).toMatch(/^X:100\.000 Y:50\.000 Z:10\.000/);
    await p.run('GET_CURRENT_SKEW');
    expect(p.out.at(-1)).toContain('XY skew: factor 0.010000, 0.5729 degrees from square');
    await p.run('SET_SKEW CLEAR=1\nG1 X120 Y50');
    expect(p.moves.at(-1)!.slice(0, 2)).toEqual([120, 50]);
  });

  it('SET_SKEW from lengths, SAVE and REMOVE profiles for SAVE_CONFIG, CALC_MEASURED_SKEW only reports', async () => {
    const p = await meshPrinter(SKEW);
    const skew = p.printer.lookupObject<SkewCorrection>('skew_correction');
    const [ac, bd, ad] = parallelogram(100, 70, 89.5);
    await p.run(`CALC_MEASURED_SKEW AC=${ac} BD=${bd} AD=${ad}`);
    expect(p.out.at(-1)).toMatch(/Calculated skew: factor 0\.008727, 0\.5000 degrees from square/);
    expect(skew.current.xy).toBe(0);
    await p.run(`SET_SKEW XY=${ac},${bd},${ad}`);
    expect(skew.current.xy).toBeCloseTo(Math.tan((0.5 * Math.PI) / 180), 12);
    await p.run('SKEW_PROFILE SAVE=mine\nSKEW_PROFILE REMOVE=calibrated');
    const cf = p.printer.lookupObject<SaveConfig>('configfile').getStatus();
    expect((cf.save_config_pending_items as Record<string, Record<string, string>>)['skew_correction mine']).toEqual({
      xy_skew: skew.current.xy.toFixed(9),
      xz_skew: '0.000000000',
      yz_skew: '0.000000000',
    });
    expect(skew.getStatus().profiles).toEqual(['mine']);
    await expect(p.run('SKEW_PROFILE LOAD=calibrated')).rejects.toThrow('unknown profile [calibrated] (known: mine)');
    await expect(p.run('SET_SKEW XY=1,2')).rejects.toThrow(/XY must be three lengths AC,BD,AD/);
    await expect(p.run('SET_SKEW XY=10,10,100')).rejects.toThrow(/make no parallelogram/);
    await expect(p.run('SKEW_PROFILE')).rejects.toThrow(/needs LOAD=, SAVE= or REMOVE=/);
  });

  it('works with [bed_mesh]; a profile without [skew_correction] is an error', async () => {
    const p = await meshPrinter(BED_MESH + SKEW);
    expect(p.mesh).not.toBeNull();
    expect(() => loadText(CARTESIAN + SKEW.replace('[skew_correction]\n', ''))).toThrow(
      '[skew_correction calibrated] is a saved skew profile, but printer.cfg has no [skew_correction] section',
    );
    expect(() => loadText(CARTESIAN + SKEW.replace('xy_skew = 0.01', 'xy_skew = a lot'))).toThrow(/xy_skew/);
  });
});
