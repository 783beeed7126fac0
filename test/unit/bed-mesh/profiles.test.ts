// BED_MESH_CALIBRATE (through the ZProbe interface), BED_MESH_OUTPUT/MAP, and profiles saved with
// SAVE_CONFIG as [bed_mesh NAME] sections that load again on the next start.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BedMesh } from '../../../src-main/host/objects/bed-mesh';
import { CARTESIAN, connectMcu, loadFile } from '../objects/load-helpers';
import { testOutputDir } from '../../support/paths';
import { BED_MESH, meshPrinter, standInProbe } from './helpers';

/** A bed that is a gentle saddle: z = (x - 100)(y - 100) / 1e5. */
const saddle = (x: number, y: number) => ((x - 100) * (y - 100)) / 1e5;

describe('BED_MESH_CALIBRATE', () => {
  it('probes the grid at the probe offsets, builds the mesh and saves it as profile default', async () => {
    const p = await meshPrinter(BED_MESH.replace('mesh_min: 0, 0', 'mesh_min: 20, 20').replace('mesh_max: 200, 200', 'mesh_max: 180, 180'));
    const probed = standInProbe(p, saddle, { x: 10, y: -5, z: 1.5 });
    await p.run('SET_KINEMATIC_POSITION X=50 Y=50 Z=10\nBED_MESH_CALIBRATE');
    // Toolhead positions: the probe points (20, 100, 180 serpentine) minus the offsets.
    expect(probed).toEqual([
      [10, 25],
      [90, 25],
      [170, 25],
      [170, 105],
      [90, 105],
      [10, 105],
      [10, 185],
      [90, 185],
      [170, 185],
    ]);
    const st = p.mesh.getStatus() as {
      probed_matrix: number[][];
      mesh_matrix: number[][];
      profile_name: string;
      mesh_min: number[];
      mesh_max: number[];
    };
    // Rows by Y, X ascending: the saddle at (20|100|180, 20|100|180), z_offset taken off.
    expect(st.probed_matrix.map((r) => r.map((v) => Number(v.toFixed(9))))).toEqual([
      [0.064, 0, -0.064],
      [0, 0, 0],
      [-0.064, 0, 0.064],
    ]);
    expect(st.mesh_matrix).toHaveLength(7);
    expect(st.profile_name).toBe('default');
    expect([st.mesh_min, st.mesh_max]).toEqual([
      [20, 20],
      [180, 180],
    ]);
    // The mesh follows the saddle between probes (Lagrange is exact for it).
    expect(p.mesh.zMesh!.calcZ(50, 150)).toBeCloseTo(saddle(50, 150), 9);
    expect(p.out).toContain('// Mesh Bed Leveling Complete');
    expect(p.out.at(-1)).toMatch(/saved to profile \[default\]/);
    // Up at horizontal_move_z after the last point; gcode_move follows the toolhead.
    expect(p.th.getPosition()[2]).toBe(5);
    await p.run('BED_MESH_OUTPUT');
    expect(p.out.at(-1)).toContain('Mesh Leveling Probed Z positions:\n//  0.064000 0.000000 -0.064000');
    expect(p.out.at(-1)).toContain('Mesh X,Y: 7,7');
    expect(p.out.at(-1)).toContain('Mesh Range: min=-0.0640 max=0.0640');
    await p.run('BED_MESH_MAP');
    expect(JSON.parse(p.out.at(-1)!.replace('mesh_map_output ', ''))).toEqual({
      mesh_min: [20, 20],
      mesh_max: [180, 180],
      z_positions: st.probed_matrix,
    });
  });

  it('zero_reference_position makes the mesh 0 there; faulty regions are measured around', async () => {
    const p = await meshPrinter(`${BED_MESH}zero_reference_position: 50, 50\nfaulty_region_1_min: 90, 90\nfaulty_region_1_max: 110, 120\n`);
    const probed = standInProbe(p, (x, y) => 0.001 * x + 0.002 * y);
    await p.run('SET_KINEMATIC_POSITION X=50 Y=50 Z=10\nBED_MESH_CALIBRATE PROFILE=flat');
    // The centre point (100, 100) lies in the region: probed at (100, 90), (100, 120), (90, 100), (110, 100).
    expect(probed.slice(4, 8)).toEqual([
      [100, 90],
      [100, 120],
      [90, 100],
      [110, 100],
    ]);
    // ... and the zero reference last.
    expect(probed.at(-1)).toEqual([50, 50]);
    const m = p.mesh.getStatus().probed_matrix as number[][];
    // Plane minus its value at (50, 50) = .15; the centre is the mean of its stand-ins (.3 + .025 - .15 = .175).
    expect(m[0]!.map((v) => Number(v.toFixed(9)))).toEqual([-0.15, -0.05, 0.05]);
    expect(m[1]![1]).toBeCloseTo((0.28 + 0.34 + 0.29 + 0.31) / 4 - 0.15, 9);
    expect(p.mesh.getStatus().profile_name).toBe('flat');
  });

  it('says what is missing: a probe, manual probing, adaptive meshes, bad overrides', async () => {
    const p = await meshPrinter(BED_MESH);
    await expect(p.run('BED_MESH_CALIBRATE')).rejects.toThrow(/BED_MESH_CALIBRATE needs a Z probe: add a \[probe\] section/);
    await expect(p.run('BED_MESH_CALIBRATE METHOD=manual')).rejects.toThrow(/METHOD=manual is not supported yet/);
    await expect(p.run('BED_MESH_CALIBRATE ADAPTIVE=1')).rejects.toThrow(/ADAPTIVE=1 is not supported yet/);
    standInProbe(p, () => 0, { x: 0, y: 0, z: 6 });
    await expect(p.run('BED_MESH_CALIBRATE')).rejects.toThrow("horizontal_move_z can't be less than probe's z_offset");
    await expect(p.run('BED_MESH_CALIBRATE PROBE_COUNT=7,7')).rejects.toThrow(/at most 6 probe points/);
    await expect(p.run('BED_MESH_OUTPUT')).resolves.toBeUndefined();
    expect(p.out.at(-1)).toBe('// Bed has not been probed');
  });
});

