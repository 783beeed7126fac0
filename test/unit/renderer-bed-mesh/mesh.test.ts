// The bed mesh's display maths and G-code: reading Klipper's status, stats, colours, the vertex grid.
import { describe, expect, it } from 'vitest';
import {
  axisPositionsMm,
  cssColor,
  mapCells,
  heightColor,
  heightRows,
  heightStats,
  homedForCalibrate,
  meshPanelState,
  profileNameProblem,
  profileScript,
  readBedMesh,
  SCALE_STOPS,
  surfaceGrid,
} from '../../../src-renderer/features/bed-mesh/mesh';
import { bedMeshStatus, emptyBedMesh, probed3x4 } from './fixtures';

describe('reading bed_mesh', () => {
  it('reads a loaded mesh with its bounds and profiles (sorted, with point counts and ranges)', () => {
    const m = readBedMesh(bedMeshStatus());
    expect(m.profileName).toBe('default');
    expect(m.probed).toEqual(probed3x4);
    expect(m.minMm).toEqual([10, 20]);
    expect(m.maxMm).toEqual([190, 180]);
    expect(m.profiles.map((p) => [p.name, p.xCount, p.yCount])).toEqual([
      ['default', 3, 4],
      ['pei', 2, 2],
    ]);
    expect(m.profiles[0].rangeMm).toBeCloseTo(0.3, 9);
    expect(m.profiles[1].rangeMm).toBeCloseTo(0.3, 9);
  });

  it("reads Klipper's empty mesh, a missing object and malformed matrices as no mesh", () => {
    for (const obj of [
      emptyBedMesh,
      undefined,
      { ...bedMeshStatus(), probed_matrix: [[1, 2], [3]] },
      { ...bedMeshStatus(), mesh_min: 'x' },
    ]) {
      const m = readBedMesh(obj as Record<string, unknown> | undefined);
      expect(m.probed).toBeNull();
      expect(m.mesh).toBeNull();
      expect(m.minMm).toBeNull();
    }
    expect(
      heightRows([
        [0, 1],
        [0, Number.NaN],
      ]),
    ).toBeNull();
    expect(heightRows([[0, 1]])).toBeNull(); // one row is not a surface
  });

  it('uses the probed points when the interpolated matrix is missing', () => {
    const { mesh_matrix: _, ...rest } = bedMeshStatus();
    expect(readBedMesh(rest).mesh).toEqual(probed3x4);
  });
});

describe('height scale', () => {
  it('finds min, max and range', () => {
    const s = heightStats(probed3x4);
    expect(s.minMm).toBe(-0.1);
    expect(s.maxMm).toBe(0.2);
    expect(s.rangeMm).toBeCloseTo(0.3, 12);
  });

  it('colours the lowest point with the first stop, the highest with the last, and clamps outside', () => {
    expect(heightColor(-0.1, -0.1, 0.2)).toEqual(SCALE_STOPS[0]);
    expect(heightColor(0.2, -0.1, 0.2)).toEqual(SCALE_STOPS[SCALE_STOPS.length - 1]);
    expect(heightColor(-5, -0.1, 0.2)).toEqual(SCALE_STOPS[0]);
    expect(heightColor(5, -0.1, 0.2)).toEqual(SCALE_STOPS[SCALE_STOPS.length - 1]);
    // Halfway is the middle stop; a quarter of the way is the second stop (5 stops).
    heightColor(0.05, -0.1, 0.2).forEach((c, i) => expect(c).toBeCloseTo(SCALE_STOPS[2][i], 9));
    heightColor(-0.025, -0.1, 0.2).forEach((c, i) => expect(c).toBeCloseTo(SCALE_STOPS[1][i], 9));
    // Between stops: a blend, not either end.
    const mid01 = heightColor(-0.0625, -0.1, 0.2);
    mid01.forEach((c, i) => expect(c).toBeCloseTo((SCALE_STOPS[0][i] + SCALE_STOPS[1][i]) / 2, 9));
  });

  it('colours a perfectly flat mesh with the middle colour', () => {
    expect(heightColor(0.1, 0.1, 0.1)).toEqual(SCALE_STOPS[2]);
  });
});

