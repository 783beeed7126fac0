// [input_shaper]: shapes the toolhead's X and Y before the kinematics (cartesian, corexy, corexz),
// so each motor follows sum A_i * position(t - T_i) (see motion/input-shaper.ts). A frequency of 0
// turns an axis's shaping off; with both off the steppers keep the plain rail (output unchanged).
// SET_INPUT_SHAPER changes it at run time after a full flush, as Klipper does.
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import {
  NO_SHAPING,
  ShapedLinearRail,
  centredPulses,
  isShaping,
  shaperPulses,
  type ShaperPulses,
  type ShaperType,
  type Toolhead,
} from '../motion/index';
import type { Printer } from '../printer';
import { INPUT_SHAPER_CHOICES, INPUT_SHAPER_OPTIONS } from './input-shaper-options';

/** One axis's shaper settings. */
export interface AxisShaper {
  type: ShaperType;
  freqHz: number;
  dampingRatio: number;
  /** custom: amplitudes and times (s) as given. */
  a: number[];
  tS: number[];
}

/** The pulse train of an axis, or NO_SHAPING when its frequency is 0 (custom: always its own). */
export function axisPulses(s: AxisShaper): ShaperPulses {
  if (s.type === 'custom') return centredPulses(s.a, s.tS);
  return s.freqHz > 0 ? shaperPulses(s.type, s.freqHz, s.dampingRatio) : NO_SHAPING;
}

/** A custom shaper's lists, checked; throws Error naming the option. */
function checkCustom(axis: string, a: number[], tS: number[]): void {
  if (!a.length || a.length !== tS.length) {
    throw new Error(`shaper_a_${axis} and shaper_t_${axis} must have the same number of values (at least 1) for shaper_type custom`);
  }
  if (a.some((x) => !(x > 0))) throw new Error(`shaper_a_${axis}: every amplitude must be above 0`);
  for (let i = 1; i < tS.length; i++) {
    if (tS[i]! < tS[i - 1]!) throw new Error(`shaper_t_${axis}: times must be in ascending order`);
  }
  if (tS[tS.length - 1]! - tS[0]! > 0.2) throw new Error(`shaper_t_${axis}: the pulses must span at most 0.2 s`);
}

export class InputShaper {
  readonly axes: { x: AxisShaper; y: AxisShaper };

  constructor(
    private readonly printer: Printer,
    gcode: GCodeDispatcher,
    section: ConfigSection,
  ) {
    const o = section.read(INPUT_SHAPER_OPTIONS);
    const axis = (n: 'x' | 'y'): AxisShaper => {
      const type = (o[`shaper_type_${n}`] ?? o.shaper_type) as ShaperType;
      const s: AxisShaper = {
        type,
        freqHz: o[`shaper_freq_${n}`],
        dampingRatio: o[`damping_ratio_${n}`],
        a: [...(o[`shaper_a_${n}`] ?? [])],
        tS: [...(o[`shaper_t_${n}`] ?? [])],
      };
      if (type === 'custom') {
        try {
          checkCustom(n, s.a, s.tS);
        } catch (e) {
          throw section.error(`shaper_a_${n}`, `Section '${section.name}': ${(e as Error).message}`);
        }
      }
      return s;
    };
    this.axes = { x: axis('x'), y: axis('y') };
    const th = this.toolhead();
    if (!th.kinematics.steppers.every((s) => s.linearCoefficients())) {
      throw section.error(
        'shaper_freq_x',
        `[${section.name}] on ${th.kinematics.name} kinematics is not supported yet (supported: cartesian, corexy, corexz)`,
      );
    }
    this.apply();
    gcode.register('SET_INPUT_SHAPER', (c) => this.cmdSetInputShaper(c, gcode), {
      help: 'Set cartesian parameters for input shaper',
      params: {
        SHAPER_FREQ_X: 'Hz (0 = off)',
        SHAPER_FREQ_Y: 'Hz (0 = off)',
        DAMPING_RATIO_X: '0 to below 1',
        DAMPING_RATIO_Y: '0 to below 1',
        SHAPER_TYPE: INPUT_SHAPER_CHOICES.join(', '),
        SHAPER_TYPE_X: 'as SHAPER_TYPE, X only',
        SHAPER_TYPE_Y: 'as SHAPER_TYPE, Y only',
        SHAPER_A_X: 'custom: amplitudes (comma list)',
        SHAPER_T_X: 'custom: times (s, comma list)',
        SHAPER_A_Y: 'custom: amplitudes (comma list)',
        SHAPER_T_Y: 'custom: times (s, comma list)',
      },
    });
  }

