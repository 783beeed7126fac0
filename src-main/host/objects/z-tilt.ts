// [z_tilt]: levels a gantry (or bed) carried by several Z motors. Z_TILT_ADJUST probes the
// points, fits the bed's plane, and raises each Z motor by how much higher the bed is at that
// motor's pivot (z_positions) than at the lowest one; with retries it probes again until the
// probed heights span no more than retry_tolerance.
import type { ConfigSection, PrinterConfig } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import { fitPlane, planeZ, readPoints } from './bed-tilt-options';
import type { PrinterStepper } from './stepper';
import { AppliedState, adjustZMotors, probeAdjustRetry, retrySettings, zLimits, zSteppers, type ZMotors } from './z-adjust';
import { Z_TILT_OPTIONS } from './z-tilt-options';

export { motorCorrections } from './z-adjust';

export class ZTilt {
  private readonly o;
  readonly zPositions: [number, number][];
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
    this.o = section.read(Z_TILT_OPTIONS);
    this.state = new AppliedState(printer);
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
    const z = zLimits(config, this.o.speed);
    this.motors = { printer, gcode, steppers: this.steppers, speedMmS: Math.min(this.o.speed, z.velocityMmS), accelMmS2: z.accelMmS2 };
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
    const retry = retrySettings(cmd, { retries: this.o.retries, retryToleranceMm: this.o.retry_tolerance });
    const travel = { speedMmS: this.o.speed, horizontalMoveZMm: this.o.horizontal_move_z };
    this.state.applied = false;
    await probeAdjustRetry(this.printer, this.gcode, cmd, this.points, travel, retry, (zs, probe) => {
      // Heights were measured under the probe: fit the plane where they were taken.
      const plane = fitPlane(this.points.map(([x, y], i) => [x + probe.xOffsetMm, y + probe.yOffsetMm, zs[i]!] as const));
      adjustZMotors(
        this.motors,
        this.zPositions.map(([x, y]) => planeZ(plane, x, y)),
      );
    });
    this.state.applied = true;
  }

  getStatus(): Record<string, unknown> {
    return { applied: this.state.applied };
  }
}
