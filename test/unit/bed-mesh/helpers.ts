// A batch-mode cartesian printer with [bed_mesh] (no serial port), and a stand-in for the
// ZProbe interface where the real [probe] is not the subject: it reports the trigger height
// of a given bed surface at the toolhead's X/Y, as the interface promises.
import type { Toolhead } from '../../../src-main/host/motion/index';
import type { BedMesh } from '../../../src-main/host/objects/bed-mesh';
import type { ZProbe } from '../../../src-main/host/objects/probe-api';
import { CARTESIAN, connectMcu, loadText, type LoadedPrinter } from '../objects/load-helpers';

export const BED_MESH = `
[bed_mesh]
speed: 100
horizontal_move_z: 5
mesh_min: 0, 0
mesh_max: 200, 200
probe_count: 3, 3
`;

/** A 3x3 direct profile of the plane z = 0.0011 x over 0..200 (exact under bilinear lookup). */
export const TILT_PROFILE = `
[bed_mesh tilt]
version = 1
points =
  0.000000, 0.110000, 0.220000
  0.000000, 0.110000, 0.220000
  0.000000, 0.110000, 0.220000
x_count = 3
y_count = 3
mesh_x_pps = 0
mesh_y_pps = 0
algo = direct
tension = 0.2
min_x = 0.0
max_x = 200.0
min_y = 0.0
max_y = 200.0
`;

export interface MeshPrinter extends LoadedPrinter {
  th: Toolhead;
  mesh: BedMesh;
  out: string[];
  run(script: string): Promise<void>;
  /** Toolhead targets of every move from now on. */
  moves: number[][];
}

export async function meshPrinter(extra = BED_MESH + TILT_PROFILE): Promise<MeshPrinter> {
  const p = await connectMcu(loadText(CARTESIAN + extra));
  const th = p.printer.lookupObject<Toolhead>('toolhead');
  const out: string[] = [];
  p.gcode.onResponse((_k, t) => out.push(t));
  const moves: number[][] = [];
  // Observe what reaches the real toolhead (the mesh's output), then let it plan the move.
  const move = th.move.bind(th);
  th.move = (pos, speed) => {
    moves.push(Array.from(pos));
    move(pos, speed);
  };
  return {
    ...p,
    th,
    out,
    moves, // Null when the config has no [bed_mesh] (the screw tools' tests).
    mesh: p.printer.lookupObjectOrNull<BedMesh>('bed_mesh')!,
    run: (s) => p.gcode.run(s),
  };
}

/** Registers a probe over `surface` (bed Z at probe X/Y) with the given offsets; returns where it probed. */
export function standInProbe(p: MeshPrinter, surface: (x: number, y: number) => number, offsets = { x: 0, y: 0, z: 0 }): number[][] {
  const probed: number[][] = [];
  const probe: ZProbe = {
    xOffsetMm: offsets.x,
    yOffsetMm: offsets.y,
    zOffsetMm: offsets.z,
    runProbe: async () => {
      const [x, y] = p.th.getPosition();
      probed.push([x, y]);
      // The nozzle is z_offset above the bed when the probe triggers.
      return [x, y, surface(x + offsets.x, y + offsets.y) + offsets.z];
    },
  };
  p.printer.addObject('probe', probe);
  return probed;
}
