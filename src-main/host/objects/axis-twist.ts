// [axis_twist_compensation]: a probe mounted beside the nozzle reads the bed a little high or
// low where the X (or Y) carriage twists along its rail. AXIS_TWIST_COMPENSATION_CALIBRATE
// probes evenly spaced points along the axis with the probe, then has the user find the bed at
// each with the nozzle (the paper test: TESTZ/ACCEPT). At point i the probe's error is
// e_i = probed bed height - nozzle height; the correction is mean(e) - e_i (only the twist is
// corrected: a common offset is z_offset's business). From then on every probe result gets the
// correction at its X (and Y), linear between the points and held at the ends, so [bed_mesh],
// [z_tilt], PROBE, ... all see the bed the nozzle sees. Offered to SAVE_CONFIG.
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Toolhead } from '../motion/index';
import type { Printer } from '../printer';
import { AXIS_TWIST_OPTIONS } from './axis-twist-options';
import { manualMove, type GCodeMove } from './gcode-move';
import { ManualProbe } from './manual-probe';
import { PROBE_OBJECT, type ZProbe } from './probe-api';
import type { SaveConfig } from './save-config';

/** Default SAMPLE_COUNT of the calibration. */
const DEFAULT_SAMPLES = 3;
/** Speed (mm/s) of the paper test's Z moves. */
const MANUAL_PROBE_SPEED_MMS = 5;

/** Corrections sampled evenly from startMm to endMm. */
export interface TwistCompensation {
  startMm: number;
  endMm: number;
  values: number[];
}

/** The correction at `at`: linear between the samples, the end values beyond them. */
export function compensationAt(c: TwistCompensation | null, at: number): number {
  if (!c || !c.values.length) return 0;
  const n = c.values.length;
  if (n === 1 || c.endMm === c.startMm) return c.values[0]!;
  const t = Math.min(Math.max((at - c.startMm) / (c.endMm - c.startMm), 0), 1) * (n - 1);
  const i = Math.min(Math.floor(t), n - 2);
  return c.values[i]! + (c.values[i + 1]! - c.values[i]!) * (t - i);
}

/** The corrections from the probe's bed heights and the nozzle's at the same points. */
export function twistCorrections(probedMm: readonly number[], nozzleMm: readonly number[]): number[] {
  const errors = probedMm.map((p, i) => p - nozzleMm[i]!);
  const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
  return errors.map((e) => mean - e);
}

/** The calibration points (nozzle positions) along one axis. */
export function twistPoints(startMm: number, endMm: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => startMm + ((endMm - startMm) * i) / (count - 1));
}

