// BED_SCREWS_ADJUST's walk (ACCEPT / ADJUSTED / ABORT) and SCREWS_TILT_CALCULATE's turns.
import { describe, expect, it } from 'vitest';
import { screwAdjustments } from '../../../src-main/host/objects/screws-tilt';
import { meshPrinter, standInProbe } from './helpers';

const SCREWS = `
[bed_screws]
screw1: 30, 30
screw1_name: front left
screw2: 170, 30
screw2_name: front right
screw3: 100, 170
screw3_name: rear
probe_height: 0.2
`;

describe('BED_SCREWS_ADJUST', () => {
  it('visits each screw until all pass in a row, then the fine positions; ABORT ends it', async () => {
    const p = await meshPrinter(
      SCREWS.replace('screw1_name', 'screw1_fine_adjust: 20, 20\nscrew2_fine_adjust: 180, 20\nscrew3_fine_adjust: 100, 180\nscrew1_name'),
    );
    await p.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=10');
    expect(p.gcode.lookup('ACCEPT')).toBeUndefined();
    await p.run('BED_SCREWS_ADJUST');
    expect(p.out.at(-1)).toBe(
      '// Adjust front left. Then run ACCEPT, ADJUSTED, or ABORT\n// Use ADJUSTED if a significant screw adjustment is made',
    );
    // Up to horizontal_move_z, over, down to probe_height.
    expect(p.moves.slice(-2)).toEqual([
      [30, 30, 5, 0],
      [30, 30, 0.2, 0],
    ]);
    await expect(p.run('BED_SCREWS_ADJUST')).rejects.toThrow('Already in bed_screws helper; use ABORT to exit');
    const at = () => p.th.getPosition().slice(0, 2);
    await p.run('ACCEPT');
    expect(at()).toEqual([170, 30]);
    await p.run('ADJUSTED');
    expect(at()).toEqual([100, 170]);
    // After an adjustment every screw must pass again: 3 more accepts (rear, front left, front right).
    await p.run('ACCEPT\nACCEPT');
    expect(at()).toEqual([170, 30]);
    expect(p.printer.lookupObject<{ getStatus(): unknown }>('bed_screws').getStatus()).toEqual({
      is_active: true,
      state: 'adjust',
      current_screw: 1,
      accepted_screws: 2,
    });
    await p.run('ACCEPT');
    // Coarse pass done: the fine-adjust positions follow.
    expect(at()).toEqual([20, 20]);
    await p.run('ACCEPT\nACCEPT\nACCEPT');
    expect(p.out.at(-1)).toBe('// Bed screws tool completed successfully');
    expect(p.th.getPosition()[2]).toBe(5);
    expect(p.gcode.lookup('ACCEPT')).toBeUndefined();
    await p.run('BED_SCREWS_ADJUST\nABORT');
    expect(p.gcode.lookup('ABORT')).toBeUndefined();
    expect(p.printer.lookupObject<{ getStatus(): { is_active: boolean } }>('bed_screws').getStatus().is_active).toBe(false);
  });
});

describe('SCREWS_TILT_CALCULATE', () => {
  it('turns by thread pitch: minutes are 1/60 turn, direction by which way raises the bed', () => {
    // M3 (0.5 mm/turn): 0.3 mm low -> 0.6 turn = 00:36 CW; 0.1 mm high -> 0.2 turn = 00:12 CCW.
    expect(screwAdjustments([1, 0.7, 1.1], 0, 0.5, true)).toEqual([
      { z: 1, sign: 'CW', adjust: '00:00', is_base: true },
      { z: 0.7, sign: 'CW', adjust: '00:36', is_base: false },
      { z: 1.1, sign: 'CCW', adjust: '00:12', is_base: false },
    ]);
    // CCW-M4 (0.7 mm/turn): 0.91 mm low -> 1.3 turns = 01:18, raised turning CCW.
    expect(screwAdjustments([2, 1.09], 0, 0.7, false)[1]).toEqual({ z: 1.09, sign: 'CCW', adjust: '01:18', is_base: false });
    // Under 1 um counts as level.
    expect(screwAdjustments([2, 2.0005], 0, 0.5, true)[1]!.adjust).toBe('00:00');
  });

  it("probes at each screw and prints Klipper's table; DIRECTION picks the base; MAX_DEVIATION fails", async () => {
    const cfg = `
[screws_tilt_adjust]
screw1: 30, 30
screw1_name: front left screw
screw2: 170, 30
screw2_name: front right screw
screw3: 170, 170
screw4: 30, 170
screw4_name: rear left screw
horizontal_move_z: 10
speed: 100
screw_thread: CW-M3
`;
    const p = await meshPrinter(cfg);
    // The bed at each screw (probe points = nozzle positions + offsets).
    const heights: Record<string, number> = { '40,30': 2.4875, '180,30': 2.36, '180,170': 2.715, '40,170': 2.4725 };
    const probed = standInProbe(p, (x, y) => heights[`${x},${y}`]!, { x: 10, y: 0, z: 0 });
    await p.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=10');
    p.out.length = 0;
    await p.run('SCREWS_TILT_CALCULATE');
    expect(probed).toEqual([
      [30, 30],
      [170, 30],
      [170, 170],
      [30, 170],
    ]);
    // front right .1275 low -> .255 turn = 15.3 min; rear right .2275 high -> .455 turn = 27.3 min.
    expect(p.out).toEqual([
      '// 01:20 means 1 full turn and 20 minutes, CW=clockwise, CCW=counter-clockwise',
      '// front left screw (base) : x=30.0, y=30.0, z=2.48750',
      '// front right screw : x=170.0, y=30.0, z=2.36000 : adjust CW 00:15',
      '// screw at 170.000,170.000 : x=170.0, y=170.0, z=2.71500 : adjust CCW 00:27',
      '// rear left screw : x=30.0, y=170.0, z=2.47250 : adjust CW 00:02',
    ]);
    const st = () => p.printer.lookupObject<{ getStatus(): Record<string, unknown> }>('screws_tilt_adjust').getStatus();
    expect(st().results).toMatchObject({ screw2: { sign: 'CW', adjust: '00:15', is_base: false } });
    // DIRECTION=CW with a CW thread: the highest screw is the base, every other one turns CW.
    p.out.length = 0;
    await p.run('SCREWS_TILT_CALCULATE DIRECTION=CW');
    expect(p.out[3]).toMatch(/\(base\) : x=170.0, y=170.0/);
    expect(p.out.filter((l) => l.includes('adjust CCW'))).toEqual([]);
    await expect(p.run('SCREWS_TILT_CALCULATE MAX_DEVIATION=0.1')).rejects.toThrow(
      'bed level exceeds configured limits (0.1mm)! Adjust screws and restart print.',
    );
    expect(st().error).toBe(true);
    await expect(p.run('SCREWS_TILT_CALCULATE DIRECTION=UP')).rejects.toThrow(/DIRECTION must be CW or CCW/);
  });
});
