import { describe, expect, it } from 'vitest';
import { fitShapers, remainingVibration, welchPsd, type Spectrum } from '../../../src-main/host/objects/shaper-calibrate';

/** The spectrum a resonance at f0 (damping z) shows when driven evenly: |H(f)|^2 of a spring-mass
 * measured as acceleration, on 1 Hz bins from 1 to 150 Hz. */
function resonanceSpectrum(f0: number, z: number): Spectrum {
  const freqsHz = Array.from({ length: 150 }, (_, i) => i + 1);
  const psd = freqsHz.map((f) => {
    const r = f / f0;
    return (1 + (2 * z * r) ** 2) / ((1 - r * r) ** 2 + (2 * z * r) ** 2);
  });
  return { freqsHz, psd };
}

describe('Welch PSD', () => {
  it('finds a 48 Hz sine in noise at 3200 Hz, and its power (A^2/2) integrates back', () => {
    let seed = 1;
    const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 200;
    const rate = 3200;
    const signal = Array.from({ length: rate * 4 }, (_, i) => 1000 * Math.sin((2 * Math.PI * 48 * i) / rate) + noise());
    const s = welchPsd(signal, rate);
    const peak = s.psd.indexOf(Math.max(...s.psd));
    expect(Math.abs(s.freqsHz[peak]! - 48)).toBeLessThan(1.6); // one bin is 1.5625 Hz
    // Power near the peak (+-5 Hz) is the sine's mean square: 1000^2 / 2, within Hann leakage.
    const df = s.freqsHz[1]!;
    const near = s.psd.reduce((a, p, i) => (Math.abs(s.freqsHz[i]! - 48) <= 5 ? a + p * df : a), 0);
    expect(near / 500_000).toBeGreaterThan(0.95);
    expect(near / 500_000).toBeLessThan(1.05);
  });
});

describe('shaper scoring', () => {
  it('a shaper tuned to the resonance leaves little vibration, a mistuned one much more', () => {
    const s = resonanceSpectrum(48, 0.1);
    const tuned = remainingVibration(s, 'zv', 48);
    const off = remainingVibration(s, 'zv', 80);
    console.log(`shaper scoring: zv@48 leaves ${(tuned * 100).toFixed(1)}%, zv@80 ${(off * 100).toFixed(1)}%`);
    expect(tuned).toBeLessThan(0.1);
    expect(off).toBeGreaterThan(0.4);
    // A wider shaper (EI) tolerates being off by 10% better than ZV.
    expect(remainingVibration(s, 'ei', 48 * 1.1)).toBeLessThan(remainingVibration(s, 'zv', 48 * 1.1));
  });

  it('ZV/MZV fit a 48 Hz resonance at ~48 Hz, wider types above it; the recommendation is at ~48 Hz', () => {
    const { fits, best } = fitShapers(resonanceSpectrum(48, 0.1), 5, 150);
    console.log(
      `shaper fits: ${fits.map((f) => `${f.type}@${f.freqHz}:${(f.vibrations * 100).toFixed(1)}%`).join(' ')}; best ${best.type}@${best.freqHz}`,
    );
    // ZV and MZV cancel at their own frequency: near 48. The wider ones suppress a band below
    // their frequency, so the highest one still covering 48 Hz is above it (less smoothing).
    for (const f of fits.filter((x) => x.type === 'zv' || x.type === 'mzv')) expect(Math.abs(f.freqHz - 48)).toBeLessThan(2);
    for (const f of fits.filter((x) => x.type !== 'zv' && x.type !== 'mzv')) expect(f.freqHz).toBeGreaterThan(48);
    expect(fits).toContainEqual(best);
    expect(Math.abs(best.freqHz - 48)).toBeLessThan(2);
  });
});
