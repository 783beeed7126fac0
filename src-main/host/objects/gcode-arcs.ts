// [gcode_arcs]: G2/G3 arcs cut into straight segments of `resolution` mm, in the plane chosen by
// G17 (XY), G18 (XZ) or G19 (YZ); the third axis moves linearly (helix). I/J/K give the centre
// offset from the start point; R is not supported, as in Klipper.
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import type { GCodeMove } from './gcode-move';
import { GCODE_ARCS_OPTIONS } from './printer-options';

type Plane = [alpha: number, beta: number, helical: number];
const PLANES: Record<string, Plane> = { G17: [0, 1, 2], G18: [0, 2, 1], G19: [1, 2, 0] };
const OFFSET_NAMES = ['I', 'J', 'K'];

export class GCodeArcs {
  readonly resolutionMm: number;
  private plane: Plane = PLANES.G17;

  constructor(
    private readonly printer: Printer,
    gcode: GCodeDispatcher,
    section: ConfigSection,
  ) {
    this.resolutionMm = section.read(GCODE_ARCS_OPTIONS).resolution;
    const params = {
      X: 'end mm',
      Y: 'end mm',
      Z: 'end mm',
      E: 'filament mm',
      F: 'mm/min',
      I: 'centre X offset',
      J: 'centre Y offset',
      K: 'centre Z offset',
    };
    gcode.register('G2', (c) => this.cmdArc(c, true), { help: 'Clockwise arc move', params });
    gcode.register('G3', (c) => this.cmdArc(c, false), { help: 'Counter-clockwise arc move', params });
    for (const name of Object.keys(PLANES))
      gcode.register(name, () => void (this.plane = PLANES[name]), {
        help: `Select arc plane ${name === 'G17' ? 'XY' : name === 'G18' ? 'XZ' : 'YZ'}`,
      });
  }

  private cmdArc(cmd: GCodeCommand, clockwise: boolean): void {
    const gm = this.printer.lookupObject<GCodeMove>('gcode_move');
    if (cmd.has('R')) throw cmd.error('G2/G3 with R is not supported: use I, J or K centre offsets');
    const [a, b, h] = this.plane;
    const cur = gm.gcodePosition();
    const target = [0, 1, 2].map((i) => {
      const name = 'XYZ'[i];
      if (!cmd.has(name)) return cur[i];
      const v = cmd.getFloat(name);
      return gm.absoluteCoord ? v : cur[i] + v;
    });
    const offA = cmd.getFloat(OFFSET_NAMES[a], 0);
    const offB = cmd.getFloat(OFFSET_NAMES[b], 0);
    if (!cmd.has(OFFSET_NAMES[a]) && !cmd.has(OFFSET_NAMES[b])) {
      throw cmd.error(`G2/G3 needs ${OFFSET_NAMES[a]} and/or ${OFFSET_NAMES[b]} centre offsets in this plane`);
    }
    if (cmd.has('F')) {
      const f = cmd.getFloat('F', undefined, { above: 0 });
      gm.speedMmS = f * gm.speedFactor;
    }
    const points = planArc(cur, target, [offA, offB], clockwise, this.plane, this.resolutionMm);
    // Extrusion is shared evenly between the segments.
    let ePerSegment = 0;
    if (cmd.has('E')) {
      const e = cmd.getFloat('E') * gm.extrudeFactor;
      const relative = !(gm.absoluteCoord && gm.absoluteExtrude);
      const eTotal = relative ? e : e + gm.basePosition[3] - gm.lastPosition[3];
      ePerSegment = eTotal / points.length;
    }
    for (const p of points) {
      const last = gm.lastPosition;
      last[a] = p[a] + gm.basePosition[a];
      last[b] = p[b] + gm.basePosition[b];
      last[h] = p[h] + gm.basePosition[h];
      last[3] += ePerSegment;
      gm.moveTo(last, gm.speedMmS, cmd);
    }
  }
}

/** Points (G-code coordinates) along the arc from `start` to `target`; the last is `target`. */
export function planArc(
  start: number[],
  target: number[],
  offset: [number, number],
  clockwise: boolean,
  plane: Plane,
  resolutionMm: number,
): number[][] {
  const [a, b, h] = plane;
  const centerA = start[a] + offset[0];
  const centerB = start[b] + offset[1];
  let rA = -offset[0];
  let rB = -offset[1];
  const tA = target[a] - centerA;
  const tB = target[b] - centerB;
  let angle = Math.atan2(rA * tB - rB * tA, rA * tA + rB * tB);
  if (angle < 0) angle += 2 * Math.PI;
  if (clockwise) angle -= 2 * Math.PI;
  if (angle === 0 && start[a] === target[a] && start[b] === target[b]) angle = clockwise ? -2 * Math.PI : 2 * Math.PI;
  const linear = target[h] - start[h];
  const radius = Math.hypot(rA, rB);
  const flat = radius * angle;
  const travel = linear ? Math.hypot(flat, linear) : Math.abs(flat);
  const segments = Math.max(1, Math.floor(travel / resolutionMm));
  const points: number[][] = [];
  for (let i = 1; i < segments; i++) {
    const theta = (i * angle) / segments;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    rA = -offset[0] * cos + offset[1] * sin;
    rB = -offset[0] * sin - offset[1] * cos;
    const p = [0, 0, 0];
    p[a] = centerA + rA;
    p[b] = centerB + rB;
    p[h] = start[h] + (i * linear) / segments;
    points.push(p);
  }
  points.push(target.slice(0, 3));
  return points;
}
