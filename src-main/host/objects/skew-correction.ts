// [skew_correction]: corrects every G-code move for axes that are not square. A calibration
// print (a parallelogram ABCD) gives the diagonals AC, BD and the side AD; the parallelogram
// law (AC^2 + BD^2 = 2 AB^2 + 2 AD^2) gives the side AB, the law of cosines the angle at A,
// and the skew factor is tan(90 deg - A): how far (mm) the second axis leans per mm along it.
// Moves are corrected as y' = y - z*yz, x' = x - y'*xy - z*xz (the inverse on the way back).
// SET_SKEW sets the factors (from lengths or CLEAR), SKEW_PROFILE LOAD/SAVE/REMOVE keeps them in
// [skew_correction NAME] sections for SAVE_CONFIG, GET_CURRENT_SKEW and CALC_MEASURED_SKEW report.
import type { ConfigSection, PrinterConfig } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import type { GCodeMove, MoveTransform } from './gcode-move';
import type { SaveConfig } from './save-config';
import { SKEW_PROFILE_OPTIONS } from './skew-correction-options';

export interface Skew {
  xy: number;
  xz: number;
  yz: number;
}

const PLANES = ['xy', 'xz', 'yz'] as const;

/**
 * The skew factor from a parallelogram's measured diagonals AC, BD and side AD (mm); throws
 * when the lengths make no parallelogram.
 */
export function skewFactor(ac: number, bd: number, ad: number): number {
  const ab2 = (ac * ac + bd * bd) / 2 - ad * ad;
  if (!(ac > 0 && bd > 0 && ad > 0) || !(ab2 > 0)) throw new Error(`lengths AC=${ac} BD=${bd} AD=${ad} make no parallelogram`);
  const ab = Math.sqrt(ab2);
  const cosA = (ac * ac - ab2 - ad * ad) / (2 * ab * ad);
  if (Math.abs(cosA) >= 1) throw new Error(`lengths AC=${ac} BD=${bd} AD=${ad} make no parallelogram`);
  return Math.tan(Math.PI / 2 - Math.acos(cosA));
}

/** Where the machine must go so the print lands at `pos` (x, y, z, ...). */
export function skewPosition(s: Skew, pos: readonly number[]): number[] {
  const [x, y, z] = pos as [number, number, number];
  const ys = y - z * s.yz;
  return [x - ys * s.xy - z * s.xz, ys, z, ...pos.slice(3)];
}

/** The inverse of skewPosition. */
export function unskewPosition(s: Skew, pos: readonly number[]): number[] {
  const [x, y, z] = pos as [number, number, number];
  return [x + y * s.xy + z * s.xz, y + z * s.yz, z, ...pos.slice(3)];
}

/** The skew angle (degrees) a factor stands for: how far the axes are from square. */
const angleDeg = (factor: number) => (Math.atan(factor) * 180) / Math.PI;

