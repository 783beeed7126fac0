// [bed_mesh], [bed_screws], [screws_tilt_adjust] options: what loads and the messages for what does not.
import { describe, expect, it } from 'vitest';
import type { BedMesh } from '../../../src-main/host/objects/bed-mesh';
import { CARTESIAN, loadText } from '../objects/load-helpers';

const mesh = (body: string) => loadText(`${CARTESIAN}\n[bed_mesh]\n${body}`);

describe('[bed_mesh] options', () => {
  it('reads a rectangular mesh with Klipper defaults', () => {
    const p = mesh('mesh_min: 10, 10\nmesh_max: 190, 180');
    const bm = p.printer.lookupObject<BedMesh>('bed_mesh');
    expect(bm.layout.rect).toEqual({ min: [10, 10], max: [190, 180], xCount: 3, yCount: 3 });
    expect([bm.layout.xPps, bm.layout.yPps, bm.layout.algorithm, bm.layout.tension]).toEqual([2, 2, 'lagrange', 0.2]);
    // fade_end 0 turns fading off.
    expect(bm.fade.endMm).toBe(Infinity);
    expect(p.gcode.lookup('BED_MESH_CALIBRATE')).toBeDefined();
    expect(bm.getStatus()).toMatchObject({ profile_name: '', mesh_min: [0, 0], probed_matrix: [[]], profiles: {} });
  });

  it('accepts one value for probe_count and mesh_pps, round beds, fade and faulty regions', () => {
    const bm = mesh(
      'mesh_min: 10, 10\nmesh_max: 190, 190\nprobe_count: 5\nmesh_pps: 3\nfade_start: 1\nfade_end: 10\nfaulty_region_1_min: 90, 90\nfaulty_region_1_max: 110, 110',
    ).printer.lookupObject<BedMesh>('bed_mesh');
    expect(bm.layout.rect!.xCount).toBe(5);
    expect(bm.layout.rect!.yCount).toBe(5);
    expect([bm.layout.xPps, bm.layout.yPps]).toEqual([3, 3]);
    expect(bm.fade).toEqual({ startMm: 1, endMm: 10, target: undefined });
    expect(bm.faultyRegions).toEqual([{ min: [90, 90], max: [110, 110] }]);
    const round = mesh('mesh_radius: 75\nmesh_origin: 100, 100\nround_probe_count: 7\nalgorithm: bicubic').printer.lookupObject<BedMesh>(
      'bed_mesh',
    );
    expect(round.layout.round).toEqual({ radius: 75, origin: [100, 100], count: 7 });
  });

  it.each([
    ['mesh_min: 100, 10\nmesh_max: 50, 180', /invalid min\/max points/],
    ['mesh_max: 190, 180', /Option 'mesh_min' in section 'bed_mesh' must be specified/],
    ['mesh_min: 10, 10\nmesh_max: 190, 180\nprobe_count: 7, 7', /lagrange interpolation allows at most 6/],
    ['mesh_min: 10, 10\nmesh_max: 190, 180\nprobe_count: 3, 7\nalgorithm: bicubic', /cannot combine 3 points/],
    ['mesh_min: 10, 10\nmesh_max: 190, 180\nprobe_count: 2, 3', /must have minimum of 3/],
    ['mesh_min: 10, 10\nmesh_max: 190, 180\nalgorithm: spline', /Choice 'spline' for option 'algorithm'/],
    ['mesh_min: 10, 10\nmesh_max: 190, 180\nbicubic_tension: 3', /must have maximum of 2/],
    ['mesh_min: 10, 10\nmesh_max: 190, 180\nmove_check_distance: 1', /must have minimum of 3/],
    ['mesh_min: 10, 10\nmesh_max: 190, 180\nsplit_delta_z: 0.001', /must have minimum of 0.01/],
    ['mesh_min: 10, 10\nmesh_max: 12, 180\nprobe_count: 5, 3', /less than 1 mm apart/],
    ['mesh_radius: 50\nround_probe_count: 4', /probe_count must be odd for round beds/],
    ['mesh_radius: 50\nmesh_min: 10, 10', /Option 'mesh_min' is not valid in section 'bed_mesh'/],
    ['mesh_min: 10, 10\nmesh_max: 190, 180\nzero_reference_position: 300, 10', /zero_reference_position \(300, 10\) lies outside the mesh/],
    ['mesh_min: 10, 10\nmesh_max: 190, 180\nfaulty_region_1_min: 10, 10\nfaulty_region_1_max: 10, 50', /faulty_region_1 has no area/],
    ['mesh_min: 10, 10\nmesh_max: 190, 180\nrelative_reference_index: 4', /Option 'relative_reference_index' is not valid/],
  ])('rejects %j', (body, message) => {
    expect(() => mesh(body)).toThrow(message);
  });

  it('reads saved profiles; a profile without [bed_mesh] or with bad points is an error naming it', () => {
    const profile = (points: string) =>
      `\n[bed_mesh p1]\nversion = 1\npoints =\n${points}\nx_count = 3\ny_count = 2\nmesh_x_pps = 2\nmesh_y_pps = 2\nalgo = lagrange\ntension = 0.2\nmin_x = 0\nmax_x = 100\nmin_y = 0\nmax_y = 100\n`;
    const ok = loadText(`${CARTESIAN}\n[bed_mesh]\nmesh_min: 0, 0\nmesh_max: 100, 100\n${profile('  0.1, 0.2, 0.3\n  0.4, 0.5, 0.6')}`);
    expect(ok.printer.lookupObject<BedMesh>('bed_mesh').getStatus().profiles).toEqual({
      p1: {
        points: [
          [0.1, 0.2, 0.3],
          [0.4, 0.5, 0.6],
        ],
        mesh_params: {
          min_x: 0,
          max_x: 100,
          min_y: 0,
          max_y: 100,
          x_count: 3,
          y_count: 2,
          mesh_x_pps: 2,
          mesh_y_pps: 2,
          algo: 'lagrange',
          tension: 0.2,
        },
      },
    });
    expect(() => loadText(`${CARTESIAN}${profile('  0.1, 0.2, 0.3\n  0.4, 0.5, 0.6')}`)).toThrow(
      /\[bed_mesh p1\] is a saved bed mesh profile, but printer.cfg has no \[bed_mesh\]/,
    );
    expect(() =>
      loadText(`${CARTESIAN}\n[bed_mesh]\nmesh_min: 0, 0\nmesh_max: 100, 100\n${profile('  0.1, 0.2\n  0.4, 0.5, 0.6')}`),
    ).toThrow(/expected 2 rows of 3 \(profile \[bed_mesh p1\]\)/);
    expect(() =>
      loadText(`${CARTESIAN}\n[bed_mesh]\nmesh_min: 0, 0\nmesh_max: 100, 100\n${profile('  0.1, x, 0.3\n  0.4, 0.5, 0.6')}`),
    ).toThrow(/'x' is not a number/);
  });
});