describe('bed mesh profiles through SAVE_CONFIG', () => {
  it('SAVE writes [bed_mesh NAME] into the SAVE_CONFIG block; the next start loads it', async () => {
    const dir = path.join(testOutputDir, 'bed-mesh-profiles', String(process.pid));
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'printer.cfg');
    writeFileSync(file, CARTESIAN + BED_MESH);
    const p = await connectMcu(loadFile(file));
    const out: string[] = [];
    p.gcode.onResponse((_k, t) => out.push(t));
    const bm = p.printer.lookupObject<BedMesh>('bed_mesh');
    await expect(p.gcode.run('BED_MESH_PROFILE SAVE=x')).rejects.toThrow(/no mesh to save/);
    const th = p.printer.lookupObject<{ getPosition(): number[] }>('toolhead');
    p.printer.addObject('probe', {
      xOffsetMm: 0,
      yOffsetMm: 0,
      zOffsetMm: 0,
      runProbe: async () => {
        const [x, y] = th.getPosition() as [number, number];
        return [x, y, saddle(x, y) + 0.0123456789];
      },
    });
    await p.gcode.run('SET_KINEMATIC_POSITION X=50 Y=50 Z=10\nBED_MESH_CALIBRATE\nBED_MESH_PROFILE SAVE=pla\nSAVE_CONFIG');
    expect(out.at(-1)).toMatch(/^\/\/ Saved to .*printer.cfg/);
    const text = readFileSync(file, 'utf8');
    // Klipper's layout: one row per line, six decimals, counts as integers, sizes as floats.
    expect(text).toContain('#*# [bed_mesh pla]\n#*# version = 1\n#*# points =\n#*# \t0.112346, 0.012346, -0.087654\n');
    expect(text).toContain('#*# min_x = 0.0\n#*# max_x = 200.0\n');
    expect(text).toContain('#*# x_count = 3\n');
    expect(text).toContain('#*# algo = lagrange\n#*# tension = 0.2\n');
    expect(text).toContain('#*# [bed_mesh default]');
    const before = bm.getStatus();
    // A new start from the saved file: both profiles listed, none loaded until asked.
    const q = await connectMcu(loadFile(file));
    const bm2 = q.printer.lookupObject<BedMesh>('bed_mesh');
    const after = bm2.getStatus() as { profiles: Record<string, { points: number[][] }>; profile_name: string };
    expect(Object.keys(after.profiles).sort()).toEqual(['default', 'pla']);
    expect(after.profile_name).toBe('');
    expect(after.profiles.pla!.points).toEqual((before.probed_matrix as number[][]).map((r) => r.map((v) => Number(v.toFixed(6)))));
    await q.gcode.run('BED_MESH_PROFILE LOAD=pla');
    expect(bm2.getStatus().profile_name).toBe('pla');
    const m1 = before.mesh_matrix as number[][];
    const m2 = bm2.getStatus().mesh_matrix as number[][];
    m2.forEach((r, j) => r.forEach((v, i) => expect(v).toBeCloseTo(m1[j]![i]!, 6)));
    // REMOVE forgets it now, and SAVE_CONFIG drops its section from the block (the other stays).
    const out2: string[] = [];
    q.gcode.onResponse((_k, t) => out2.push(t));
    await q.gcode.run('BED_MESH_PROFILE REMOVE=pla');
    expect(Object.keys((bm2.getStatus() as { profiles: object }).profiles)).toEqual(['default']);
    expect(out2.at(-1)).toMatch(/Profile \[pla\] removed/);
    expect(q.printer.lookupObject<{ getStatus(): { save_config_pending: boolean } }>('configfile').getStatus().save_config_pending).toBe(true);
    await q.gcode.run('SAVE_CONFIG');
    const saved = readFileSync(file, 'utf8');
    expect(saved).not.toContain('[bed_mesh pla]');
    expect(saved).toContain('#*# [bed_mesh default]');
    const r = await connectMcu(loadFile(file));
    expect(Object.keys((r.printer.lookupObject<BedMesh>('bed_mesh').getStatus() as { profiles: object }).profiles)).toEqual(['default']);
  });
});
