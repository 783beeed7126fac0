// Print time on a secondary MCU: print time -> main clock -> host time -> secondary clock, as
// one linear mapping, kept continuous when the clock estimates move.
import { describe, expect, it } from 'vitest';
import {
  ClockSync,
  nextSecondaryMapping,
  SECONDARY_CONVERGE_S,
  targetSecondaryMapping,
  type ClockEstimate,
  type ClockMapping,
} from '../../../src-main/host/mcu/clocksync';

const MAIN_HZ = 50e6;
const TOOL_HZ = 16e6;
const clockAt = (m: ClockMapping, printTimeS: number) => printTimeS * m.freq + m.offset;

/** A "true" clock: started at host time startS, running at freq (its nominal x (1 + ppm)). */
const trueClock = (startS: number, freq: number) => (hostS: number) => (hostS - startS) * freq;

describe('secondary MCU clock mapping', () => {
  // The main MCU booted at host time 100 s and runs 20 ppm fast; the toolboard booted at 137.25 s
  // and runs 35 ppm slow. Print time is main clock / 50 MHz.
  const mainFreq = MAIN_HZ * (1 + 20e-6);
  const toolFreq = TOOL_HZ * (1 - 35e-6);
  const mainClock = trueClock(100, mainFreq);
  const toolClock = trueClock(137.25, toolFreq);
  const estimate = (clockOf: (h: number) => number, freq: number, atS: number): ClockEstimate => ({
    timeS: atS,
    clock: clockOf(atS),
    freq,
  });

  it('maps a print time to the secondary clock of the same host instant', () => {
    const m = targetSecondaryMapping(MAIN_HZ, estimate(mainClock, mainFreq, 150), estimate(toolClock, toolFreq, 151));
    for (const hostS of [140, 160, 300.123]) {
      const printTimeS = mainClock(hostS) / MAIN_HZ;
      // Exact to well under one tick of the 16 MHz clock.
      expect(Math.abs(clockAt(m, printTimeS) - toolClock(hostS))).toBeLessThan(0.01);
    }
    // Slope: secondary ticks per print-time second = 16 MHz x (its rate / main's rate).
    expect(m.freq).toBeCloseTo((TOOL_HZ * toolFreq) / TOOL_HZ / (mainFreq / MAIN_HZ), 3);
  });

  it('ignoring the boot offset or the rates would be caught (the mapping is not clock/freq)', () => {
    const m = targetSecondaryMapping(MAIN_HZ, estimate(mainClock, mainFreq, 150), estimate(toolClock, toolFreq, 150));
    const printTimeS = mainClock(200) / MAIN_HZ;
    expect(Math.abs(printTimeS * TOOL_HZ - clockAt(m, printTimeS)) / TOOL_HZ).toBeGreaterThan(30); // 37.25 s apart
  });

  it('a new estimate bends the mapping: continuous at now, on target one convergence time later', () => {
    const old = targetSecondaryMapping(MAIN_HZ, estimate(mainClock, mainFreq, 150), estimate(toolClock, toolFreq, 150));
    // The toolboard estimate is corrected by 40 us (8 x 5 us of jitter averaged away, say).
    const corrected = { ...estimate(toolClock, toolFreq, 160), clock: toolClock(160) + 640 };
    const target = targetSecondaryMapping(MAIN_HZ, estimate(mainClock, mainFreq, 160), corrected);
    const nowS = mainClock(160) / MAIN_HZ;
    const next = nextSecondaryMapping(old, target, nowS);
    expect(clockAt(next, nowS)).toBeCloseTo(clockAt(old, nowS), 3);
    expect(clockAt(next, nowS + SECONDARY_CONVERGE_S)).toBeCloseTo(clockAt(target, nowS + SECONDARY_CONVERGE_S), 3);
    // Time keeps running forward at nearly the nominal rate (no jump, no reversal).
    expect(Math.abs(next.freq / target.freq - 1)).toBeLessThan(1e-3);
    expect(nextSecondaryMapping(null, target, nowS)).toEqual(target);
  });

  it('a wild estimate cannot make the mapping race or run backwards', () => {
    const old = targetSecondaryMapping(MAIN_HZ, estimate(mainClock, mainFreq, 150), estimate(toolClock, toolFreq, 150));
    const wild = { ...estimate(toolClock, toolFreq, 160), clock: toolClock(160) - 5 * TOOL_HZ }; // 5 s off
    const target = targetSecondaryMapping(MAIN_HZ, estimate(mainClock, mainFreq, 160), wild);
    const nowS = mainClock(160) / MAIN_HZ;
    const next = nextSecondaryMapping(old, target, nowS);
    expect(next.freq).toBeGreaterThan(target.freq * 0.998);
    expect(next.freq).toBeLessThan(target.freq * 1.002);
    expect(clockAt(next, nowS)).toBeCloseTo(clockAt(old, nowS), 3);
  });
});

describe('ClockSync.bestEstimate (what the mapping is built from)', () => {
  it('follows the fast round trips, not the average transit delay of a busy host', () => {
    const freq = 16e6;
    const sync = new ClockSync(freq, () => undefined);
    const truth = (hostS: number) => (hostS - 3) * freq * (1 + 40e-6); // 40 ppm fast crystal
    sync.start(truth(10), 10);
    // Every reply's request waited 0-8 ms before the MCU read its clock (half of them a lot);
    // the replies came straight back. 40 s of get_clock.
    let t = 10;
    for (let i = 0; i < 40; i++) {
      const waitS = i % 2 ? 0.008 : 0.0003 * (i % 3);
      sync.handleClock(truth(t + waitS) % 2 ** 32, t, t + waitS + 0.0002);
      t += 0.9839;
    }
    const clockAt = (e: ClockEstimate, hostS: number) => e.clock + (hostS - e.timeS) * e.freq;
    const errBestUs = Math.abs(clockAt(sync.bestEstimate(), t) - truth(t)) / 16;
    const errRegressionUs = Math.abs(clockAt(sync.estimate, t) - truth(t)) / 16;
    expect(errBestUs).toBeLessThan(300);
    expect(errBestUs).toBeLessThan(errRegressionUs);
    expect(Math.abs(sync.bestEstimate().freq / (freq * (1 + 40e-6)) - 1)).toBeLessThan(20e-6);
  });
});
