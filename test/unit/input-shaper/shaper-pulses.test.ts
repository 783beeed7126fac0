// The shaper pulse trains, checked against an independent simulation: a damped oscillator
// (x'' + 2 z w x' + w^2 x = w^2 u) driven by a unit step split into the shaper's pulses is
// integrated with RK4, and its vibration left after the last pulse is compared with the plain
// step's. Zero-vibration shapers (zv, mzv, zvd) must cancel it at their design frequency and
// damping; the extra-insensitive ones keep it near their 5% tolerance over a wide band.

import { describe, expect, it } from 'vitest';
import {
  centredPulses,
  residualVibration,
  shaperPulses,
  SHAPER_TYPES,
  type ShaperPulses,
} from '../../../src-main/host/motion/input-shaper.js';

/** Vibration amplitude after all pulses of a shaped unit step, relative to an unshaped step's. */
function simulatedVibration(p: ShaperPulses, freqHz: number, z: number): number {
  const w = 2 * Math.PI * freqHz;
  const wd = w * Math.sqrt(1 - z * z);
  const tStart = p.tS[0]!;
  const tEnd = p.tS.at(-1)! + 1e-9;
  const dt = 1 / freqHz / 4000;
  let x = 0;
  let v = 0;
  let t = tStart - dt;
  const u = (tt: number): number => p.a.reduce((s, a, i) => s + (tt >= p.tS[i]! ? a : 0), 0);
  const acc = (xx: number, vv: number, uu: number): number => -2 * z * w * vv - w * w * (xx - uu);
  while (t < tEnd) {
    const uu = u(t + dt * 0.5);
    // RK4 with the input held over the step (pulses fall on step edges closely enough at dt = T/4000).
    const k1x = v;
    const k1v = acc(x, v, uu);
    const k2x = v + 0.5 * dt * k1v;
    const k2v = acc(x + 0.5 * dt * k1x, v + 0.5 * dt * k1v, uu);
    const k3x = v + 0.5 * dt * k2v;
    const k3v = acc(x + 0.5 * dt * k2x, v + 0.5 * dt * k2v, uu);
    const k4x = v + dt * k3v;
    const k4v = acc(x + dt * k3x, v + dt * k3v, uu);
    x += (dt / 6) * (k1x + 2 * k2x + 2 * k3x + k4x);
    v += (dt / 6) * (k1v + 2 * k2v + 2 * k3v + k4v);
    t += dt;
  }
  // Amplitude of the free damped oscillation around 1 right after the last pulse, relative to a
  // plain step's initial amplitude (the usual definition of percent residual vibration).
  const e = x - 1;
  return Math.hypot(e, (v + z * w * e) / wd);
}

describe('shaper pulse trains', () => {
  for (const type of SHAPER_TYPES) {
    it(`${type}: amplitudes sum to 1, times centred, vibration as designed`, () => {
      const p = shaperPulses(type, 40, 0.1);
      expect(p.a.reduce((s, a) => s + a, 0)).toBeCloseTo(1, 12);
      expect(p.a.reduce((s, a, i) => s + a * p.tS[i]!, 0)).toBeCloseTo(0, 12);
      for (const a of p.a) expect(a).toBeGreaterThan(0);
      const sim = simulatedVibration(p, 40, 0.1);
      const formula = residualVibration(p, 40, 0.1);
      console.log(
        `${type}: ${p.a.length} pulses over ${((p.tS.at(-1)! - p.tS[0]!) * 1000).toFixed(2)} ms, vibration at 40 Hz ${(sim * 100).toFixed(3)}% (formula ${(formula * 100).toFixed(3)}%)`,
      );
      expect(Math.abs(sim - formula)).toBeLessThan(0.003);
      if (type === 'zv' || type === 'mzv' || type === 'zvd') expect(sim).toBeLessThan(0.003);
      else {
        // EI family: at most ~5% over +-15% of the design frequency (wider for more humps).
        const band = [0.85, 0.9, 0.95, 1, 1.05, 1.1, 1.15].map((k) => simulatedVibration(p, 40 * k, 0.1));
        console.log(`${type}: vibration over 34..46 Hz ${band.map((b) => (b * 100).toFixed(2)).join(' ')} %`);
        for (const b of band) expect(b).toBeLessThan(0.055);
      }
    });
  }

  it('zv is two pulses half a damped period apart, the second smaller by the decay', () => {
    const z = 0.1;
    const p = shaperPulses('zv', 50, z);
    const td = 1 / (50 * Math.sqrt(1 - z * z));
    expect(p.tS[1]! - p.tS[0]!).toBeCloseTo(td / 2, 12);
    expect(p.a[1]! / p.a[0]!).toBeCloseTo(Math.exp((-z * Math.PI) / Math.sqrt(1 - z * z)), 12);
  });

  it('custom pulses are normalised and centred', () => {
    const p = centredPulses([1, 2, 1], [0, 0.01, 0.03]);
    expect(p.a).toEqual([0.25, 0.5, 0.25]);
    expect(p.tS[0]).toBeCloseTo(-0.0125, 12);
    expect(() => centredPulses([1, 2], [0])).toThrow(/as many amplitudes as times/);
  });
});
