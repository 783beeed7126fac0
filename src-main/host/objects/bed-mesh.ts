// [bed_mesh]: probes a grid of points with the Z probe, refines it into a mesh (bed-mesh-math.ts)
// and adds the bed's height to every G-code move, split into segments wherever the correction
// changes, fading out between fade_start and fade_end. Profiles are saved through SAVE_CONFIG
// as [bed_mesh NAME] sections, as Klipper does.
import { ConfigError } from '../config/errors';
import type { ConfigSection, PrinterConfig } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import {
  effectiveAlgorithm,
  type MeshAlgorithm,
  type MeshParams,
  probedMatrix,
  probeGrid,
  type GridRequest,
  type ProbeGrid,
  ZMesh,
} from './bed-mesh-math';
import {
  BED_MESH_OPTIONS,
  BED_MESH_PROFILE_OPTIONS,
  BED_MESH_RECT_OPTIONS,
  BED_MESH_ROUND_OPTIONS,
  PROFILE_VERSION,
} from './bed-mesh-options';
import type { GCodeMove, MoveTransform } from './gcode-move';
import { probeToolheadPositions, requireProbe } from './bed-mesh-probing';
import { PROBE_OBJECT, type ZProbe } from './probe-api';
import type { SaveConfig } from './save-config';

interface FaultyRegion {
  min: [number, number];
  max: [number, number];
}

interface Profile {
  points: number[][];
  params: MeshParams;
}

/** What BED_MESH_CALIBRATE probes by default (parameters may change it per run). */
interface MeshLayout {
  rect: { min: [number, number]; max: [number, number]; xCount: number; yCount: number } | null;
  round: { radius: number; origin: [number, number]; count: number } | null;
  xPps: number;
  yPps: number;
  algorithm: 'lagrange' | 'bicubic';
  tension: number;
}

/** Fade settings: correction in full below start, none above end (Infinity when fading is off). */
interface Fade {
  startMm: number;
  endMm: number;
  /** fade_target from the config, or undefined for the mesh average. */
  target: number | undefined;
}

