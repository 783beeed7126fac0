// [screws_tilt_adjust]: SCREWS_TILT_CALCULATE probes next to each bed screw and says how far to
// turn each one (turns:minutes, a minute being 1/60 turn) to bring it to the base screw's height.
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import { probeToolheadPositions, requireProbe } from './bed-mesh-probing';
import { readScrews, SCREWS_TILT_ADJUST_OPTIONS, type BedScrew } from './bed-screws-options';

/** Thread pitch (mm per turn) by size. */
const PITCH_MM: Record<string, number> = { M3: 0.5, M4: 0.7, M5: 0.8, M6: 1.0 };

export interface ScrewResult {
  z: number;
  sign: 'CW' | 'CCW';
  adjust: string;
  is_base: boolean;
}

/**
 * The turn for each screw: base screw `baseIndex` stays; a screw lower than the base (z below it)
 * is raised. `clockwiseThread`: turning clockwise raises the bed there (CW-Mx).
 */
export function screwAdjustments(zs: readonly number[], baseIndex: number, pitchMm: number, clockwiseThread: boolean): ScrewResult[] {
  const zBase = zs[baseIndex]!;
  return zs.map((z, i) => {
    const raise = clockwiseThread ? 'CW' : 'CCW';
    const lower = clockwiseThread ? 'CCW' : 'CW';
    if (i === baseIndex) return { z, sign: raise, adjust: '00:00', is_base: true };
    const diff = zBase - z;
    const turns = Math.abs(diff) < 0.001 ? 0 : diff / pitchMm;
    let full = Math.trunc(Math.abs(turns));
    let minutes = Math.round((Math.abs(turns) - full) * 60);
    if (minutes === 60) {
      full += 1;
      minutes = 0;
    }
    const p2 = (n: number) => String(n).padStart(2, '0');
    return { z, sign: turns >= 0 ? raise : lower, adjust: `${p2(full)}:${p2(minutes)}`, is_base: false };
  });
}

export class ScrewsTiltAdjust {
  private readonly o;
  readonly screws: BedScrew[];
  private readonly pitchMm: number;
  private readonly clockwise: boolean;
  private results: Record<string, ScrewResult> = {};
  private maxDeviationMm: number | null = null;
  private error = false;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    section: ConfigSection,
  ) {
    this.o = section.read(SCREWS_TILT_ADJUST_OPTIONS);
    this.screws = readScrews(section, { fine: false }).map((s) => s.screw);
    const [dir, size] = this.o.screw_thread.split('-') as [string, string];
    this.clockwise = dir === 'CW';
    this.pitchMm = PITCH_MM[size]!;
    gcode.register('SCREWS_TILT_CALCULATE', (c) => this.cmdCalculate(c), {
      help: 'Tool to help adjust bed leveling screws by calculating the number of turns to level it.',
      params: { DIRECTION: 'CW|CCW: only turns that way (base: the highest or lowest screw)', MAX_DEVIATION: 'mm: error above this' },
    });
  }

  private async cmdCalculate(cmd: GCodeCommand): Promise<void> {
    const direction = cmd.has('DIRECTION') ? cmd.get('DIRECTION').toUpperCase() : null;
    if (direction !== null && direction !== 'CW' && direction !== 'CCW')
      throw cmd.error(`Error on 'SCREWS_TILT_CALCULATE': DIRECTION must be CW or CCW, not '${direction}'`);
    this.maxDeviationMm = cmd.has('MAX_DEVIATION') ? cmd.getFloat('MAX_DEVIATION', undefined, { above: 0 }) : null;
    const travel = { speedMmS: this.o.speed, horizontalMoveZMm: this.o.horizontal_move_z };
    const probe = requireProbe(this.printer, cmd, travel);
    // Screw positions are where the nozzle goes (the probe then sits over the screw).
    const zs = await probeToolheadPositions(
      this.printer,
      probe,
      this.screws.map((s) => [s.x, s.y] as const),
      travel,
      cmd,
    );
    let base = 0;
    if (direction) {
      // Turning only one way: the base is the screw every other one is raised (or lowered) to.
      const useHighest = (direction === 'CW') === this.clockwise;
      zs.forEach((z, i) => {
        if (useHighest ? z > zs[base]! : z < zs[base]!) base = i;
      });
    }
    const res = screwAdjustments(zs, base, this.pitchMm, this.clockwise);
    this.results = {};
    this.error = false;
    const lines = ['01:20 means 1 full turn and 20 minutes, CW=clockwise, CCW=counter-clockwise'];
    res.forEach((r, i) => {
      const s = this.screws[i]!;
      this.results[`screw${i + 1}`] = r;
      const where = `x=${s.x.toFixed(1)}, y=${s.y.toFixed(1)}, z=${r.z.toFixed(5)}`;
      lines.push(r.is_base ? `${s.name} (base) : ${where}` : `${s.name} : ${where} : adjust ${r.sign} ${r.adjust}`);
    });
    for (const l of lines) this.gcode.respondInfo(l);
    const worst = Math.max(...zs.map((z) => Math.abs(zs[base]! - z)));
    if (this.maxDeviationMm !== null && worst > this.maxDeviationMm) {
      this.error = true;
      throw cmd.error(`bed level exceeds configured limits (${this.maxDeviationMm}mm)! Adjust screws and restart print.`);
    }
  }

  getStatus(): Record<string, unknown> {
    return { error: this.error, max_deviation: this.maxDeviationMm, results: this.results };
  }
}