describe('[bed_screws] and [screws_tilt_adjust] options', () => {
  it('need three screws; names default to the position; fine_adjust for all or none', () => {
    const p = loadText(`${CARTESIAN}\n[bed_screws]\nscrew1: 30, 30\nscrew1_name: front left\nscrew2: 170, 30\nscrew3: 100, 170\n`);
    expect(p.printer.lookupObject<{ screws: unknown[] }>('bed_screws').screws).toEqual([
      { name: 'front left', x: 30, y: 30 },
      { name: 'screw at 170.000,30.000', x: 170, y: 30 },
      { name: 'screw at 100.000,170.000', x: 100, y: 170 },
    ]);
    expect(() => loadText(`${CARTESIAN}\n[bed_screws]\nscrew1: 30, 30\nscrew2: 170, 30\n`)).toThrow(
      /bed_screws: Must have at least three screws/,
    );
    expect(() =>
      loadText(`${CARTESIAN}\n[bed_screws]\nscrew1: 30, 30\nscrew1_fine_adjust: 40, 40\nscrew2: 170, 30\nscrew3: 100, 170\n`),
    ).toThrow(/screw2_fine_adjust is missing/);
    expect(() =>
      loadText(`${CARTESIAN}\n[screws_tilt_adjust]\nscrew1: 30, 30\nscrew2: 170, 30\nscrew3: 100, 170\nscrew_thread: CW-M8\n`),
    ).toThrow(/Choice 'CW-M8' for option 'screw_thread'/);
    expect(() => loadText(`${CARTESIAN}\n[screws_tilt_adjust]\nscrew1: 30, 30\nscrew2: 170\nscrew3: 100, 170\n`)).toThrow(
      /must have 2 elements/,
    );
  });
});
