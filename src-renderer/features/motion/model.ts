// Motion as the panel shows and drives it: position, homing, jog gating and the G-code each
// control sends. Pure functions over the status snapshot.
import type { PrinterState, StatusSnapshot } from '../../../src-main/api/contract';

export const AXES = ['x', 'y', 'z'] as const;
export type Axis = (typeof AXES)[number];

/** Jog distances offered, mm. */
export const JOG_STEPS_MM = [0.1, 1, 10, 100] as const;
/** Jog feed rates, mm/min: Z is slow on most printers (the host also caps it at max_z_velocity). */
const JOG_FEED_MM_MIN: Record<Axis, number> = { x: 6000, y: 6000, z: 600 };

export interface MotionView {
  /** Commanded toolhead position X, Y, Z, E (mm); null until the host reports it. */
  position: number[] | null;
  homedAxes: string;
  axisMin: number[] | null;
  axisMax: number[] | null;
  /** Percent (100 = as sliced). */
  speedFactorPct: number | null;
  flowFactorPct: number | null;
  printState: string | null;
}

const nums = (v: unknown): number[] | null => (Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : null);
const pct = (v: unknown): number | null => (typeof v === 'number' ? Math.round(v * 1000) / 10 : null);

export function motionView(status: StatusSnapshot): MotionView {
  const th = status.toolhead ?? {};
  const gm = status.gcode_move ?? {};
  return {
    position: nums(th.position),
    homedAxes: typeof th.homed_axes === 'string' ? th.homed_axes : '',
    axisMin: nums(th.axis_minimum),
    axisMax: nums(th.axis_maximum),
    speedFactorPct: pct(gm.speed_factor),
    flowFactorPct: pct(gm.extrude_factor),
    printState: typeof status.print_stats?.state === 'string' ? status.print_stats.state : null,
  };
}

export type JogBlock = 'notReady' | 'printing' | 'notHomed';

/** Why jogging an axis is not offered now, or null when it is. */
export function jogBlockReason(axis: Axis, printerState: PrinterState | undefined, view: MotionView): JogBlock | null {
  if (printerState !== 'ready') return 'notReady';
  if (view.printState === 'printing' || view.printState === 'paused') return 'printing';
  if (!view.homedAxes.includes(axis)) return 'notHomed';
  return null;
}

/** Whether a jog stays inside the axis limits (the host would refuse it with "Move out of range"). */
export function jogInRange(axis: Axis, deltaMm: number, view: MotionView): boolean {
  const i = AXES.indexOf(axis);
  const at = view.position?.[i];
  if (at === undefined) return false;
  const target = at + deltaMm;
  const min = view.axisMin?.[i] ?? -Infinity;
  const max = view.axisMax?.[i] ?? Infinity;
  return target >= min - 1e-9 && target <= max + 1e-9;
}

/**
 * A relative move that leaves the user's G-code state as it was (absolute/relative mode, feed
 * rate): saved and restored around the move.
 */
export function jogScript(axis: Axis, deltaMm: number): string {
  const d = Math.round(deltaMm * 1000) / 1000;
  return [
    'SAVE_GCODE_STATE NAME=tether_jog',
    'G91',
    `G1 ${axis.toUpperCase()}${d} F${JOG_FEED_MM_MIN[axis]}`,
    'RESTORE_GCODE_STATE NAME=tether_jog',
  ].join('\n');
}

/** G28 for all axes (no argument) or the ones named. */
export function homeScript(axes: readonly Axis[] = []): string {
  return axes.length ? `G28 ${axes.map((a) => a.toUpperCase()).join(' ')}` : 'G28';
}

export const MOTORS_OFF_SCRIPT = 'M84';

export const FACTOR_LIMITS_PCT = { min: 10, max: 300 } as const;

/** M220 (speed) / M221 (flow) in percent, clamped to a sane range. */
export function factorScript(kind: 'speed' | 'flow', percent: number): string {
  const p = Math.round(Math.min(FACTOR_LIMITS_PCT.max, Math.max(FACTOR_LIMITS_PCT.min, percent)));
  return `${kind === 'speed' ? 'M220' : 'M221'} S${p}`;
}

export interface FanView {
  name: string;
  /** 0..1 */
  speed: number;
  /** Only the part-cooling [fan] is set from the UI (M106/M107); the others follow their heaters or controllers. */
  settable: boolean;
}

export function fansOf(status: StatusSnapshot): FanView[] {
  return Object.keys(status)
    .filter((n) => n === 'fan' || /^(heater_fan|controller_fan|fan_generic|temperature_fan) /.test(n))
    .map((name) => ({
      name,
      speed: typeof status[name].speed === 'number' ? (status[name].speed as number) : 0,
      settable: name === 'fan',
    }));
}

/** M106 S0..255 for a percentage; M107 for 0. */
export function fanScript(percent: number): string {
  const p = Math.min(100, Math.max(0, percent));
  return p === 0 ? 'M107' : `M106 S${Math.round((p / 100) * 255)}`;
}