export class BedMesh implements MoveTransform {
  private readonly o;
  readonly layout: MeshLayout;
  readonly fade: Fade;
  readonly faultyRegions: FaultyRegion[] = [];
  private readonly profiles = new Map<string, Profile>();
  /** Profiles in printer.cfg written by another format version: named on LOAD. */
  private readonly incompatible = new Map<string, number>();
  private mesh: ZMesh | null = null;
  private profileName = '';
  /** The Z offset the correction converges to above fade_end (0 without a mesh). */
  private fadeTargetMm = 0;
  /** BED_MESH_OFFSET ZFADE: a tool's Z offset, so fading follows the nozzle's real height. */
  private toolZOffsetMm = 0;
  private lastPosition = [0, 0, 0, 0];
  private readonly next: MoveTransform;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    section: ConfigSection,
    config: PrinterConfig,
  ) {
    const o = section.read(BED_MESH_OPTIONS);
    this.o = o;
    this.layout = readLayout(section, o);
    const fadeOn = o.fade_end > o.fade_start;
    this.fade = { startMm: fadeOn ? o.fade_start : Infinity, endMm: fadeOn ? o.fade_end : Infinity, target: o.fade_target };
    this.readFaultyRegions(section);
    if (o.zero_reference_position) {
      const [zx, zy] = o.zero_reference_position as [number, number];
      const [x0, y0, x1, y1] = this.meshBounds();
      if (zx < x0 - 1e-6 || zx > x1 + 1e-6 || zy < y0 - 1e-6 || zy > y1 + 1e-6) {
        throw section.error(
          'zero_reference_position',
          `bed_mesh: zero_reference_position (${zx}, ${zy}) lies outside the mesh (${x0}, ${y0} to ${x1}, ${y1}): pick a point inside it`,
        );
      }
    }
    for (const s of config.withPrefix('bed_mesh ')) this.readProfile(s);
    this.next = printer.lookupObject<GCodeMove>('gcode_move').setMoveTransform(this);

    const reg = (name: string, fn: (c: GCodeCommand) => void | Promise<void>, help: string, params?: Record<string, string>) =>
      gcode.register(name, fn, params ? { help, params } : { help });
    reg('BED_MESH_CALIBRATE', (c) => this.cmdCalibrate(c), 'Perform Mesh Bed Leveling', {
      PROFILE: 'profile name to save the mesh as (default: default)',
      METHOD: 'automatic (manual is not supported yet)',
      MESH_MIN: 'x,y',
      MESH_MAX: 'x,y',
      PROBE_COUNT: 'x,y',
      ALGORITHM: 'lagrange|bicubic',
    });
    reg('BED_MESH_OUTPUT', (c) => this.cmdOutput(c), 'Retrieve interpolated grid of probed points', { PGP: '1 to print the probe points' });
    reg('BED_MESH_MAP', () => this.cmdMap(), 'Serialize mesh and output to terminal');
    reg('BED_MESH_CLEAR', () => this.setMesh(null), 'Clear the Mesh so no z-adjustment is made');
    reg('BED_MESH_PROFILE', (c) => this.cmdProfile(c), 'Bed Mesh Persistent Storage management', {
      LOAD: 'profile name',
      SAVE: 'profile name',
      REMOVE: 'profile name',
    });
    reg('BED_MESH_OFFSET', (c) => this.cmdOffset(c), 'Add X/Y offsets to the mesh lookup', { X: 'mm', Y: 'mm', ZFADE: 'mm' });
  }

  /** The current mesh, or null (tests and other tools read it). */
  get zMesh(): ZMesh | null {
    return this.mesh;
  }

  /** x0, y0, x1, y1 of the configured mesh area. */
  private meshBounds(): [number, number, number, number] {
    const { rect, round } = this.layout;
    if (rect) return [rect.min[0], rect.min[1], rect.max[0], rect.max[1]];
    const {
      radius: r,
      origin: [ox, oy],
    } = round!;
    return [ox - r, oy - r, ox + r, oy + r];
  }

  private readFaultyRegions(section: ConfigSection): void {
    for (let i = 1; i < 100; i++) {
      const minKey = `faulty_region_${i}_min`;
      const maxKey = `faulty_region_${i}_max`;
      if (!section.has(minKey) && !section.has(maxKey)) break;
      const spec = { type: 'floatList', count: 2, doc: '' } as const;
      const a = section.readSpec(minKey, spec) as number[];
      const b = section.readSpec(maxKey, spec) as number[];
      const min: [number, number] = [Math.min(a[0]!, b[0]!), Math.min(a[1]!, b[1]!)];
      const max: [number, number] = [Math.max(a[0]!, b[0]!), Math.max(a[1]!, b[1]!)];
      if (min[0] === max[0] || min[1] === max[1]) {
        throw section.error(minKey, `bed_mesh: faulty_region_${i} has no area (min and max share an X or a Y): give two opposite corners`);
      }
      this.faultyRegions.push({ min, max });
    }
  }

  private readProfile(s: ConfigSection): void {
    const name = s.suffix;
    const version = s.readSpec('version', BED_MESH_PROFILE_OPTIONS.version) as number;
    if (version !== PROFILE_VERSION) {
      // Klipper skips such a profile with a warning; LOAD names the reason.
      for (const k of s.unreadOptions()) s.readSpec(k.name, { type: 'string', doc: '' });
      this.incompatible.set(name, version);
      return;
    }
    const p = s.read(BED_MESH_PROFILE_OPTIONS);
    const rows = p.points
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .map((l) =>
        l
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v !== '')
          .map((v) => {
            const n = Number(v);
            if (!Number.isFinite(n))
              throw s.error('points', `Unable to parse option 'points' in section '${s.name}': '${v}' is not a number`);
            return n;
          }),
      );
    const params: MeshParams = {
      min_x: p.min_x,
      max_x: p.max_x,
      min_y: p.min_y,
      max_y: p.max_y,
      x_count: p.x_count,
      y_count: p.y_count,
      mesh_x_pps: p.mesh_x_pps,
      mesh_y_pps: p.mesh_y_pps,
      algo: p.algo as MeshAlgorithm,
      tension: p.tension,
    };
    try {
      new ZMesh(rows, params);
    } catch (e) {
      throw s.error('points', `${(e as Error).message} (profile [${s.name}]): run BED_MESH_CALIBRATE again or fix the section`);
    }
    this.profiles.set(name, { points: rows, params });
  }

  // ---- the move transform -------------------------------------------------------------------

  /** Share of the mesh correction at G-code height z: 1 below fade_start, 0 from fade_end. */
  private fadeFactor(zMm: number): number {
    const z = zMm + this.toolZOffsetMm;
    if (z >= this.fade.endMm) return 0;
    if (z >= this.fade.startMm) return (this.fade.endMm - z) / (this.fade.endMm - this.fade.startMm);
    return 1;
  }

  /** The Z added at (x, y) for a move whose fade factor is `factor`. */
  private zCorrection(x: number, y: number, factor: number): number {
    const t = this.fadeTargetMm;
    return this.mesh ? factor * (this.mesh.calcZ(x, y) - t) + t : 0;
  }

  getPosition(): number[] {
    const [x, y, zt, e] = this.next.getPosition() as [number, number, number, number];
    const t = this.fadeTargetMm;
    if (!this.mesh) {
      this.lastPosition = [x, y, zt - t, e];
      return this.lastPosition.slice();
    }
    // Invert zt = z + correction(z): try full correction, none, then the fading band.
    const meshZ = this.mesh.calcZ(x, y);
    const o = this.toolZOffsetMm;
    const { startMm: fs, endMm: fe } = this.fade;
    let z = zt - meshZ;
    if (z + o >= fs) {
      z = zt - t;
      if (z + o < fe) {
        const d = fe - fs;
        const a = meshZ - t;
        z = (d * (zt - t) - (fe - o) * a) / (d - a);
      }
    }
    this.lastPosition = [x, y, z, e];
    return this.lastPosition.slice();
  }

  move(pos: number[], speedMmS: number): void {
    const to = pos.slice(0, 4);
    const factor = this.fadeFactor(to[2]!);
    if (!this.mesh || factor === 0) {
      this.next.move([to[0]!, to[1]!, to[2]! + this.fadeTargetMm, to[3]!], speedMmS);
    } else {
      for (const seg of this.segments(this.lastPosition, to, factor)) this.next.move(seg, speedMmS);
    }
    this.lastPosition = to;
  }

  /**
   * The toolhead positions for a G-code move: every move_check_distance along it the correction
   * is looked up, and where it moved split_delta_z or more since the last segment a new segment
   * ends there. The last segment ends at the target with its own correction.
   */
  segments(from: readonly number[], to: readonly number[], factor: number): number[][] {
    const d = [0, 1, 2, 3].map((i) => to[i]! - from[i]!);
    const lengthMm = Math.hypot(d[0]!, d[1]!, d[2]!);
    const out: number[][] = [];
    if (Math.abs(d[0]!) > 1e-10 || Math.abs(d[1]!) > 1e-10) {
      let lastZ = this.zCorrection(from[0]!, from[1]!, factor);
      for (let s = this.o.move_check_distance; s < lengthMm; s += this.o.move_check_distance) {
        const p = from.map((v, i) => v + (d[i]! * s) / lengthMm);
        const z = this.zCorrection(p[0]!, p[1]!, factor);
        if (Math.abs(z - lastZ) >= this.o.split_delta_z) {
          out.push([p[0]!, p[1]!, p[2]! + z, p[3]!]);
          lastZ = z;
        }
      }
    }
    out.push([to[0]!, to[1]!, to[2]! + this.zCorrection(to[0]!, to[1]!, factor), to[3]!]);
    return out;
  }

  // ---- meshes ---------------------------------------------------------------------------------

  /**
   * Makes `mesh` the active mesh (null clears it). With fading on, the fade target must lie in
   * the mesh's Z range and the fade distance must exceed the mesh's largest |Z|.
   */
  setMesh(mesh: ZMesh | null, profileName = ''): void {
    let target = 0;
    if (mesh && this.fade.endMm !== Infinity) {
      const [minZ, maxZ] = mesh.zRange();
      target = this.fade.target ?? mesh.zAverage();
      if (this.fade.target !== undefined && target !== 0 && (target < minZ || target > maxZ)) {
        this.clearMesh();
        throw new Error(
          `bed_mesh: fade_target ${target.toFixed(4)} lies outside the mesh's Z range (min ${minZ.toFixed(4)}, max ${maxZ.toFixed(4)}): change fade_target or re-probe`,
        );
      }
      const fadeDist = this.fade.endMm - this.fade.startMm;
      if (fadeDist <= Math.max(Math.abs(minZ), Math.abs(maxZ))) {
        this.clearMesh();
        throw new Error(
          `bed_mesh: the mesh (min ${minZ.toFixed(4)}, max ${maxZ.toFixed(4)}) reaches beyond the fade distance ${fadeDist.toFixed(2)} mm: raise fade_end or lower fade_start`,
        );
      }
    }
    this.mesh = mesh;
    this.fadeTargetMm = mesh ? target : 0;
    this.profileName = mesh ? profileName : '';
    if (!mesh) this.toolZOffsetMm = 0;
    // gcode_move's position is in the frame before the transform: it changed with the mesh.
    this.printer.lookupObject<GCodeMove>('gcode_move').resetFromToolhead();
  }

  private clearMesh(): void {
    this.mesh = null;
    this.fadeTargetMm = 0;
    this.profileName = '';
    this.printer.lookupObject<GCodeMove>('gcode_move').resetFromToolhead();
  }

  /** The grid BED_MESH_CALIBRATE probes, with the command's overrides. */
  calibrationGrid(cmd: GCodeCommand | null): { grid: ProbeGrid; algo: MeshAlgorithm } {
    const l = this.layout;
    const pair = (name: string, fallback: [number, number]): [number, number] => {
      if (!cmd?.has(name)) return fallback;
      const v = cmd
        .get(name)
        .split(',')
        .map((s) => Number(s.trim()));
      if (v.length === 1 && Number.isFinite(v[0])) return [v[0]!, v[0]!];
      if (v.length !== 2 || !v.every(Number.isFinite)) throw cmd.error(`${name} must be two numbers 'x,y'`);
      return [v[0]!, v[1]!];
    };
    let req: GridRequest;
    if (l.rect) {
      const min = pair('MESH_MIN', l.rect.min);
      const max = pair('MESH_MAX', l.rect.max);
      const [xc, yc] = pair('PROBE_COUNT', [l.rect.xCount, l.rect.yCount]);
      if (!Number.isInteger(xc) || !Number.isInteger(yc) || xc < 3 || yc < 3)
        throw cmd!.error('PROBE_COUNT must be whole numbers of at least 3');
      if (max[0] <= min[0] || max[1] <= min[1]) throw cmd!.error('bed_mesh: MESH_MAX must be above MESH_MIN on both axes');
      req = { minX: min[0], minY: min[1], maxX: max[0], maxY: max[1], xCount: xc, yCount: yc };
    } else {
      const r = l.round!;
      req = {
        minX: -r.radius,
        maxX: r.radius,
        minY: -r.radius,
        maxY: r.radius,
        xCount: r.count,
        yCount: r.count,
        radius: r.radius,
        origin: r.origin,
      };
    }
    const algoName = (cmd?.get('ALGORITHM', l.algorithm) ?? l.algorithm).toLowerCase();
    if (algoName !== 'lagrange' && algoName !== 'bicubic')
      throw cmd!.error(`bed_mesh: unknown ALGORITHM '${algoName}' (use lagrange or bicubic)`);
    try {
      const algo = effectiveAlgorithm(algoName, req.xCount, req.yCount, l.xPps, l.yPps);
      return { grid: probeGrid(req), algo };
    } catch (e) {
      if (cmd) throw cmd.error((e as Error).message);
      throw e;
    }
  }

  /** Where a probe point inside a faulty region is measured instead: the region's edges in its row and column. */
  private substitutes(x: number, y: number, grid: ProbeGrid): [number, number][] | null {
    const r = this.faultyRegions.find((f) => x >= f.min[0] && x <= f.max[0] && y >= f.min[1] && y <= f.max[1]);
    if (!r) return null;
    const inMesh = ([px, py]: [number, number]) =>
      px >= grid.minX - 1e-6 && px <= grid.maxX + 1e-6 && py >= grid.minY - 1e-6 && py <= grid.maxY + 1e-6;
    const inFaulty = ([px, py]: [number, number]) =>
      this.faultyRegions.some((f) => px > f.min[0] && px < f.max[0] && py > f.min[1] && py < f.max[1]);
    const cands: [number, number][] = [
      [x, r.min[1]],
      [x, r.max[1]],
      [r.min[0], y],
      [r.max[0], y],
    ];
    const ok = cands.filter((c) => inMesh(c) && !inFaulty(c));
    return ok.length ? ok : null;
  }

  private async cmdCalibrate(cmd: GCodeCommand): Promise<void> {
    const method = cmd.get('METHOD', 'automatic').toLowerCase();
    if (method === 'manual') throw cmd.error('BED_MESH_CALIBRATE METHOD=manual is not supported yet: use a [probe] and METHOD=automatic');
    if (method !== 'automatic' && method !== 'auto') throw cmd.error(`Unknown METHOD '${method}' (use automatic)`);
    if (cmd.getInt('ADAPTIVE', 0, { minval: 0, maxval: 1 }))
      throw cmd.error('BED_MESH_CALIBRATE ADAPTIVE=1 is not supported yet: leave it out to probe the whole mesh');
    const { grid, algo } = this.calibrationGrid(cmd);
    const probe = requireProbe(this.printer, cmd, { speedMmS: this.o.speed, horizontalMoveZMm: this.o.horizontal_move_z });
    const profile = cmd.get('PROFILE', 'default').trim();
    if (!profile) throw cmd.error('PROFILE must not be empty');
    this.setMesh(null);
    // The list to probe: each mesh point (or its stand-ins in a faulty region), then the zero reference.
    const plan: { at: [number, number]; index: number }[] = [];
    grid.points.forEach((pt, index) => {
      for (const at of this.substitutes(pt[0], pt[1], grid) ?? [pt]) plan.push({ at, index });
    });
    const zeroRef = this.o.zero_reference_position as [number, number] | undefined;
    const zeroRefAt = zeroRef ? grid.points.findIndex(([x, y]) => Math.abs(x - zeroRef[0]) < 0.1 && Math.abs(y - zeroRef[1]) < 0.1) : -1;
    if (zeroRef && zeroRefAt < 0) plan.push({ at: zeroRef, index: -1 });

    const zs0 = await probeToolheadPositions(
      this.printer,
      probe,
      plan.map(({ at }) => [at[0] - probe.xOffsetMm, at[1] - probe.yOffsetMm] as const),
      { speedMmS: this.o.speed, horizontalMoveZMm: this.o.horizontal_move_z },
      cmd,
    );
    // Points measured through stand-ins (faulty regions) take their average.
    const sums = new Array<number>(grid.points.length).fill(0);
    const counts = new Array<number>(grid.points.length).fill(0);
    let zeroRefZ = 0;
    plan.forEach(({ index }, k) => {
      if (index < 0) zeroRefZ = zs0[k]!;
      else {
        sums[index]! += zs0[k]!;
        counts[index]! += 1;
      }
    });
    const zs = sums.map((s, i) => s / counts[i]!);
    if (zeroRef) zeroRefZ = zeroRefAt >= 0 ? zs[zeroRefAt]! : zeroRefZ;
    const matrix = probedMatrix(grid, zs).map((r) => r.map((v) => v - zeroRefZ));
    const mesh = new ZMesh(matrix, this.paramsOf(grid, algo));
    try {
      this.setMesh(mesh, profile);
    } catch (e) {
      throw cmd.error((e as Error).message);
    }
    this.gcode.respondInfo('Mesh Bed Leveling Complete');
    this.saveProfile(profile);
  }

  private paramsOf(grid: ProbeGrid, algo: MeshAlgorithm): MeshParams {
    return {
      min_x: grid.minX,
      max_x: grid.maxX,
      min_y: grid.minY,
      max_y: grid.maxY,
      x_count: grid.xCount,
      y_count: grid.yCount,
      mesh_x_pps: this.layout.xPps,
      mesh_y_pps: this.layout.yPps,
      algo,
      tension: this.layout.tension,
    };
  }

  // ---- reports and profiles -----------------------------------------------------------------

  private cmdOutput(cmd: GCodeCommand): void {
    if (cmd.getInt('PGP', 0)) {
      const { grid } = this.calibrationGrid(null);
      const lines = grid.points.map(([x, y], i) => {
        const probe = this.printer.lookupObjectOrNull<ZProbe>(PROBE_OBJECT);
        const [ox, oy] = probe ? [probe.xOffsetMm, probe.yOffsetMm] : [0, 0];
        return `${i} | (${(x - ox).toFixed(1)}, ${(y - oy).toFixed(1)}) | (${x.toFixed(1)}, ${y.toFixed(1)})`;
      });
      this.gcode.respondInfo(`Generated Points\nIndex | Tool Adjusted | Probe\n${lines.join('\n')}`);
      return;
    }
    const m = this.mesh;
    if (!m) {
      this.gcode.respondInfo('Bed has not been probed');
      return;
    }
    const probed = m.probed.map((r) => r.map((v) => ` ${v.toFixed(6)}`).join('')).join('\n');
    const [lo, hi] = m.zRange();
    const rows: string[] = [];
    for (let j = m.meshYCount - 1; j >= 0; j--) rows.push(m.matrix[j]!.map((v) => `  ${v.toFixed(6)}`).join(''));
    this.gcode.respondInfo(
      [
        `Mesh Leveling Probed Z positions:\n${probed}`,
        `Mesh X,Y: ${m.meshXCount},${m.meshYCount}`,
        `Search Height: ${Math.trunc(this.o.horizontal_move_z)}`,
        `Mesh Offsets: X=${m.offsetsMm[0].toFixed(4)}, Y=${m.offsetsMm[1].toFixed(4)}`,
        `Mesh Average: ${m.zAverage().toFixed(2)}`,
        `Mesh Range: min=${lo.toFixed(4)} max=${hi.toFixed(4)}`,
        `Interpolation Algorithm: ${m.params.algo}`,
        `Measured points:\n${rows.join('\n')}`,
      ].join('\n'),
    );
  }

  private cmdMap(): void {
    const m = this.mesh;
    if (!m) {
      this.gcode.respondInfo('Bed has not been probed');
      return;
    }
    const out = { mesh_min: [m.params.min_x, m.params.min_y], mesh_max: [m.params.max_x, m.params.max_y], z_positions: m.probed };
    this.gcode.respondRaw(`mesh_map_output ${JSON.stringify(out)}`);
  }

  private cmdOffset(cmd: GCodeCommand): void {
    if (!this.mesh) {
      this.gcode.respondInfo('No mesh loaded to offset');
      return;
    }
    if (cmd.has('X')) this.mesh.offsetsMm[0] = cmd.getFloat('X');
    if (cmd.has('Y')) this.mesh.offsetsMm[1] = cmd.getFloat('Y');
    if (cmd.has('ZFADE')) this.toolZOffsetMm = cmd.getFloat('ZFADE');
    this.printer.lookupObject<GCodeMove>('gcode_move').resetFromToolhead();
  }

  private cmdProfile(cmd: GCodeCommand): void {
    const action = (['LOAD', 'SAVE', 'REMOVE'] as const).find((a) => cmd.has(a));
    if (!action) {
      this.gcode.respondInfo('Invalid syntax: use BED_MESH_PROFILE LOAD=<name>, SAVE=<name> or REMOVE=<name>');
      return;
    }
    const name = cmd.get(action).trim();
    if (!name) throw cmd.error(`${action} needs a profile name`);
    if (action === 'SAVE') {
      if (!this.mesh) throw cmd.error('bed_mesh: no mesh to save: run BED_MESH_CALIBRATE or BED_MESH_PROFILE LOAD first');
      this.saveProfile(name);
    } else if (action === 'LOAD') {
      const p = this.profiles.get(name);
      if (!p) {
        const v = this.incompatible.get(name);
        if (v !== undefined) {
          throw cmd.error(
            `bed_mesh: profile [${name}] was saved in format version ${v}, this host reads version ${PROFILE_VERSION}: run BED_MESH_CALIBRATE PROFILE=${name} again`,
          );
        }
        throw cmd.error(`bed_mesh: Unknown profile [${name}] (saved: ${[...this.profiles.keys()].join(', ') || 'none'})`);
      }
      try {
        this.setMesh(new ZMesh(p.points, p.params), name);
      } catch (e) {
        throw cmd.error((e as Error).message);
      }
    } else {
      if (!this.profiles.delete(name)) {
        this.gcode.respondInfo(`No profile named [${name}] to remove`);
        return;
      }
      this.printer.lookupObject<SaveConfig>('configfile').removeSection(`bed_mesh ${name}`);
      this.gcode.respondInfo(
        `Profile [${name}] removed from storage for this session.\nThe SAVE_CONFIG command will update the printer configuration and restart the printer`,
      );
    }
  }

  /** Keeps the current mesh as profile `name` and queues it for SAVE_CONFIG. */
  saveProfile(name: string): void {
    const m = this.mesh!;
    const points = m.probed.map((r) => r.slice());
    this.profiles.set(name, { points, params: { ...m.params } });
    this.profileName = name;
    const cf = this.printer.lookupObject<SaveConfig>('configfile');
    const section = `bed_mesh ${name}`;
    cf.set(section, 'version', String(PROFILE_VERSION));
    cf.set(section, 'points', `\n${points.map((r) => r.map((v) => v.toFixed(6)).join(', ')).join('\n')}`);
    for (const [k, v] of Object.entries(m.params)) cf.set(section, k, typeof v === 'number' ? pythonNumber(v, k) : v);
    this.gcode.respondInfo(
      `Bed Mesh state has been saved to profile [${name}]\nfor the current session.  The SAVE_CONFIG command will\nupdate the printer config file and restart the printer.`,
    );
  }

  getStatus(): Record<string, unknown> {
    const m = this.mesh;
    const profiles: Record<string, unknown> = {};
    for (const [n, p] of this.profiles) profiles[n] = { points: p.points, mesh_params: { ...p.params } };
    return {
      profile_name: this.profileName,
      mesh_min: m ? [m.params.min_x, m.params.min_y] : [0, 0],
      mesh_max: m ? [m.params.max_x, m.params.max_y] : [0, 0],
      probed_matrix: m ? m.probed.map((r) => r.slice()) : [[]],
      mesh_matrix: m ? m.matrix.map((r) => r.slice()) : [[]],
      profiles,
    };
  }
}

