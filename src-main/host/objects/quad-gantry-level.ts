// [quad_gantry_level]: levels a flying gantry carried by four Z motors (a Voron 2).
// QUAD_GANTRY_LEVEL probes four points, one near each motor, and works out the gantry's height
// at each corner: along the front and along the back a line through the two probed points gives
// the height at the gantry's left and right X; along each side a line through those two heights
// gives the height at the gantry's front and back Y. Each motor then rises by how much higher its
// corner is than the lowest one (z-adjust.ts, shared with [z_tilt]); with retries it probes again
// until the probed heights span no more than retry_tolerance.
import type { ConfigSection, PrinterConfig } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import { readPoints } from './bed-tilt-options';
import { QUAD_GANTRY_LEVEL_OPTIONS } from './quad-gantry-level-options';
import type { PrinterStepper } from './stepper';
import { AppliedState, adjustZMotors, probeAdjustRetry, retrySettings, zLimits, zSteppers, type ZMotors } from './z-adjust';

type XY = readonly [number, number];

/** The value at `at` of the line through (a0, v0) and (a1, v1). */
function lineAt(a0: number, v0: number, a1: number, v1: number, at: number): number {
  if (a0 === a1) throw new Error(`two probe points share the coordinate ${a0}: they give no slope`);
  return v0 + ((v1 - v0) * (at - a0)) / (a1 - a0);
}

/**
 * The gantry's height at its four corners [z, z1, z2, z3] (front left, back left, back right,
 * front right) from the heights `zs` probed at `points` (where the probe was, in that order);
 * `corners`: the front-left and back-right corners.
 */
export function gantryCornerHeights(points: readonly XY[], zs: readonly number[], corners: readonly [XY, XY]): number[] {
  const [p0, p1, p2, p3] = points as [XY, XY, XY, XY];
  const [[left, front], [right, back]] = corners;
  // Along X: the front pair (points 0 and 3) and the back pair (1 and 2), at the gantry's left and right.
  const frontAt = (x: number) => lineAt(p0[0], zs[0]!, p3[0], zs[3]!, x);
  const backAt = (x: number) => lineAt(p1[0], zs[1]!, p2[0], zs[2]!, x);
  // Along Y on each side: from the front pair's Y to the back pair's, out to the corners.
  const leftAt = (y: number) => lineAt(p0[1], frontAt(left), p1[1], backAt(left), y);
  const rightAt = (y: number) => lineAt(p3[1], frontAt(right), p2[1], backAt(right), y);
  return [leftAt(front), leftAt(back), rightAt(back), rightAt(front)];
}

export class QuadGantryLevel {
  private readonly o;
  readonly corners: [XY, XY];
  readonly points: [number, number][];
  readonly steppers: PrinterStepper[];
  private readonly motors: ZMotors;
  private readonly state: AppliedState;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    section: ConfigSection,
    config: PrinterConfig,
  ) {
    this.o = section.read(QUAD_GANTRY_LEVEL_OPTIONS);
    this.state = new AppliedState(printer);
    const corners = readPoints(section, 'gantry_corners', 2)!;
    if (corners.length !== 2) {
      throw section.error(
        'gantry_corners',
        `[${section.name}] gantry_corners needs exactly 2 corners (it has ${corners.length}): front left, then back right`,
      );
    }
    this.corners = [corners[0]!, corners[1]!];
    this.points = readPoints(section, 'points', 4)!;
    if (this.points.length !== 4) {
      throw section.error('points', `[${section.name}] points needs exactly 4 points (it has ${this.points.length}), one per Z motor`);
    }
    this.steppers = zSteppers(printer);
    if (this.steppers.length !== 4) {
      const names = this.steppers.map((s) => s.name).join(', ') || 'none';
      throw section.error(
        'points',
        `[${section.name}] needs exactly four Z motors, stepper_z to stepper_z3 (found: ${names}): add the missing [stepper_zN] sections`,
      );
    }
    const z = zLimits(config, this.o.speed);
    this.motors = { printer, gcode, steppers: this.steppers, speedMmS: Math.min(this.o.speed, z.velocityMmS), accelMmS2: z.accelMmS2 };
    gcode.register('QUAD_GANTRY_LEVEL', (c) => this.cmdLevel(c), {
      help: 'Conform a moving, twistable gantry to the shape of a stationary bed',
      params: {
        RETRIES: 'extra rounds (default: retries)',
        RETRY_TOLERANCE: 'mm (default: retry_tolerance)',
        SAMPLES: 'probe samples per point (and the other PROBE parameters)',
      },
    });
  }

  private async cmdLevel(cmd: GCodeCommand): Promise<void> {
    const retry = retrySettings(cmd, { retries: this.o.retries, retryToleranceMm: this.o.retry_tolerance });
    const travel = { speedMmS: this.o.speed, horizontalMoveZMm: this.o.horizontal_move_z };
    this.state.applied = false;
    await probeAdjustRetry(this.printer, this.gcode, cmd, this.points, travel, retry, (zs, probe) => {
      // The heights were measured under the probe: the lines go through where they were taken.
      const at = this.points.map(([x, y]) => [x + probe.xOffsetMm, y + probe.yOffsetMm] as const);
      const heights = gantryCornerHeights(at, zs, this.corners);
      const average = heights.reduce((a, b) => a + b, 0) / heights.length;
      this.gcode.respondInfo(
        'Gantry-relative probe points:\n' +
          heights.map((h, i) => `${this.steppers[i]!.name}: ${h.toFixed(6)}`).join(' ') +
          `\nAverage: ${average.toFixed(6)}`,
      );
      const worst = Math.max(...heights.map((h) => Math.abs(h - average)));
      if (worst > this.o.max_adjust) {
        throw cmd.error(
          `Aborting quad_gantry_level required adjustment ${worst.toFixed(6)} is greater than max_adjust ${this.o.max_adjust.toFixed(6)}`,
        );
      }
      adjustZMotors(this.motors, heights);
    });
    this.state.applied = true;
  }

  getStatus(): Record<string, unknown> {
    return { applied: this.state.applied };
  }
}