export class SkewCorrection implements MoveTransform {
  private skew: Skew = { xy: 0, xz: 0, yz: 0 };
  private readonly profiles = new Map<string, Skew>();
  private readonly next: MoveTransform;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    section: ConfigSection,
    config: PrinterConfig,
  ) {
    for (const s of config.withPrefix(`${section.name} `)) {
      const o = s.read(SKEW_PROFILE_OPTIONS);
      this.profiles.set(s.name.slice(section.name.length + 1), { xy: o.xy_skew, xz: o.xz_skew, yz: o.yz_skew });
    }
    // Forced: skew works with [bed_mesh] (the mesh then sees where the nozzle really goes).
    this.next = printer.lookupObject<GCodeMove>('gcode_move').setMoveTransform(this, true);
    gcode.register('SET_SKEW', (c) => this.cmdSetSkew(c), {
      help: 'Set the skew from measured lengths of a calibration print',
      params: { XY: 'AC,BD,AD (mm)', XZ: 'AC,BD,AD (mm)', YZ: 'AC,BD,AD (mm)', CLEAR: '1: no skew' },
    });
    gcode.register('GET_CURRENT_SKEW', () => this.cmdGetCurrentSkew(), { help: 'Report the current printer skew' });
    gcode.register('CALC_MEASURED_SKEW', (c) => this.cmdCalcMeasuredSkew(c), {
      help: 'Calculate the skew from measured print (does not set it)',
      params: { AC: 'mm', BD: 'mm', AD: 'mm' },
    });
    gcode.register('SKEW_PROFILE', (c) => this.cmdSkewProfile(c), {
      help: 'Profile management for skew_correction',
      params: { LOAD: 'name', SAVE: 'name', REMOVE: 'name' },
    });
  }

  get current(): Skew {
    return { ...this.skew };
  }

  getPosition(): number[] {
    return unskewPosition(this.skew, this.next.getPosition());
  }

  move(pos: number[], speedMmS: number): void {
    this.next.move(skewPosition(this.skew, pos), speedMmS);
  }

  private setSkew(s: Skew): void {
    this.skew = { ...s };
    // The G-code position follows the new correction (the toolhead does not move).
    this.printer.lookupObject<GCodeMove>('gcode_move').resetFromToolhead();
  }

  private lengths(cmd: GCodeCommand, param: string): [number, number, number] {
    const parts = cmd
      .get(param)
      .split(',')
      .map((v) => Number(v.trim()));
    if (parts.length !== 3 || parts.some((v) => !Number.isFinite(v) || v <= 0)) {
      throw cmd.error(
        `${cmd.command}: ${param} must be three lengths AC,BD,AD in mm (e.g. ${param}=140.4,142.8,99.8), not '${cmd.get(param)}'`,
      );
    }
    return parts as [number, number, number];
  }

  private factorOf(cmd: GCodeCommand, lengths: [number, number, number]): number {
    try {
      return skewFactor(...lengths);
    } catch (e) {
      throw cmd.error(`${cmd.command}: ${(e as Error).message}`);
    }
  }

  private cmdSetSkew(cmd: GCodeCommand): void {
    if (cmd.getInt('CLEAR', 0, { minval: 0, maxval: 1 })) {
      this.setSkew({ xy: 0, xz: 0, yz: 0 });
      return;
    }
    const next = { ...this.skew };
    for (const plane of PLANES) {
      const key = plane.toUpperCase();
      if (cmd.has(key)) next[plane] = this.factorOf(cmd, this.lengths(cmd, key));
    }
    this.setSkew(next);
  }

  private cmdGetCurrentSkew(): void {
    const lines = PLANES.map(
      (p) => `${p.toUpperCase()} skew: factor ${this.skew[p].toFixed(6)}, ${angleDeg(this.skew[p]).toFixed(4)} degrees from square`,
    );
    this.gcode.respondInfo(`Current printer skew:\n${lines.join('\n')}`);
  }

  private cmdCalcMeasuredSkew(cmd: GCodeCommand): void {
    const lengths = (['AC', 'BD', 'AD'] as const).map((k) => cmd.getFloat(k, undefined, { above: 0 })) as [number, number, number];
    const f = this.factorOf(cmd, lengths);
    this.gcode.respondInfo(`Calculated skew: factor ${f.toFixed(6)}, ${angleDeg(f).toFixed(4)} degrees from square`);
  }

  private cmdSkewProfile(cmd: GCodeCommand): void {
    const cf = this.printer.lookupObjectOrNull<SaveConfig>('configfile');
    if (cmd.has('LOAD')) {
      const name = cmd.get('LOAD');
      const p = this.profiles.get(name);
      if (!p)
        throw cmd.error(
          `skew_correction: Load failed, unknown profile [${name}] (known: ${[...this.profiles.keys()].join(', ') || 'none'})`,
        );
      this.setSkew(p);
    } else if (cmd.has('SAVE')) {
      const name = cmd.get('SAVE');
      this.profiles.set(name, { ...this.skew });
      for (const p of PLANES) cf?.set(`skew_correction ${name}`, `${p}_skew`, this.skew[p].toFixed(9));
      this.gcode.respondInfo(
        `Skew correction profile [${name}] saved for the current session. The SAVE_CONFIG command will update the printer config file and restart the printer.`,
      );
    } else if (cmd.has('REMOVE')) {
      const name = cmd.get('REMOVE');
      if (!this.profiles.delete(name)) throw cmd.error(`skew_correction: No profile named [${name}] to remove`);
      cf?.removeSection(`skew_correction ${name}`);
      this.gcode.respondInfo(
        `Profile [${name}] removed from storage for this session. The SAVE_CONFIG command will update the printer configuration and restart the printer.`,
      );
    } else throw cmd.error('SKEW_PROFILE needs LOAD=, SAVE= or REMOVE= with a profile name');
  }

  getStatus(): Record<string, unknown> {
    return { xy_skew: this.skew.xy, xz_skew: this.skew.xz, yz_skew: this.skew.yz, profiles: [...this.profiles.keys()] };
  }
}
