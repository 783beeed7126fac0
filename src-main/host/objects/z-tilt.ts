// [z_tilt]: levels a gantry (or bed) carried by several Z motors. Z_TILT_ADJUST probes the
// points, fits the bed's plane, and raises each Z motor by how much higher the bed is at that
// motor's pivot (z_positions) than at the lowest one; with retries it probes again until the
// probed heights span no more than retry_tolerance.
import type { ConfigSection, PrinterConfig } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Toolhead } from '../motion/index';
import type { Printer } from '../printer';
import { probeToolheadPositions, requireProbe } from './bed-mesh-probing';
import { fitPlane, planeZ, readPoints } from './bed-tilt-options';
import type { GCodeMove } from './gcode-move';
import type { PrinterStepper } from './stepper';
import type { PrinterToolhead } from './toolhead';
import { Z_TILT_OPTIONS } from './z-tilt-options';

/**
 * How far each motor must rise (mm, all >= 0) to level the bed `heights` measured at the
 * motors' pivots: the motor under the lowest bed point stays, the others follow the bed up.
 */
export function motorCorrections(heights: readonly number[]): number[] {
  const low = Math.min(...heights);
  return heights.map((h) => h - low);
}

/** stepper_z, stepper_z1, stepper_z2, ... in that order. */
function zSteppers(printer: Printer): PrinterStepper[] {
  const all = printer.lookupObjectOrNull<PrinterToolhead>('printer_toolhead')?.steppers ?? [];
  const num = (s: PrinterStepper) => Number(s.name.slice('stepper_z'.length) || 0);
  return all.filter((s) => /^stepper_z\d*$/.test(s.name)).sort((a, b) => num(a) - num(b));
}

export class ZTilt {
  private readonly o;
  readonly zPositions: [number, number][];
  readonly points: [number, number][];
  readonly steppers: PrinterStepper[];
  private readonly maxZVelocityMmS: number;
  private readonly maxZAccelMmS2: number;
  private applied = false;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    section: ConfigSection,
    config: PrinterConfig,
  ) {
    this.o = section.read(Z_TILT_OPTIONS);
    this.zPositions = readPoints(section, 'z_positions', 2)!;
    this.points = readPoints(section, 'points', 3)!;
    this.steppers = zSteppers(printer);
    const names = this.steppers.map((s) => s.name).join(', ');
    if (this.steppers.length < 2) {
      throw section.error('z_positions', `[z_tilt] needs at least two Z motors (found: ${names || 'none'}): add [stepper_z1]`);
    }
    if (this.zPositions.length !== this.steppers.length) {
      throw section.error(
        'z_positions',
        `[z_tilt] z_positions lists ${this.zPositions.length} positions but the printer has ${this.steppers.length} Z steppers (${names}): give one per Z stepper, in that order`,
      );
    }
    const p = config.get('printer');
    const num = (k: string) => p.readSpec(k, { type: 'float', optional: true, doc: '' }) as number | undefined;
    this.maxZVelocityMmS = num('max_z_velocity') ?? num('max_velocity') ?? this.o.speed;
    this.maxZAccelMmS2 = num('max_z_accel') ?? num('max_accel') ?? 0;
    gcode.register('Z_TILT_ADJUST', (c) => this.cmdAdjust(c), {
      help: 'Adjust the Z tilt',
      params: {
        RETRIES: 'extra rounds (default: retries)',
        RETRY_TOLERANCE: 'mm (default: retry_tolerance)',
        SAMPLES: 'probe samples per point (and the other PROBE parameters)',
      },
    });
  }

  private async cmdAdjust(cmd: GCodeCommand): Promise<void> {
    const retries = cmd.getInt('RETRIES', this.o.retries, { minval: 0, maxval: 30 });
    const tolerance = cmd.getFloat('RETRY_TOLERANCE', this.o.retry_tolerance, { minval: 0, maxval: 1 });
    const travel = { speedMmS: this.o.speed, horizontalMoveZMm: this.o.horizontal_move_z };
    const probe = requireProbe(this.printer, cmd, travel);
    this.applied = false;
    let lastRange = Infinity;
    for (let attempt = 0; ; attempt++) {
      const zs = await probeToolheadPositions(this.printer, probe, this.points, travel, cmd);
      // Heights were measured under the probe: fit the plane where they were taken.
      const plane = fitPlane(this.points.map(([x, y], i) => [x + probe.xOffsetMm, y + probe.yOffsetMm, zs[i]!] as const));
      const heights = this.zPositions.map(([x, y]) => planeZ(plane, x, y));
      this.adjustMotors(heights);
      if (retries === 0) break;
      const range = Math.max(...zs) - Math.min(...zs);
      this.gcode.respondInfo(`Retries: ${attempt}/${retries} Probed points range: ${range.toFixed(6)} tolerance: ${tolerance.toFixed(6)}`);
      // A correction that makes things worse would only diverge with more rounds.
      if (range > lastRange + 1e-6) {
        throw cmd.error(`Retries aborting: Probed points range is increasing (${lastRange.toFixed(6)} -> ${range.toFixed(6)})`);
      }
      if (range <= tolerance) break;
      if (attempt + 1 > retries) throw cmd.error('Too many retries');
      lastRange = range;
    }
    this.applied = true;
  }

  /**
   * Raises each Z motor alone by its correction (the largest first), then declares the toolhead
   * Z so that the bed, now level at the lowest motor's height, is where G-code expects it.
   */
  private adjustMotors(heights: number[]): void {
    const corrections = motorCorrections(heights);
    this.gcode.respondInfo(
      'Making the following Z adjustments:\n' + this.steppers.map((s, i) => `${s.name} = ${corrections[i]!.toFixed(6)}`).join('\n'),
    );
    const th = this.printer.lookupObject<Toolhead>('toolhead');
    const speed = Math.min(this.o.speed, this.maxZVelocityMmS);
    const order = corrections.map((c, i) => [c, i] as const).sort((a, b) => b[0] - a[0]);
    for (const [dist, i] of order) {
      if (dist > 0) th.forceMoveStepper(this.steppers[i]!.motion, dist, speed, this.maxZAccelMmS2);
    }
    // Every motor rose by (height - low): the nozzle is now (low) closer to the bed's plane.
    const pos = Array.from(th.getPosition());
    pos[2] = pos[2]! - Math.min(...heights);
    th.setPosition(pos);
    this.printer.lookupObject<GCodeMove>('gcode_move').resetFromToolhead();
  }

  getStatus(): Record<string, unknown> {
    return { applied: this.applied };
  }
}
