import { describe, expect, it } from 'vitest';
import type { Toolhead } from '../../../src-main/host/motion/index';
import { planArc } from '../../../src-main/host/objects/gcode-arcs';
import { CARTESIAN, connectMcu, loadText } from '../objects/load-helpers';

/** A loaded, MCU-configured (file output) cartesian printer. */
async function printer(extra = '') {
  const p = await connectMcu(loadText(CARTESIAN + extra));
  const out: string[] = [];
  p.gcode.onResponse((_k, t) => out.push(t));
  const th = p.printer.lookupObject<Toolhead>('toolhead');
  const run = (script: string) => p.gcode.run(script);
  const pos = () => Array.from(th.getPosition()).map((v) => Math.round(v * 1e6) / 1e6);
  return { ...p, out, th, run, pos };
}

describe('gcode_move', () => {
  it('refuses moves before the position is known, and after SET_KINEMATIC_POSITION moves', async () => {
    const p = await printer();
    await expect(p.run('G1 X10')).rejects.toThrow(/Must home axis first/);
    await p.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=0.5');
    await p.run('G1 X10 Y20 F6000');
    expect(p.pos()).toEqual([10, 20, 0.5, 0]);
  });

  it('handles absolute/relative moves, G92 offsets and extrusion modes', async () => {
    const p = await printer();
    await p.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=0');
    await p.run('G91\nG1 X5 Y5 F3000\nG1 X5');
    expect(p.pos().slice(0, 2)).toEqual([10, 5]);
    await p.run('G90\nG92 X0\nG1 X5');
    expect(p.pos()[0]).toBe(15);
    await p.run('M83\nG1 X35 E1\nG1 X55 E1');
    expect(p.pos()[3]).toBe(2);
    await p.run('M82\nG92 E0\nG1 X85 E1.5');
    expect(p.pos()[3]).toBe(3.5);
    // G91 makes E relative too, even in M82.
    await p.run('G91\nG1 E1\nG90');
    expect(p.pos()[3]).toBe(4.5);
    await p.run('M114');
    expect(p.out.at(-1)).toBe('X:85.000 Y:5.000 Z:0.000 E:2.500');
  });

  it('reports out-of-range moves with Klipper words and the line', async () => {
    const p = await printer();
    await p.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=1');
    await expect(p.run('G1 X250 Y10')).rejects.toThrow("Move out of range: 250.000 10.000 1.000 [0.000] in 'G1 X250 Y10'");
    // The position did not change, so a valid move still starts from there.
    await p.run('G1 X1');
    expect(p.pos()[0]).toBe(1);
  });

  it('rejects bad parameters clearly', async () => {
    const p = await printer();
    await p.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=1');
    await expect(p.run('G1 X1-2')).rejects.toThrow("Unable to parse move: X='1-2' is not a number in 'G1 X1-2'");
    await expect(p.run('G1 X1 F0')).rejects.toThrow("Invalid speed F='0'");
    await expect(p.run('M220 S0')).rejects.toThrow('S must be above 0');
    await expect(p.run('M204')).rejects.toThrow('Invalid M204 command');
    await expect(p.run('G10')).rejects.toThrow('[firmware_retraction]');
    await expect(p.run('G2 X10 I5')).rejects.toThrow('Unknown command: "G2"');
    await expect(p.run('RESTORE_GCODE_STATE NAME=nope')).rejects.toThrow('Unknown g-code state: nope');
  });

  it('applies M220 speed and M221 extrusion factors', async () => {
    const p = await printer();
    await p.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=1\nM83\nG1 X20 F600');
    const gm = p.printer.lookupObject<{ speedMmS: number }>('gcode_move');
    expect(gm.speedMmS).toBeCloseTo(10);
    await p.run('M220 S50');
    expect(gm.speedMmS).toBeCloseTo(5);
    await p.run('M221 S200\nG1 X80 E1');
    expect(p.pos()[3]).toBeCloseTo(2);
    await p.run('M114');
    expect(p.out.at(-1)).toBe('X:80.000 Y:0.000 Z:1.000 E:1.000');
  });

  it('sets velocity limits with M204 and SET_VELOCITY_LIMIT', async () => {
    const p = await printer();
    await p.run('M204 S1500');
    expect(p.th.getVelocityLimits().maxAccelMmS2).toBe(1500);
    await p.run('M204 P800 T1200');
    expect(p.th.getVelocityLimits().maxAccelMmS2).toBe(800);
    await p.run('SET_VELOCITY_LIMIT VELOCITY=120 SQUARE_CORNER_VELOCITY=3 MINIMUM_CRUISE_RATIO=0.3');
    expect(p.th.getVelocityLimits()).toMatchObject({ maxVelocityMmS: 120, squareCornerVelocityMmS: 3, minimumCruiseRatio: 0.3 });
    expect(p.out.at(-1)).toContain('max_velocity: 120.000000');
    await expect(p.run('SET_VELOCITY_LIMIT MINIMUM_CRUISE_RATIO=1')).rejects.toThrow('MINIMUM_CRUISE_RATIO must be below 1');
  });

  it('reports positions with GET_POSITION', async () => {
    const p = await printer();
    await p.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=1\nG1 X10 Y5 F6000\nM400\nG92 X0\nGET_POSITION');
    const text = p.out.at(-1) ?? '';
    // Klipper's lines: the MCU and stepper positions of the axis steppers, then the kinematic and
    // toolhead positions, the G-code position in toolhead coordinates and the G92 base.
    expect(text).toContain('// mcu: stepper_x:800 stepper_y:400 stepper_z:0\n');
    expect(text).toContain('// stepper: stepper_x:10.000000 stepper_y:5.000000 stepper_z:1.000000');
    expect(text).toContain('// kinematic: X:10.000000 Y:5.000000 Z:1.000000');
    expect(text).toContain('// toolhead: X:10.000000 Y:5.000000 Z:1.000000 E:0.000000');
    expect(text).toContain('// gcode: X:10.000000 Y:5.000000 Z:1.000000 E:0.000000');
    expect(text).toContain('// gcode base: X:10.000000 Y:0.000000');
  });

  it('offsets with SET_GCODE_OFFSET and restores saved states', async () => {
    const p = await printer();
    await p.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=1\nG1 X10 Y10 Z1 F3000');
    await p.run('SET_GCODE_OFFSET Z=0.2');
    await p.run('G1 Z1');
    expect(p.pos()[2]).toBeCloseTo(1.2);
    await p.run('SET_GCODE_OFFSET Z_ADJUST=-0.1 MOVE=1');
    expect(p.pos()[2]).toBeCloseTo(1.1);
    await p.run('SAVE_GCODE_STATE NAME=s1\nG91\nG1 X5\nSET_GCODE_OFFSET Z=0');
    await p.run('RESTORE_GCODE_STATE NAME=s1 MOVE=1');
    expect(
      p
        .pos()
        .slice(0, 3)
        .map((v) => Math.round(v * 1000) / 1000),
    ).toEqual([10, 10, 1.1]);
    // Restored G90: an absolute move lands with the saved offset.
    await p.run('G1 Z2');
    expect(p.pos()[2]).toBeCloseTo(2.1);
  });

  it('draws G2/G3 arcs in segments of the configured resolution', async () => {
    const p = await printer('\n[gcode_arcs]\nresolution: 0.5\n');
    await p.run('SET_KINEMATIC_POSITION X=50 Y=50 Z=1\nM83');
    await p.run('G2 X60 Y50 I5 J0 E2 F3000');
    expect(p.pos().map((v) => Math.round(v * 1000) / 1000)).toEqual([60, 50, 1, 2]);
    await p.run('G3 X60 Y50 I-5 J0');
    expect(
      p
        .pos()
        .slice(0, 2)
        .map((v) => Math.round(v * 1000) / 1000),
    ).toEqual([60, 50]);
    await expect(p.run('G2 X1 Y1 R5')).rejects.toThrow('G2/G3 with R is not supported');
  });
});

