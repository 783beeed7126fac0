// What the gantry/bed levelling tools share ([z_tilt], [quad_gantry_level]): the Z motors in
// order, raising each motor alone by its own correction, and the probe-adjust-retry loop that
// probes again until the probed heights span no more than retry_tolerance.
import type { PrinterConfig } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Toolhead } from '../motion/index';
import type { Printer } from '../printer';
import { probeToolheadPositions, requireProbe, type ProbeTravel } from './bed-mesh-probing';
import type { GCodeMove } from './gcode-move';
import type { ZProbe } from './probe-api';
import type { PrinterStepper } from './stepper';
import type { PrinterToolhead } from './toolhead';

/**
 * How far each motor must rise (mm, all >= 0) to level the bed `heights` measured at the
 * motors' pivots: the motor under the lowest bed point stays, the others follow the bed up.
 */
export function motorCorrections(heights: readonly number[]): number[] {
  const low = Math.min(...heights);
  return heights.map((h) => h - low);
}

/** stepper_z, stepper_z1, stepper_z2, ... in that order. */
export function zSteppers(printer: Printer): PrinterStepper[] {
  const all = printer.lookupObjectOrNull<PrinterToolhead>('printer_toolhead')?.steppers ?? [];
  const num = (s: PrinterStepper) => Number(s.name.slice('stepper_z'.length) || 0);
  return all.filter((s) => /^stepper_z\d*$/.test(s.name)).sort((a, b) => num(a) - num(b));
}

/** [printer]'s Z speed limits (max_z_velocity/max_z_accel, else max_velocity/max_accel). */
export function zLimits(config: PrinterConfig, fallbackSpeedMmS: number): { velocityMmS: number; accelMmS2: number } {
  const p = config.get('printer');
  const num = (k: string) => p.readSpec(k, { type: 'float', optional: true, doc: '' }) as number | undefined;
  return {
    velocityMmS: num('max_z_velocity') ?? num('max_velocity') ?? fallbackSpeedMmS,
    accelMmS2: num('max_z_accel') ?? num('max_accel') ?? 0,
  };
}

export interface ZMotors {
  printer: Printer;
  gcode: GCodeDispatcher;
  steppers: PrinterStepper[];
  speedMmS: number;
  accelMmS2: number;
}

/**
 * Raises each Z motor alone by its correction (the largest first), then declares the toolhead
 * Z so that the bed, now level at the lowest motor's height, is where G-code expects it.
 * `heights`: the bed's height (mm, toolhead frame) at each motor, in the steppers' order.
 */
export function adjustZMotors(m: ZMotors, heights: readonly number[]): void {
  const corrections = motorCorrections(heights);
  m.gcode.respondInfo(
    'Making the following Z adjustments:\n' + m.steppers.map((s, i) => `${s.name} = ${corrections[i]!.toFixed(6)}`).join('\n'),
  );
  const th = m.printer.lookupObject<Toolhead>('toolhead');
  const order = corrections.map((c, i) => [c, i] as const).sort((a, b) => b[0] - a[0]);
  for (const [dist, i] of order) {
    if (dist > 0) th.forceMoveStepper(m.steppers[i]!.motion, dist, m.speedMmS, m.accelMmS2);
  }
  // Every motor rose by (height - low): the nozzle is now (low) closer to the bed's plane.
  const pos = Array.from(th.getPosition());
  pos[2] = pos[2]! - Math.min(...heights);
  th.setPosition(pos);
  m.printer.lookupObject<GCodeMove>('gcode_move').resetFromToolhead();
}

/**
 * Klipper's `applied` status of [z_tilt] and [quad_gantry_level]: true after a successful run,
 * false again once the motors are turned off (M84, M18, a failed G28, idle timeout), since an
 * unpowered gantry may sag. stepper_enable has no event for that, so its motorsOff is wrapped.
 */
export class AppliedState {
  private value = false;

  constructor(printer: Printer) {
    const se = printer.lookupObjectOrNull<{ motorsOff(): void }>('stepper_enable');
    if (!se) return;
    const off = se.motorsOff.bind(se);
    se.motorsOff = () => {
      this.value = false;
      off();
    };
  }

  get applied(): boolean {
    return this.value;
  }

  set applied(v: boolean) {
    this.value = v;
  }
}

export interface RetrySettings {
  retries: number;
  retryToleranceMm: number;
}

/** RETRIES= and RETRY_TOLERANCE= of the command over the section's settings. */
export function retrySettings(cmd: GCodeCommand, dflt: RetrySettings): RetrySettings {
  return {
    retries: cmd.getInt('RETRIES', dflt.retries, { minval: 0, maxval: 30 }),
    retryToleranceMm: cmd.getFloat('RETRY_TOLERANCE', dflt.retryToleranceMm, { minval: 0, maxval: 1 }),
  };
}

/**
 * Probes `points` (nozzle positions) and hands the bed heights to `adjust`, which moves the
 * motors; with retries, probes again until the heights span no more than the tolerance. A
 * growing range aborts (a correction that makes things worse only diverges with more rounds).
 */
export async function probeAdjustRetry(
  printer: Printer,
  gcode: GCodeDispatcher,
  cmd: GCodeCommand,
  points: readonly (readonly [number, number])[],
  travel: ProbeTravel,
  retry: RetrySettings,
  adjust: (zs: number[], probe: ZProbe) => void,
): Promise<void> {
  const probe = requireProbe(printer, cmd, travel);
  let lastRange = Infinity;
  for (let attempt = 0; ; attempt++) {
    const zs = await probeToolheadPositions(printer, probe, points, travel, cmd);
    adjust(zs, probe);
    if (retry.retries === 0) return;
    const range = Math.max(...zs) - Math.min(...zs);
    gcode.respondInfo(
      `Retries: ${attempt}/${retry.retries} Probed points range: ${range.toFixed(6)} tolerance: ${retry.retryToleranceMm.toFixed(6)}`,
    );
    if (range > lastRange + 1e-6) {
      throw cmd.error(`Retries aborting: Probed points range is increasing (${lastRange.toFixed(6)} -> ${range.toFixed(6)})`);
    }
    if (range <= retry.retryToleranceMm) return;
    if (attempt + 1 > retry.retries) throw cmd.error('Too many retries');
    lastRange = range;
  }
}
