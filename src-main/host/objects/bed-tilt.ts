// [bed_tilt]: corrects every G-code move for a bed that is flat but not level, adding the
// plane z = x_adjust*x + y_adjust*y + z_adjust to Z. BED_TILT_CALIBRATE probes the configured
// points, fits that plane (least squares) and offers its values to SAVE_CONFIG.
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import { probeToolheadPositions, requireProbe } from './bed-mesh-probing';
import { BED_TILT_OPTIONS, fitPlane, planeZ, readPoints, type Plane } from './bed-tilt-options';
import type { GCodeMove, MoveTransform } from './gcode-move';
import type { SaveConfig } from './save-config';

export class BedTilt implements MoveTransform {
  private readonly o;
  readonly points: [number, number][] | null;
  private plane: Plane;
  private readonly next: MoveTransform;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    section: ConfigSection,
  ) {
    this.o = section.read(BED_TILT_OPTIONS);
    this.points = readPoints(section);
    this.plane = { xAdjust: this.o.x_adjust, yAdjust: this.o.y_adjust, zAdjust: this.o.z_adjust };
    this.next = printer.lookupObject<GCodeMove>('gcode_move').setMoveTransform(this);
    // Without points there is nothing to probe: the config's adjust values still apply.
    if (this.points) {
      gcode.register('BED_TILT_CALIBRATE', (c) => this.cmdCalibrate(c), {
        help: 'Bed tilt calibration script',
        params: { SAMPLES: 'probe samples per point (and the other PROBE parameters)' },
      });
    }
  }

  get tilt(): Plane {
    return { ...this.plane };
  }

  getPosition(): number[] {
    const [x, y, z, e] = this.next.getPosition() as [number, number, number, number];
    return [x, y, z - planeZ(this.plane, x, y), e];
  }

  move(pos: number[], speedMmS: number): void {
    const [x, y, z, e] = pos as [number, number, number, number];
    this.next.move([x, y, z + planeZ(this.plane, x, y), e], speedMmS);
  }

  private async cmdCalibrate(cmd: GCodeCommand): Promise<void> {
    const travel = { speedMmS: this.o.speed, horizontalMoveZMm: this.o.horizontal_move_z };
    const probe = requireProbe(this.printer, cmd, travel);
    const points = this.points!;
    const zs = await probeToolheadPositions(this.printer, probe, points, travel, cmd);
    // The heights were measured under the probe, not the nozzle: fit where they were taken.
    const plane = fitPlane(points.map(([x, y], i) => [x + probe.xOffsetMm, y + probe.yOffsetMm, zs[i]!] as const));
    this.plane = plane;
    // The Z that G-code sees changed with the plane.
    this.printer.lookupObject<GCodeMove>('gcode_move').resetFromToolhead();
    const f = (v: number) => v.toFixed(6);
    const values = { x_adjust: f(plane.xAdjust), y_adjust: f(plane.yAdjust), z_adjust: f(plane.zAdjust) };
    this.gcode.respondInfo(
      `Calculated bed tilt parameters:\nx_adjust: ${values.x_adjust} y_adjust: ${values.y_adjust} z_adjust: ${values.z_adjust}\n` +
        'The SAVE_CONFIG command will update the printer config file with these parameters and restart the printer.',
    );
    const cf = this.printer.lookupObjectOrNull<SaveConfig>('configfile');
    for (const [k, v] of Object.entries(values)) cf?.set('bed_tilt', k, v);
  }

  getStatus(): Record<string, unknown> {
    return { x_adjust: this.plane.xAdjust, y_adjust: this.plane.yAdjust, z_adjust: this.plane.zAdjust };
  }
}