  private toolhead(): Toolhead {
    return this.printer.lookupObject<Toolhead>('toolhead');
  }

  /** Give each kinematic stepper its shaped rail (or the plain one back); flushes only on a change. */
  private apply(): void {
    const th = this.toolhead();
    const px = axisPulses(this.axes.x);
    const py = axisPulses(this.axes.y);
    for (const s of th.kinematics.steppers) {
      const [cx, cy, cz] = s.linearCoefficients()!;
      const shaped = (cx !== 0 && isShaping(px)) || (cy !== 0 && isShaping(py));
      if (shaped) th.setStepperRailFunction(s, new ShapedLinearRail(th.trapq, cx, cy, cz, px, py));
      else if (s.scanWindowS > 0) th.setStepperRailFunction(s, null);
    }
  }

  private cmdSetInputShaper(c: GCodeCommand, gcode: GCodeDispatcher): void {
    const next = { x: { ...this.axes.x }, y: { ...this.axes.y } };
    const choice = (name: string, fallback: ShaperType): ShaperType => {
      if (!c.has(name)) return fallback;
      const v = c.get(name).toLowerCase();
      if (!(INPUT_SHAPER_CHOICES as readonly string[]).includes(v)) {
        throw c.error(`Unsupported shaper type: ${v} (choose one of ${INPUT_SHAPER_CHOICES.join(', ')})`);
      }
      return v as ShaperType;
    };
    const both = c.has('SHAPER_TYPE') ? choice('SHAPER_TYPE', 'mzv') : null;
    const list = (name: string, fallback: number[]): number[] => {
      if (!c.has(name)) return fallback;
      const parts = c
        .get(name)
        .split(',')
        .map((p) => p.trim());
      const nums = parts.map(Number);
      if (parts.some((p) => p === '') || nums.some((n) => !Number.isFinite(n))) throw c.error(`${name} must be a comma list of numbers`);
      return nums;
    };
    for (const n of ['x', 'y'] as const) {
      const u = n.toUpperCase();
      const s = next[n];
      s.type = choice(`SHAPER_TYPE_${u}`, both ?? s.type);
      s.freqHz = c.getFloat(`SHAPER_FREQ_${u}`, s.freqHz, { minval: 0 });
      s.dampingRatio = c.getFloat(`DAMPING_RATIO_${u}`, s.dampingRatio, { minval: 0, below: 1 });
      s.a = list(`SHAPER_A_${u}`, s.a);
      s.tS = list(`SHAPER_T_${u}`, s.tS);
      if (s.type === 'custom') {
        try {
          checkCustom(n, s.a, s.tS);
        } catch (e) {
          throw c.error((e as Error).message);
        }
      }
    }
    this.axes.x = next.x;
    this.axes.y = next.y;
    this.apply();
    for (const n of ['x', 'y'] as const) gcode.respondInfo(this.report(n));
  }

  /** Klipper's SET_INPUT_SHAPER line for one axis: "shaper_type_x:mzv shaper_freq_x:50.000 damping_ratio_x:0.100000". */
  report(n: 'x' | 'y'): string {
    const s = this.axes[n];
    const parts = [`shaper_type_${n}:${s.type}`];
    if (s.type === 'custom') {
      parts.push(`shaper_a_${n}:${s.a.map((v) => v.toFixed(6)).join(',')}`, `shaper_t_${n}:${s.tS.map((v) => v.toFixed(6)).join(',')}`);
    } else {
      parts.push(`shaper_freq_${n}:${s.freqHz.toFixed(3)}`, `damping_ratio_${n}:${s.dampingRatio.toFixed(6)}`);
    }
    return parts.join(' ');
  }

  /** printer.input_shaper: each axis's settings. */
  getStatus(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const n of ['x', 'y'] as const) {
      const s = this.axes[n];
      out[`shaper_type_${n}`] = s.type;
      out[`shaper_freq_${n}`] = s.freqHz;
      out[`damping_ratio_${n}`] = s.dampingRatio;
      if (s.type === 'custom') {
        out[`shaper_a_${n}`] = [...s.a];
        out[`shaper_t_${n}`] = [...s.tS];
      }
    }
    return out;
  }
}
