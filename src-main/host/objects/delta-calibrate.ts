// [delta_calibrate]: DELTA_CALIBRATE probes the centre and six points around it, then fits the
// delta's endstop positions, delta_radius and tower angles to the probed heights (the maths is in
// delta-calibrate-math.ts) and offers them to SAVE_CONFIG, with the probed points (heightN,
// heightN_pos) so they are kept with the calibration. Nothing changes until SAVE_CONFIG restarts
// the printer with the new values, as in Klipper. DELTA_ANALYZE (the enhanced calibration from
// measured distances) is not supported yet: it says so.
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { DeltaKinematics, Toolhead } from '../motion/index';
import type { Printer } from '../printer';
import { probeToolheadPositions, requireProbe } from './bed-mesh-probing';
import { calibrationPoints, fitDelta, stableFromCartesian, type DeltaParams, type HeightRecord } from './delta-calibrate-math';
import { DELTA_CALIBRATE_OPTIONS, DELTA_CALIBRATE_SAVED } from './delta-calibrate-options';
import type { SaveConfig } from './save-config';

const TOWERS = ['stepper_a', 'stepper_b', 'stepper_c'] as const;

/** The calibration the delta runs with now (from its kinematics). */
export function currentDeltaParams(kin: DeltaKinematics): DeltaParams {
  const radiusMm = Math.hypot(...kin.towersXY[0]!);
  const arms = kin.arm2.map(Math.sqrt);
  const deg = ([x, y]: [number, number]) => ((((Math.atan2(y, x) * 180) / Math.PI) % 360) + 360) % 360;
  return {
    positionEndstopsMm: kin.absEndstops.map((e, i) => e - Math.sqrt(kin.arm2[i]! - radiusMm ** 2)) as [number, number, number],
    radiusMm,
    anglesDeg: kin.towersXY.map(deg) as [number, number, number],
    armLengthsMm: arms as [number, number, number],
  };
}

export class DeltaCalibrate {
  private readonly o;
  readonly points: [number, number][];
  /** Options DELTA_CALIBRATE/DELTA_ANALYZE saved earlier, kept as read. */
  readonly saved: Record<string, string> = {};

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    private readonly section: ConfigSection,
  ) {
    this.o = section.read(DELTA_CALIBRATE_OPTIONS);
    this.points = calibrationPoints(this.o.radius);
    for (const name of section.optionNames().filter((n) => DELTA_CALIBRATE_SAVED.test(n))) {
      this.saved[name] = section.readSpec(name, { type: 'string', doc: '' }) as string;
    }
    const kin = printer.lookupObjectOrNull<Toolhead>('toolhead')?.kinematics;
    if (kin && kin.name !== 'delta') {
      throw section.error('radius', `[${section.name}] calibrates a delta printer: [printer] kinematics is '${kin.name}'`);
    }
    gcode.register('DELTA_CALIBRATE', (c) => this.cmdCalibrate(c), {
      help: 'Delta calibration script',
      params: { METHOD: 'manual: not supported yet', SAMPLES: 'probe samples per point (and the other PROBE parameters)' },
    });
    gcode.register('DELTA_ANALYZE', (c) => this.cmdAnalyze(c), { help: 'Extended delta calibration tool (not supported yet)' });
  }

  private kinematics(): DeltaKinematics {
    return this.printer.lookupObject<Toolhead>('toolhead').kinematics as DeltaKinematics;
  }

  private async cmdCalibrate(cmd: GCodeCommand): Promise<void> {
    if (cmd.get('METHOD', 'automatic').toLowerCase() === 'manual') {
      throw cmd.error('DELTA_CALIBRATE METHOD=manual is not supported yet: use a [probe]');
    }
    const travel = { speedMmS: this.o.speed, horizontalMoveZMm: this.o.horizontal_move_z };
    const probe = requireProbe(this.printer, cmd, travel);
    const zs = await probeToolheadPositions(this.printer, probe, this.points, travel, cmd);
    const kin = this.kinematics();
    const now = currentDeltaParams(kin);
    // Each probe stopped with the nozzle z_offset above the bed, straight below the point it was sent to.
    const records: HeightRecord[] = this.points.map(([x, y], i) => ({
      zMm: probe.zOffsetMm,
      stable: stableFromCartesian(now, [x, y, zs[i]! + probe.zOffsetMm]),
    }));
    let fit;
    try {
      fit = fitDelta(now, records);
    } catch (e) {
      throw cmd.error(`Delta calibration failed: ${(e as Error).message}`);
    }
    const p = fit.params;
    const f = (v: number) => v.toFixed(6);
    const lines = TOWERS.map((t, i) => `${t}: position_endstop: ${f(p.positionEndstopsMm[i]!)} angle: ${f(p.anglesDeg[i]!)}`);
    this.gcode.respondInfo(
      `Delta calibration: height error ${fit.rmsBeforeMm.toFixed(6)} mm (rms) before, ${fit.rmsAfterMm.toFixed(6)} mm after\n` +
        `${lines.join('\n')}\ndelta_radius: ${f(p.radiusMm)}\n` +
        'The SAVE_CONFIG command will update the printer config file and restart the printer.',
    );
    const cf = this.printer.lookupObjectOrNull<SaveConfig>('configfile');
    if (!cf) return;
    TOWERS.forEach((t, i) => {
      cf.set(t, 'position_endstop', f(p.positionEndstopsMm[i]!));
      cf.set(t, 'angle', f(p.anglesDeg[i]!));
    });
    cf.set('printer', 'delta_radius', f(p.radiusMm));
    // The probed points, as Klipper keeps them: the height and each carriage's steps below its endstop.
    const stepMm = [0, 1, 2].map((i) => kin.steppers[i]!.stepDistMm);
    records.forEach((r, i) => {
      cf.set(this.section.name, `height${i}`, f(r.zMm));
      cf.set(this.section.name, `height${i}_pos`, r.stable.map((d, k) => (d / stepMm[k]!).toFixed(3)).join(','));
    });
  }

  private cmdAnalyze(cmd: GCodeCommand): void {
    throw cmd.error(
      'DELTA_ANALYZE (the enhanced delta calibration from printed-object measurements) is not supported yet: use DELTA_CALIBRATE',
    );
  }

  getStatus(): Record<string, unknown> {
    return {};
  }
}