describe('plain-move fast path (print files)', () => {
  it('moves exactly as the generic G1 path and reports the same errors', async () => {
    const script = [
      'SET_KINEMATIC_POSITION X=0 Y=0 Z=1',
      'M83',
      'G1 X10 Y10 F6000',
      'G1 X30 E0.5 ; comment',
      'g1 y40 e.2',
      'G91',
      'G0 X5 Y-5 Z0.2',
      'G90',
      'G1 X60 F3000',
      'G1',
    ];
    const slow = await printer();
    const fast = await printer();
    await slow.run(script.join('\n'));
    for (const line of script) await fast.gcode.runLineDirect(line);
    expect(fast.pos()).toEqual(slow.pos());
    expect(fast.pos()).toEqual([60, 35, 1.2, 0.7]);
    for (const bad of ['G1 X1 F0', 'G1 X500', 'G1 X1-2', 'G1 X1 F-']) {
      const slowErr = await slow.run(bad).catch((e: Error) => e.message);
      let fastErr = '';
      try {
        await fast.gcode.runLineDirect(bad);
      } catch (e) {
        fastErr = (e as Error).message;
      }
      expect(fastErr, bad).toBe(slowErr);
    }
    expect(fast.pos()).toEqual(slow.pos());
  });
});

describe('planArc', () => {
  it('cuts a half circle into resolution-long segments on the circle', () => {
    const pts = planArc([0, 0, 0], [10, 0, 0], [5, 0], true, [0, 1, 2], 1);
    // Half circle of radius 5: 15.7 mm -> 15 segments.
    expect(pts.length).toBe(15);
    for (const p of pts) expect(Math.hypot(p[0] - 5, p[1])).toBeCloseTo(5, 9);
    // Clockwise from (0,0) around (5,0) passes through the top (y > 0).
    expect(pts[7][1]).toBeGreaterThan(4.9);
    expect(pts.at(-1)).toEqual([10, 0, 0]);
  });
  it('makes a full circle when start and end are the same, and a helix with Z', () => {
    const pts = planArc([0, 0, 0], [0, 0, 2], [5, 0], false, [0, 1, 2], 1);
    expect(pts.length).toBe(Math.floor(Math.hypot(2 * Math.PI * 5, 2)));
    expect(pts[Math.floor(pts.length / 4)][1]).toBeLessThan(-4.9); // counter-clockwise from the left goes down first
    expect(pts[9][2]).toBeCloseTo((10 * 2) / pts.length, 9);
  });
});