export class AxisTwistCompensation {
  private readonly o;
  private x: TwistCompensation | null;
  private y: TwistCompensation | null;
  private calibrating = false;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    private readonly section: ConfigSection,
  ) {
    this.o = section.read(AXIS_TWIST_OPTIONS);
    this.x = this.readCompensation('z_compensations', this.o.z_compensations, this.o.compensation_start_x, this.o.compensation_end_x, 'x');
    this.y = this.readCompensation(
      'zy_compensations',
      this.o.zy_compensations,
      this.o.compensation_start_y,
      this.o.compensation_end_y,
      'y',
    );
    const probe = printer.lookupObjectOrNull<ZProbe>(PROBE_OBJECT);
    if (!probe) throw section.error('calibrate_y', `[${section.name}] corrects a Z probe's results: add a [probe] or [bltouch] section`);
    // Every probe result passes through the correction (the bed tools and PROBE all use runProbe).
    const raw = probe.runProbe.bind(probe);
    this.rawProbe = raw;
    probe.runProbe = async (cmd) => {
      const [x, y, z] = await raw(cmd);
      return [x, y, this.calibrating ? z : z + this.correctionAt(x + probe.xOffsetMm, y + probe.yOffsetMm)];
    };
    gcode.register('AXIS_TWIST_COMPENSATION_CALIBRATE', (c) => this.cmdCalibrate(c), {
      help: 'Probe along an axis, then find the bed with the nozzle at each point (TESTZ/ACCEPT), to correct the probe for the twist',
      params: { AXIS: 'X (default) or Y', SAMPLE_COUNT: `points (default ${DEFAULT_SAMPLES})` },
    });
  }

  private readonly rawProbe: ZProbe['runProbe'];

  private readCompensation(
    key: string,
    text: string | undefined,
    start: number | undefined,
    end: number | undefined,
    axis: string,
  ): TwistCompensation | null {
    if (text === undefined) return null;
    const values = text.split(',').map((v) => Number(v.trim()));
    if (!values.length || values.some((v) => !Number.isFinite(v))) {
      throw this.section.error(key, `${key} must be numbers separated by commas (mm), not '${text}'`);
    }
    if (start === undefined || end === undefined) {
      throw this.section.error(
        key,
        `${key} needs compensation_start_${axis} and compensation_end_${axis} (where its first and last values were measured)`,
      );
    }
    return { startMm: start, endMm: end, values };
  }

  /** The correction (mm) added to a probe result taken at (x, y). */
  correctionAt(xMm: number, yMm: number): number {
    return compensationAt(this.x, xMm) + compensationAt(this.y, yMm);
  }

  private async cmdCalibrate(cmd: GCodeCommand): Promise<void> {
    if (ManualProbe.isActive(this.printer)) throw cmd.error('Already in a manual Z probe. Use ABORT to abort it.');
    const axis = cmd.get('AXIS', 'X').toUpperCase();
    if (axis !== 'X' && axis !== 'Y') throw cmd.error(`AXIS must be X or Y, not '${axis}'`);
    const count = cmd.getInt('SAMPLE_COUNT', DEFAULT_SAMPLES, { minval: 2 });
    const o = this.o;
    let along: number[];
    let across: number;
    if (axis === 'X') {
      along = twistPoints(o.calibrate_start_x, o.calibrate_end_x, count);
      across = o.calibrate_y;
    } else {
      if (o.calibrate_start_y === undefined || o.calibrate_end_y === undefined || o.calibrate_x === undefined) {
        throw cmd.error(`AXIS=Y needs calibrate_start_y, calibrate_end_y and calibrate_x in [${this.section.name}]`);
      }
      along = twistPoints(o.calibrate_start_y, o.calibrate_end_y, count);
      across = o.calibrate_x;
    }
    const points = along.map((a) => (axis === 'X' ? [a, across] : [across, a]) as [number, number]);
    const probe = this.printer.lookupObject<ZProbe>(PROBE_OBJECT);
    // 1. The probe over each point (the nozzle beside it), uncorrected.
    const probed: number[] = [];
    this.calibrating = true;
    try {
      for (const [x, y] of points) {
        this.travelTo(x - probe.xOffsetMm, y - probe.yOffsetMm);
        const hit = await this.rawProbe(cmd);
        probed.push(hit[2] - probe.zOffsetMm);
      }
    } finally {
      this.calibrating = false;
    }
    // 2. The nozzle over each point in turn: the user finds the bed (TESTZ, then ACCEPT).
    this.gcode.respondInfo(
      `AXIS_TWIST_COMPENSATION_CALIBRATE: probed ${count} points along ${axis}; now find the bed with the nozzle at each (TESTZ, ACCEPT)`,
    );
    const nozzle: number[] = [];
    const next = (i: number): void => {
      const [x, y] = points[i]!;
      this.travelTo(x, y);
      // Start where the probe says the nozzle is z_offset above the bed: the user lowers from there.
      manualMove(this.printer, [null, null, probed[i]! + probe.zOffsetMm], o.speed);
      this.gcode.respondInfo(`Point ${i + 1} of ${count}: X${x.toFixed(3)} Y${y.toFixed(3)}`);
      ManualProbe.start(this.printer, this.gcode, MANUAL_PROBE_SPEED_MMS, (pos) => {
        if (!pos) {
          this.gcode.respondInfo('AXIS_TWIST_COMPENSATION_CALIBRATE aborted: nothing changed');
          return;
        }
        nozzle.push(pos[2]!);
        if (i + 1 < count) next(i + 1);
        else this.finish(axis, along, probed, nozzle);
      });
    };
    next(0);
  }

  private finish(axis: 'X' | 'Y', along: number[], probed: number[], nozzle: number[]): void {
    const values = twistCorrections(probed, nozzle);
    const c: TwistCompensation = { startMm: along[0]!, endMm: along.at(-1)!, values };
    const text = values.map((v) => v.toFixed(6)).join(', ');
    const [key, start, end] =
      axis === 'X'
        ? ['z_compensations', 'compensation_start_x', 'compensation_end_x']
        : ['zy_compensations', 'compensation_start_y', 'compensation_end_y'];
    if (axis === 'X') this.x = c;
    else this.y = c;
    this.travelTo(...((axis === 'X' ? [along.at(-1)!, this.o.calibrate_y] : [this.o.calibrate_x!, along.at(-1)!]) as [number, number]));
    const cf = this.printer.lookupObjectOrNull<SaveConfig>('configfile');
    cf?.set(this.section.name, key, text);
    cf?.set(this.section.name, start, c.startMm.toFixed(6));
    cf?.set(this.section.name, end, c.endMm.toFixed(6));
    this.gcode.respondInfo(
      `AXIS_TWIST_COMPENSATION state has been saved for the current session: ${key} = ${text}\n` +
        'The SAVE_CONFIG command will update the printer config file and restart the printer.',
    );
  }

  /** Up to horizontal_move_z (if lower), then across to (x, y). */
  private travelTo(x: number, y: number): void {
    const th = this.printer.lookupObject<Toolhead>('toolhead');
    const pos = th.getPosition().slice();
    if (pos[2]! < this.o.horizontal_move_z) {
      pos[2] = this.o.horizontal_move_z;
      th.move(pos, this.o.speed);
    }
    pos[0] = x;
    pos[1] = y;
    th.move(pos, this.o.speed);
    this.printer.lookupObject<GCodeMove>('gcode_move').resetFromToolhead();
  }

  getStatus(): Record<string, unknown> {
    return {
      z_compensations: this.x?.values ?? [],
      compensation_start_x: this.x?.startMm ?? null,
      compensation_end_x: this.x?.endMm ?? null,
      zy_compensations: this.y?.values ?? [],
      compensation_start_y: this.y?.startMm ?? null,
      compensation_end_y: this.y?.endMm ?? null,
    };
  }
}
