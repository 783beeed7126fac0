// [resonance_tester]: TEST_RESONANCES shakes the toolhead along one axis while an accelerometer
// records it, the frequency rising from min_freq to max_freq at hz_per_sec with an acceleration
// of accel_per_hz * frequency (each half period is one move accelerating then decelerating);
// SHAPER_CALIBRATE runs that per axis, finds each shaper's frequency from the spectrum
// (shaper-calibrate.ts), prints the recommendation and offers it to SAVE_CONFIG.
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import type { AccelSample, AccelerometerCommands } from './adxl345';
import { RESONANCE_TESTER_OPTIONS } from './resonance-tester-options';
import { fitShapers, welchPsd, type ShaperFit } from './shaper-calibrate';

type Axis = 'x' | 'y';

/** The sweep as moves: per half period the distance (mm, signed) and acceleration (mm/s^2). */
export function sweepMoves(
  minHz: number,
  maxHz: number,
  hzPerSec: number,
  accelPerHz: number,
): { dMm: number; accelMmS2: number; freqHz: number }[] {
  const out: { dMm: number; accelMmS2: number; freqHz: number }[] = [];
  let t = 0;
  let sign = 1;
  for (let f = minHz; f <= maxHz;) {
    const half = 1 / (2 * f);
    const accel = accelPerHz * f;
    // Accelerate for half of the half period, decelerate for the other: d = a (half/2)^2.
    out.push({ dMm: sign * accel * (half / 2) ** 2, accelMmS2: accel, freqHz: f });
    sign = -sign;
    t += half;
    f = minHz + t * hzPerSec;
  }
  return out;
}

