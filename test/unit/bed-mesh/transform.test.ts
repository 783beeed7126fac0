// The mesh applied to moves through gcode_move's transform: segments where the correction
// changes, fade between fade_start and fade_end, positions mapped back for M114/G92.
import { describe, expect, it } from 'vitest';
import { BED_MESH, meshPrinter, TILT_PROFILE } from './helpers';

/** The plane of TILT_PROFILE. */
const tilt = (x: number) => 0.0011 * x;

describe('bed mesh move transform', () => {
  it('without a mesh moves pass through unchanged', async () => {
    const p = await meshPrinter();
    await p.run('SET_KINEMATIC_POSITION X=0 Y=100 Z=1');
    p.moves.length = 0;
    await p.run('G1 X200 F6000');
    expect(p.moves).toEqual([[200, 100, 1, 0]]);
  });

  it('a move across the tilted bed is split where the correction changed by split_delta_z', async () => {
    const p = await meshPrinter();
    await p.run('SET_KINEMATIC_POSITION X=0 Y=100 Z=1\nBED_MESH_PROFILE LOAD=tilt');
    expect(p.mesh.getStatus().profile_name).toBe('tilt');
    p.moves.length = 0;
    await p.run('G1 X200 F6000');
    // Checked every 5 mm; the correction grows .0055 per check: a segment every 5th check
    // (.0275 >= .025), i.e. at x = 25, 50, ... 175, then the end (195 is only .022 on).
    expect(p.moves.map((m) => Number(m[0]!.toFixed(6)))).toEqual([25, 50, 75, 100, 125, 150, 175, 200]);
    for (const [x, y, z] of p.moves) {
      expect(y).toBe(100);
      expect(z).toBeCloseTo(1 + tilt(x!), 9);
    }
    // The G-code position stays what the file said.
    await p.run('M114');
    expect(p.out.at(-1)).toBe('X:200.000 Y:100.000 Z:1.000 E:0.000');
    // A Z-only move gets the correction at its X/Y and no split.
    p.moves.length = 0;
    await p.run('G1 Z2');
    expect(p.moves).toHaveLength(1);
    expect(p.moves[0]![2]).toBeCloseTo(2.22, 9);
  });

  it('a move along Y on the X-tilted bed needs no split', async () => {
    const p = await meshPrinter();
    await p.run('SET_KINEMATIC_POSITION X=100 Y=0 Z=1\nBED_MESH_PROFILE LOAD=tilt');
    // Loading a mesh does not move the head: the G-code Z is now 1 - .11 there.
    await p.run('M114');
    expect(p.out.at(-1)).toBe('X:100.000 Y:0.000 Z:0.890 E:0.000');
    await p.run('G1 Z1');
    p.moves.length = 0;
    await p.run('G1 Y200 F6000');
    expect(p.moves).toHaveLength(1);
    expect(p.moves[0]![2]).toBeCloseTo(1.11, 9);
  });

  it('fades out between fade_start and fade_end towards the mesh average', async () => {
    const p = await meshPrinter(`${BED_MESH}fade_start: 1\nfade_end: 11\n${TILT_PROFILE}`);
    await p.run('SET_KINEMATIC_POSITION X=0 Y=100 Z=0.5\nBED_MESH_PROFILE LOAD=tilt');
    // Average of the plane over the mesh: 0.11.
    const target = 0.11;
    p.moves.length = 0;
    await p.run('G1 X200 Z0.5 F6000');
    expect(p.moves.at(-1)![2]).toBeCloseTo(0.5 + 0.22, 9);
    // Z 6: half-way through the fade: .5 * (.22 - .11) + .11.
    await p.run('G1 Z6');
    expect(p.moves.at(-1)![2]).toBeCloseTo(6 + 0.5 * (0.22 - target) + target, 9);
    await p.run('M114');
    expect(p.out.at(-1)).toBe('X:200.000 Y:100.000 Z:6.000 E:0.000');
    // Above fade_end only the target is added, with no splitting across the bed.
    await p.run('G1 Z12');
    p.moves.length = 0;
    await p.run('G1 X0');
    expect(p.moves).toEqual([[0, 100, 12 + target, 0]]);
    await p.run('M114');
    expect(p.out.at(-1)).toBe('X:0.000 Y:100.000 Z:12.000 E:0.000');
    // Back down into the fade band and at full correction: M114 still reads the G-code Z.
    await p.run('G1 X150 Z3\nM114');
    expect(p.out.at(-1)).toBe('X:150.000 Y:100.000 Z:3.000 E:0.000');
  });

  it('BED_MESH_CLEAR stops correcting; BED_MESH_OFFSET shifts the lookup', async () => {
    const p = await meshPrinter();
    await p.run('SET_KINEMATIC_POSITION X=0 Y=100 Z=1\nBED_MESH_PROFILE LOAD=tilt\nBED_MESH_OFFSET X=20');
    p.moves.length = 0;
    await p.run('G1 X100 Y100 Z1 F6000');
    expect(p.moves.at(-1)![2]).toBeCloseTo(1 + tilt(120), 9);
    await p.run('BED_MESH_CLEAR\nM114');
    // The toolhead still stands at the corrected height: with the mesh gone, G-code Z is that height.
    expect(p.out.at(-1)).toBe(`X:100.000 Y:100.000 Z:${(1 + tilt(120)).toFixed(3)} E:0.000`);
    expect(p.mesh.getStatus()).toMatchObject({ profile_name: '', mesh_matrix: [[]] });
    p.moves.length = 0;
    await p.run('G1 X0 Z1');
    expect(p.moves).toEqual([[0, 100, 1, 0]]);
    await p.run('BED_MESH_OFFSET X=1');
    expect(p.out.at(-1)).toBe('// No mesh loaded to offset');
  });

  it('refuses a mesh reaching beyond the fade distance, and an unknown profile', async () => {
    const p = await meshPrinter(`${BED_MESH}fade_start: 1\nfade_end: 1.2\n${TILT_PROFILE}`);
    await expect(p.run('BED_MESH_PROFILE LOAD=tilt')).rejects.toThrow(/reaches beyond the fade distance 0.20 mm/);
    expect(p.mesh.zMesh).toBeNull();
    await expect(p.run('BED_MESH_PROFILE LOAD=nope')).rejects.toThrow(/Unknown profile \[nope\] \(saved: tilt\)/);
    const q = await meshPrinter(`${BED_MESH}fade_end: 10\nfade_target: 1\n${TILT_PROFILE}`);
    await expect(q.run('BED_MESH_PROFILE LOAD=tilt')).rejects.toThrow(/fade_target 1.0000 lies outside the mesh's Z range/);
  });

  it('a move the toolhead refuses leaves gcode_move where the toolhead is', async () => {
    const p = await meshPrinter();
    await p.run('SET_KINEMATIC_POSITION X=0 Y=100 Z=1\nBED_MESH_PROFILE LOAD=tilt');
    await expect(p.run('G1 X300')).rejects.toThrow(/Move out of range/);
    // The segments inside the range were queued (as in Klipper): G-code X is where they ended.
    const x = p.th.getPosition()[0];
    expect(x).toBeGreaterThan(150);
    expect(x).toBeLessThanOrEqual(200);
    await p.run('M114');
    expect(p.out.at(-1)).toBe(`X:${x.toFixed(3)} Y:100.000 Z:1.000 E:0.000`);
  });
});
