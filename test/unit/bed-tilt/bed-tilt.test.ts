// [bed_tilt]: options, the least-squares plane, the move transform and BED_TILT_CALIBRATE.
import { describe, expect, it } from 'vitest';
import { fitPlane } from '../../../src-main/host/objects/bed-tilt-options';
import type { BedTilt } from '../../../src-main/host/objects/bed-tilt';
import type { SaveConfig } from '../../../src-main/host/objects/save-config';
import { meshPrinter, standInProbe } from '../bed-mesh/helpers';

const TILT = `
[bed_tilt]
points:
    10, 10
    190, 10
    190, 190
    10, 190
speed: 100
horizontal_move_z: 5
`;

describe('fitPlane', () => {
  it('recovers an exact plane', () => {
    // z = 0.001 x - 0.002 y + 0.3 at four corners and the centre.
    const pts = [
      [0, 0],
      [200, 0],
      [200, 200],
      [0, 200],
      [100, 100],
    ].map(([x, y]) => [x!, y!, 0.001 * x! - 0.002 * y! + 0.3] as const);
    const p = fitPlane(pts);
    expect(p.xAdjust).toBeCloseTo(0.001, 12);
    expect(p.yAdjust).toBeCloseTo(-0.002, 12);
    expect(p.zAdjust).toBeCloseTo(0.3, 12);
  });

  it('least squares by hand: four corners of a square, one corner raised', () => {
    // (0,0,0) (2,0,0) (0,2,0) (2,2,1): normal equations give x_adjust = y_adjust = 1/4 and
    // z at the centre (1,1) = mean z = 1/4, so z_adjust = 1/4 - 1/4 - 1/4 = -1/4.
    const p = fitPlane([
      [0, 0, 0],
      [2, 0, 0],
      [0, 2, 0],
      [2, 2, 1],
    ]);
    expect(p.xAdjust).toBeCloseTo(0.25, 12);
    expect(p.yAdjust).toBeCloseTo(0.25, 12);
    expect(p.zAdjust).toBeCloseTo(-0.25, 12);
  });

  it('refuses points on one line', () => {
    expect(() =>
      fitPlane([
        [0, 0, 0],
        [1, 1, 1],
        [2, 2, 0],
      ]),
    ).toThrow('all on one line');
    expect(() =>
      fitPlane([
        [0, 0, 0],
        [1, 0, 1],
      ]),
    ).toThrow('do not span a plane');
  });
});

describe('[bed_tilt] options', () => {
  it('reads points one per line and rejects bad lines or too few points', async () => {
    const p = await meshPrinter(TILT);
    expect(p.printer.lookupObject<BedTilt>('bed_tilt').points).toEqual([
      [10, 10],
      [190, 10],
      [190, 190],
      [10, 190],
    ]);
    await expect(meshPrinter(TILT.replace('190, 10\n', '190 10\n'))).rejects.toThrow(/Unable to parse '190 10' in option 'points'/);
    await expect(meshPrinter('[bed_tilt]\npoints: 1,1\n  2,2\n')).rejects.toThrow('needs at least 3 points (it has 2)');
  });

  it('applies x_adjust, y_adjust, z_adjust to moves and maps the position back', async () => {
    const p = await meshPrinter('[bed_tilt]\nx_adjust: 0.001\ny_adjust: -0.002\nz_adjust: 0.1\n');
    // No points: nothing to calibrate.
    expect(p.gcode.lookup('BED_TILT_CALIBRATE')).toBeUndefined();
    await p.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=10\nG1 X100 Y50 Z2 F6000');
    const last = p.moves.at(-1)!;
    expect(last[2]).toBeCloseTo(2 + 0.1 - 0.1 + 0.1, 9);
    await p.run('M114');
    expect(p.out.at(-1)).toMatch(/^X:100\.000 Y:50\.000 Z:2\.000/);
  });
});

describe('BED_TILT_CALIBRATE', () => {
  it('probes each point, fits the tilted bed, applies it and offers it to SAVE_CONFIG', async () => {
    const p = await meshPrinter(TILT);
    const bed = (x: number, y: number) => 0.0015 * x - 0.0005 * y + 0.2;
    // The probe sits 20 mm right of the nozzle: the fit must use where the probe was.
    const probed = standInProbe(p, bed, { x: 20, y: 0, z: 1 });
    await p.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=10\nBED_TILT_CALIBRATE');
    expect(probed).toEqual([
      [10, 10],
      [190, 10],
      [190, 190],
      [10, 190],
    ]);
    expect(p.out.join('\n')).toContain('// Calculated bed tilt parameters:\n// x_adjust: 0.001500 y_adjust: -0.000500 z_adjust: 0.200000');
    const t = p.printer.lookupObject<BedTilt>('bed_tilt').getStatus();
    expect(t.x_adjust).toBeCloseTo(0.0015, 9);
    // Moves now follow the bed under the nozzle.
    await p.run('G1 X100 Y100 Z0.3 F6000');
    expect(p.moves.at(-1)![2]).toBeCloseTo(0.3 + bed(100, 100), 9);
    const cf = p.printer.lookupObject<SaveConfig>('configfile').getStatus() as {
      save_config_pending_items?: Record<string, Record<string, string>>;
    };
    expect(cf.save_config_pending_items?.bed_tilt).toEqual({ x_adjust: '0.001500', y_adjust: '-0.000500', z_adjust: '0.200000' });
  });

  it('needs a probe', async () => {
    const p = await meshPrinter(TILT);
    await expect(p.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=10\nBED_TILT_CALIBRATE')).rejects.toThrow('BED_TILT_CALIBRATE needs a Z probe');
  });
});