export class ResonanceTester {
  private readonly o: ReturnType<ConfigSection['read']> & Record<string, unknown>;
  private readonly probePoint: [number, number, number];

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    section: ConfigSection,
  ) {
    const o = section.read(RESONANCE_TESTER_OPTIONS);
    this.o = o as never;
    const first =
      o.probe_points
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)[0] ?? '';
    const xyz = first.split(',').map((v) => Number(v.trim()));
    if (xyz.length !== 3 || xyz.some((v) => !Number.isFinite(v)))
      throw section.error('probe_points', `Invalid probe_points "${first}": give "x, y, z" per line`);
    this.probePoint = xyz as [number, number, number];
    if (o.max_freq <= o.min_freq) throw section.error('max_freq', 'max_freq must be above min_freq');
    gcode.register('TEST_RESONANCES', (c) => this.cmdTest(c), {
      help: 'Runs the resonance test for a specified axis',
      params: { AXIS: 'X or Y', FREQ_START: 'Hz', FREQ_END: 'Hz', HZ_PER_SEC: 'Hz/s', ACCEL_PER_HZ: 'mm/s^2 per Hz', NAME: 'CSV suffix' },
    });
    gcode.register('SHAPER_CALIBRATE', (c) => this.cmdCalibrate(c), {
      help: 'Simplified command to measure resonances and tune the input shaper',
      params: { AXIS: 'X or Y (default both)', FREQ_START: 'Hz', FREQ_END: 'Hz', HZ_PER_SEC: 'Hz/s' },
    });
  }

  private opt(name: string): number {
    return this.o[name] as number;
  }

  private chipFor(axis: Axis): string | undefined {
    return (this.o[`accel_chip_${axis}`] as string | undefined) ?? (this.o.accel_chip as string | undefined);
  }

  /** Shake one axis and record it: the samples' acceleration along that axis. */
  private async shake(c: GCodeCommand, axis: Axis): Promise<{ samples: AccelSample[]; minHz: number; maxHz: number }> {
    const minHz = c.getFloat('FREQ_START', this.opt('min_freq'), { minval: 1 });
    const maxHz = c.getFloat('FREQ_END', this.opt('max_freq'), { minval: minHz + 1, maxval: 300 });
    const hzPerSec = c.getFloat('HZ_PER_SEC', this.opt('hz_per_sec'), { above: 0, maxval: 100 });
    const accelPerHz = c.getFloat('ACCEL_PER_HZ', this.opt('accel_per_hz'), { above: 0 });
    const cmds = this.printer.lookupObjectOrNull<AccelerometerCommands>('accelerometer_commands');
    if (!cmds)
      throw c.error('TEST_RESONANCES needs an accelerometer: add an [adxl345], [lis2dw], [lis3dh], [mpu9250] or [icm20948] section');
    const chipName = this.chipFor(axis)?.replace(/^adxl345\s*/, '') || undefined;
    const chip = cmds.chip(null, chipName);
    const toolhead = this.printer.lookupObject<{ getStatus(): Record<string, unknown> }>('toolhead');
    const st = toolhead.getStatus();
    const [px, py, pz] = this.probePoint;
    const speed = this.opt('move_speed') * 60;
    await this.gcode.runLines(['G90', `G1 X${px} Y${py} Z${pz} F${speed}`, 'M400']);
    const rec = await chip.measure();
    let samples: AccelSample[] = [];
    try {
      this.gcode.respondInfo(`Testing frequency ${minHz.toFixed(0)}..${maxHz.toFixed(0)} Hz on ${axis.toUpperCase()}`);
      const lines: string[] = ['G91'];
      let lastAccel = 0;
      for (const m of sweepMoves(minHz, maxHz, hzPerSec, accelPerHz)) {
        // The acceleration changes by whole percent steps only: fewer limit changes, same sweep.
        if (Math.abs(m.accelMmS2 - lastAccel) > lastAccel * 0.01) {
          lastAccel = m.accelMmS2;
          lines.push(`SET_VELOCITY_LIMIT ACCEL=${m.accelMmS2.toFixed(1)} MINIMUM_CRUISE_RATIO=0`);
        }
        lines.push(`G1 ${axis.toUpperCase()}${m.dMm.toFixed(5)} F${(m.accelMmS2 * (1 / (4 * m.freqHz)) * 60 * 1.5).toFixed(1)}`);
      }
      lines.push('G90', 'M400');
      await this.gcode.runLines(lines);
    } finally {
      await this.gcode.runLines([
        `SET_VELOCITY_LIMIT ACCEL=${Number(st.max_accel)} MINIMUM_CRUISE_RATIO=${Number(st.minimum_cruise_ratio ?? 0.5)}`,
        'G90',
      ]);
      samples = await rec.finish();
    }
    return { samples, minHz, maxHz };
  }

  private axesOf(c: GCodeCommand, required: boolean): Axis[] {
    const a = c
      .get('AXIS', required ? undefined : '')
      .trim()
      .toLowerCase();
    if (a === '' && !required) return ['x', 'y'];
    if (a !== 'x' && a !== 'y') throw c.error(`Unsupported axis '${a}': use AXIS=X or AXIS=Y`);
    return [a];
  }

  private async cmdTest(c: GCodeCommand): Promise<void> {
    const [axis] = this.axesOf(c, true);
    const { samples } = await this.shake(c, axis!);
    this.gcode.respondInfo(`Resonance test on ${axis!.toUpperCase()} done: ${samples.length} samples`);
  }

  /** The fit for one axis from its recording. */
  static fitAxis(samples: AccelSample[], axis: Axis, minHz: number, maxHz: number): { fits: ShaperFit[]; best: ShaperFit } {
    if (samples.length < 256) throw new Error(`too few accelerometer samples (${samples.length}) to calibrate`);
    const rateHz = (samples.length - 1) / (samples[samples.length - 1]!.timeS - samples[0]!.timeS);
    const spectrum = welchPsd(
      samples.map((s) => s[axis]),
      rateHz,
    );
    const keep = spectrum.freqsHz.map((f) => f >= minHz && f <= maxHz);
    return fitShapers(
      { freqsHz: spectrum.freqsHz.filter((_, i) => keep[i]), psd: spectrum.psd.filter((_, i) => keep[i]) },
      Math.max(5, minHz),
      maxHz,
    );
  }

  private async cmdCalibrate(c: GCodeCommand): Promise<void> {
    for (const axis of this.axesOf(c, false)) {
      const { samples, minHz, maxHz } = await this.shake(c, axis);
      let fit: { fits: ShaperFit[]; best: ShaperFit };
      try {
        fit = ResonanceTester.fitAxis(samples, axis, minHz, maxHz);
      } catch (e) {
        throw c.error((e as Error).message);
      }
      for (const f of fit.fits)
        this.gcode.respondInfo(
          `Fitted shaper '${f.type}' frequency = ${f.freqHz.toFixed(1)} Hz (vibrations = ${(f.vibrations * 100).toFixed(1)}%)`,
        );
      const b = fit.best;
      this.gcode.respondInfo(`Recommended shaper_type_${axis} = ${b.type}, shaper_freq_${axis} = ${b.freqHz.toFixed(1)} Hz`);
      const configfile = this.printer.lookupObjectOrNull<{ set?(section: string, option: string, value: string): void }>('configfile');
      configfile?.set?.('input_shaper', `shaper_type_${axis}`, b.type);
      configfile?.set?.('input_shaper', `shaper_freq_${axis}`, b.freqHz.toFixed(1));
    }
    this.gcode.respondInfo('The SAVE_CONFIG command will update the printer config file with these parameters and restart the printer.');
  }
}
