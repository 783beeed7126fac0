// Input shaper calibration from accelerometer samples (the published method, our own code):
// the power spectral density of the acceleration by Welch's method (Hann windows, half
// overlapping, averaged periodograms), then for each shaper type and candidate frequency the
// vibration left after shaping: for every frequency bin the shaper's residual vibration there
// (the worst over a few damping ratios) weighs the part of the spectrum above a noise threshold
// (5% of its peak). Each type gets the highest frequency leaving about the least vibration (lower
// ones smooth more); the recommendation
// is the type leaving the least, a shorter (less smoothing) type winning near-ties.
import { SHAPER_TYPES, residualVibration, shaperPulses, type ShaperType } from '../motion/index';

/** In-place radix-2 FFT (re, im of a power-of-2 length). */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(ang * k);
        const wi = Math.sin(ang * k);
        const a = i + k;
        const b = a + len / 2;
        const xr = re[b]! * wr - im[b]! * wi;
        const xi = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a] = re[a]! + xr;
        im[a] = im[a]! + xi;
      }
    }
  }
}

export interface Spectrum {
  freqsHz: number[];
  /** Power spectral density, (mm/s^2)^2 / Hz. */
  psd: number[];
}

/** Welch's PSD of `signal` sampled at rateHz, segments of `segment` samples (power of 2). */
export function welchPsd(signal: ArrayLike<number>, rateHz: number, segment?: number): Spectrum {
  let n = segment ?? 1 << Math.floor(Math.log2(Math.max(2, Math.min(signal.length, rateHz))));
  if (n & (n - 1)) throw new Error('Welch segment length must be a power of 2');
  if (signal.length < n) n = 1 << Math.floor(Math.log2(Math.max(2, signal.length)));
  const window = Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
  const windowPower = window.reduce((a, w) => a + w * w, 0);
  const psd = new Float64Array(n / 2 + 1);
  let count = 0;
  for (let start = 0; start + n <= signal.length; start += n / 2) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += signal[start + i]! / n;
    const re = new Float64Array(n);
    const im = new Float64Array(n);
    for (let i = 0; i < n; i++) re[i] = (signal[start + i]! - mean) * window[i]!;
    fft(re, im);
    for (let k = 0; k <= n / 2; k++) {
      const one = (re[k]! ** 2 + im[k]! ** 2) / (rateHz * windowPower);
      psd[k]! += k === 0 || k === n / 2 ? one : 2 * one; // one-sided
    }
    count++;
  }
  return {
    freqsHz: Array.from({ length: n / 2 + 1 }, (_, k) => (k * rateHz) / n),
    psd: Array.from(psd, (p) => p / Math.max(1, count)),
  };
}

/** The damping ratios a shaper is judged against (real printers' range). */
const TEST_DAMPING_RATIOS = [0.075, 0.1, 0.15];
/** Vibration below this share of the spectrum's peak is noise, not worth shaping away. */
const NOISE_SHARE = 0.05;

/** The share (0..1) of the spectrum's vibration left with this shaper. */
export function remainingVibration(spectrum: Spectrum, type: Exclude<ShaperType, 'custom'>, freqHz: number, dampingRatio = 0.1): number {
  const pulses = shaperPulses(type, freqHz, dampingRatio);
  const threshold = Math.max(...spectrum.psd) * NOISE_SHARE;
  let left = 0;
  let all = 0;
  spectrum.freqsHz.forEach((f, i) => {
    const p = spectrum.psd[i]!;
    if (f <= 0) return;
    const ratio = Math.max(...TEST_DAMPING_RATIOS.map((z) => residualVibration(pulses, f, z)));
    left += Math.max(p * ratio - threshold, 0);
    all += Math.max(p - threshold, 0);
  });
  return all > 0 ? left / all : 0;
}

export interface ShaperFit {
  type: Exclude<ShaperType, 'custom'>;
  freqHz: number;
  /** Share of the vibration left (0..1). */
  vibrations: number;
}

/** Each shaper type's best frequency over [minHz, maxHz] (0.2 Hz steps), and the recommendation. */
export function fitShapers(spectrum: Spectrum, minHz = 5, maxHz = 150): { fits: ShaperFit[]; best: ShaperFit } {
  const fits: ShaperFit[] = SHAPER_TYPES.map((type) => {
    const tried: ShaperFit[] = [];
    for (let f = minHz; f <= maxHz + 1e-9; f += 0.2)
      tried.push({ type, freqHz: Math.round(f * 10) / 10, vibrations: remainingVibration(spectrum, type, f) });
    // A lower frequency means a longer shaper and more smoothing: take the highest frequency
    // whose vibration is within 10% (+0.05 points) of the least.
    const least = Math.min(...tried.map((t) => t.vibrations));
    return tried.filter((t) => t.vibrations <= least * 1.1 + 0.0005).pop()!;
  });
  // SHAPER_TYPES runs from the shortest (least smoothing) to the longest: a longer one must
  // leave at least 1 percentage point less vibration to be worth its smoothing.
  let best = fits[0]!;
  for (const f of fits.slice(1)) if (f.vibrations < best.vibrations - 0.01) best = f;
  return { fits, best };
}