describe('vertex grid', () => {
  it('spaces columns and rows evenly across the mesh bounds', () => {
    expect(axisPositionsMm(10, 190, 3)).toEqual([10, 100, 190]);
    expect(axisPositionsMm(20, 180, 5)).toEqual([20, 60, 100, 140, 180]);
  });

  it('puts each point at its bed X/Y with exaggerated Z, y-major, and two triangles per cell', () => {
    const g = surfaceGrid(probed3x4, [10, 20], [190, 180], 50);
    expect(g.positions.length).toBe(3 * 4 * 3);
    expect(g.colors.length).toBe(3 * 4 * 3);
    const vertex = (x: number, y: number) => Array.from(g.positions.slice((y * 3 + x) * 3, (y * 3 + x) * 3 + 3));
    expect(vertex(0, 0)).toEqual([10, 20, expect.closeTo(-5, 5)]);
    expect(vertex(2, 0)).toEqual([190, 20, expect.closeTo(2.5, 5)]);
    expect(vertex(2, 3)).toEqual([190, 180, expect.closeTo(10, 5)]);
    expect(vertex(1, 2)).toEqual([100, expect.closeTo(20 + (160 * 2) / 3, 3), expect.closeTo(2, 5)]);
    expect(g.indices.length).toBe(2 * 3 * 6);
    expect(Array.from(g.indices.slice(0, 6))).toEqual([0, 1, 4, 0, 4, 3]);
    expect(Math.max(...g.indices)).toBe(11);
    // Colour by true height, whatever the exaggeration: lowest point gets the first stop.
    Array.from(g.colors.slice(0, 3)).forEach((c, i) => expect(c).toBeCloseTo(SCALE_STOPS[0][i], 6));
    expect(surfaceGrid(probed3x4, [10, 20], [190, 180], 1).colors).toEqual(g.colors);
  });
});

describe('commands', () => {
  it('builds BED_MESH_PROFILE commands and refuses names the command line cannot carry', () => {
    expect(profileScript('LOAD', 'default')).toBe('BED_MESH_PROFILE LOAD=default');
    expect(profileScript('SAVE', 'pei-sheet_2.0')).toBe('BED_MESH_PROFILE SAVE=pei-sheet_2.0');
    expect(profileScript('REMOVE', 'old')).toBe('BED_MESH_PROFILE REMOVE=old');
    expect(profileNameProblem('')).toBe('empty');
    expect(profileNameProblem('my sheet')).toBe('chars');
    expect(profileNameProblem('a=b')).toBe('chars');
    expect(() => profileScript('SAVE', 'x\nG28')).toThrow(/letters, digits/);
  });

  it('allows calibrating only with X, Y and Z homed', () => {
    expect(homedForCalibrate('xyz')).toBe(true);
    expect(homedForCalibrate('xy')).toBe(false);
    expect(homedForCalibrate('')).toBe(false);
    expect(homedForCalibrate(undefined)).toBe(false);
  });
});

describe('panel state', () => {
  const mesh = readBedMesh(bedMeshStatus());
  const none = readBedMesh(emptyBedMesh);
  it('says why there is nothing to show, in order', () => {
    expect(meshPanelState({ printerId: null, ready: true, hasBedMesh: true, mesh })).toBe('noPrinter');
    expect(meshPanelState({ printerId: 'p', ready: false, hasBedMesh: true, mesh })).toBe('notReady');
    expect(meshPanelState({ printerId: 'p', ready: true, hasBedMesh: null, mesh })).toBe('loading');
    expect(meshPanelState({ printerId: 'p', ready: true, hasBedMesh: false, mesh })).toBe('noBedMesh');
    expect(meshPanelState({ printerId: 'p', ready: true, hasBedMesh: true, mesh: none })).toBe('noMesh');
    expect(meshPanelState({ printerId: 'p', ready: true, hasBedMesh: true, mesh })).toBe('mesh');
  });
});

describe('top-down map cells', () => {
  it('sizes cells by the point spacing, puts the front row at the bottom and colours by height', () => {
    const m = mapCells(probed3x4, [10, 20], [190, 180]);
    expect(m.cellWidth).toBe(90);
    expect(m.cellHeight).toBeCloseTo(160 / 3, 9);
    expect(m.width).toBe(270);
    expect(m.height).toBeCloseTo(4 * (160 / 3), 9);
    const at = (col: number, row: number) => m.cells.find((c) => c.col === col && c.row === row)!;
    expect(at(0, 0)).toMatchObject({ xMm: 10, yMm: 20, zMm: -0.1, left: 0, color: cssColor(SCALE_STOPS[0]) });
    expect(at(0, 0).top).toBeCloseTo(3 * (160 / 3), 9);
    expect(at(2, 3)).toMatchObject({ xMm: 190, yMm: 180, zMm: 0.2, left: 180, top: 0, color: cssColor(SCALE_STOPS[4]) });
  });
});