/** Counts as integers, other numbers with a decimal point (the way Klipper's saved profiles read). */
function pythonNumber(v: number, key: string): string {
  if (/count|pps/.test(key)) return String(Math.round(v));
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}

function readLayout(section: ConfigSection, o: { mesh_pps: number[]; algorithm: string; bicubic_tension: number }): MeshLayout {
  const pair = (name: string, v: number[], integer: boolean): [number, number] => {
    if (v.length !== 1 && v.length !== 2)
      throw section.error(name, `Option '${name}' in section 'bed_mesh' must have 1 or 2 values (x, y)`);
    if (integer && !v.every(Number.isInteger)) throw section.error(name, `Option '${name}' in section 'bed_mesh' must be whole numbers`);
    return [v[0]!, v[v.length - 1]!];
  };
  const [xPps, yPps] = pair('mesh_pps', o.mesh_pps, true);
  const radius = section.readSpec('mesh_radius', BED_MESH_ROUND_OPTIONS.mesh_radius) as number | undefined;
  let rect: MeshLayout['rect'] = null;
  let round: MeshLayout['round'] = null;
  let xCount: number;
  let yCount: number;
  if (radius !== undefined) {
    const r = section.read({
      mesh_origin: BED_MESH_ROUND_OPTIONS.mesh_origin,
      round_probe_count: BED_MESH_ROUND_OPTIONS.round_probe_count,
    });
    if (r.round_probe_count % 2 === 0) throw section.error('round_probe_count', 'bed_mesh: probe_count must be odd for round beds');
    round = { radius, origin: r.mesh_origin as [number, number], count: r.round_probe_count };
    xCount = yCount = r.round_probe_count;
  } else {
    const r = section.read(BED_MESH_RECT_OPTIONS);
    const [minX, minY] = r.mesh_min as [number, number];
    const [maxX, maxY] = r.mesh_max as [number, number];
    if (maxX <= minX || maxY <= minY) {
      throw section.error(
        'mesh_max',
        `bed_mesh: invalid min/max points: mesh_max (${maxX}, ${maxY}) must be above mesh_min (${minX}, ${minY}) on both axes`,
      );
    }
    [xCount, yCount] = pair('probe_count', r.probe_count, true);
    rect = { min: [minX, minY], max: [maxX, maxY], xCount, yCount };
  }
  const algorithm = o.algorithm as 'lagrange' | 'bicubic';
  try {
    effectiveAlgorithm(algorithm, xCount, yCount, xPps, yPps);
    // The spacing check (points at least 1 mm apart) belongs to the config too.
    if (rect) probeGrid({ minX: rect.min[0], minY: rect.min[1], maxX: rect.max[0], maxY: rect.max[1], xCount, yCount });
    else
      probeGrid({
        minX: -round!.radius,
        maxX: round!.radius,
        minY: -round!.radius,
        maxY: round!.radius,
        xCount,
        yCount,
        radius: round!.radius,
      });
  } catch (e) {
    throw section.error(rect ? 'probe_count' : 'round_probe_count', (e as Error).message);
  }
  return { rect, round, xPps, yPps, algorithm, tension: o.bicubic_tension };
}

/** [bed_mesh NAME] without [bed_mesh]: the profile has nothing to load it. */
export function orphanProfileError(section: ConfigSection): ConfigError {
  return new ConfigError(
    `[${section.name}] is a saved bed mesh profile, but printer.cfg has no [bed_mesh] section to use it: add [bed_mesh] or delete this section`,
    section.place,
  );
}
