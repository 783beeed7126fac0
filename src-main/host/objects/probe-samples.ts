// The sample maths of [probe]: several probes of one point combined into one height (average or
// median), the tolerance/retry rule, and PROBE_ACCURACY's statistics. Pure functions, so the
// rules are unit-tested without a printer.
import { GCodeError } from '../gcode/command';

export type SamplesResult = 'average' | 'median';

/** One probe's settings after PROBE's parameters override the [probe] section. */
export interface ProbeSampleSettings {
  probeSpeedMmS: number;
  liftSpeedMmS: number;
  samples: number;
  sampleRetractDistMm: number;
  samplesResult: SamplesResult;
  samplesToleranceMm: number;
  samplesToleranceRetries: number;
}

/** Positions combined axis by axis: the mean, or the sample(s) in the middle by height. */
export function combineSamples(positions: readonly number[][], how: SamplesResult): number[] {
  if (!positions.length) throw new Error('combineSamples: no samples');
  const n = positions.length;
  const mean = (ps: readonly number[][]) => ps[0]!.map((_, i) => ps.reduce((sum, p) => sum + p[i]!, 0) / ps.length);
  if (how === 'average') return mean(positions);
  const byZ = positions.slice().sort((a, b) => a[2]! - b[2]!);
  const mid = Math.floor(n / 2);
  // An even count has two middle samples: their mean.
  return n % 2 ? byZ[mid]!.slice() : mean([byZ[mid - 1]!, byZ[mid]!]);
}

/**
 * Probes one point `s.samples` times: `probeOnce` probes and returns where it triggered, `liftTo`
 * raises the nozzle to a height between samples. When the heights spread more than
 * samples_tolerance the point is probed again from scratch, up to samples_tolerance_retries
 * times (`note` tells the user), then it is an error (Klipper's message).
 */
export async function probeSamples(
  s: ProbeSampleSettings,
  probeOnce: () => Promise<number[]>,
  liftTo: (zMm: number) => void | Promise<void>,
  note: (msg: string) => void,
): Promise<number[][]> {
  let positions: number[][] = [];
  let retries = 0;
  while (positions.length < s.samples) {
    const pos = await probeOnce();
    positions.push(pos);
    const zs = positions.map((p) => p[2]!);
    if (Math.max(...zs) - Math.min(...zs) > s.samplesToleranceMm) {
      if (retries >= s.samplesToleranceRetries) throw new GCodeError('Probe samples exceed samples_tolerance');
      note('Probe samples exceed tolerance. Retrying...');
      retries++;
      positions = [];
    }
    if (positions.length < s.samples) await liftTo(pos[2]! + s.sampleRetractDistMm);
  }
  return positions;
}

export interface AccuracyStats {
  maximum: number;
  minimum: number;
  range: number;
  average: number;
  median: number;
  /** Population standard deviation (divided by n, as Klipper reports it). */
  standardDeviation: number;
}

export function accuracyStats(zs: readonly number[]): AccuracyStats {
  if (!zs.length) throw new Error('accuracyStats: no samples');
  const maximum = Math.max(...zs);
  const minimum = Math.min(...zs);
  const average = zs.reduce((a, b) => a + b, 0) / zs.length;
  const sorted = zs.slice().sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const variance = zs.reduce((sum, z) => sum + (z - average) ** 2, 0) / zs.length;
  return { maximum, minimum, range: maximum - minimum, average, median, standardDeviation: Math.sqrt(variance) };
}

/** PROBE_ACCURACY's result line (Klipper's wording and precision). */
export function formatAccuracy(a: AccuracyStats): string {
  const f = (v: number) => v.toFixed(6);
  return (
    `probe accuracy results: maximum ${f(a.maximum)}, minimum ${f(a.minimum)}, range ${f(a.range)}, ` +
    `average ${f(a.average)}, median ${f(a.median)}, standard deviation ${f(a.standardDeviation)}`
  );
}
