// Sensor math: datasheet points come back out of the fitted curves, ADC <-> temperature round trips.
import { describe, expect, it } from 'vitest';
import { resolveResistanceSensor } from '../../../src-main/host/objects/temperature-sensor';
import {
  BUILTIN_THERMISTORS,
  DividerSensor,
  platinumCurve,
  steinhartHartCurve,
  steinhartHartFrom,
} from '../../../src-main/host/objects/thermistor';
import { Printer } from '../../../src-main/host/printer';
import { VerifyHeater } from '../../../src-main/host/objects/verify-heater';
import type { Heater } from '../../../src-main/host/objects/heater';

describe('thermistors', () => {
  it('every three-point built-in reproduces its datasheet points', () => {
    for (const [name, p] of Object.entries(BUILTIN_THERMISTORS)) {
      if (p.beta !== undefined) continue;
      const c = steinhartHartCurve(steinhartHartFrom(p));
      for (const [t, r] of [
        [p.t1, p.r1],
        [p.t2!, p.r2!],
        [p.t3!, p.r3!],
      ]) {
        expect(c.tempFromOhm(r), name).toBeCloseTo(t, 6);
        expect(c.ohmFromTemp(t) / r, name).toBeCloseTo(1, 6);
      }
    }
  });

  it('beta curves: R0 at T0, and the beta relation elsewhere', () => {
    const c = steinhartHartCurve(steinhartHartFrom({ t1: 25, r1: 100000, beta: 3950 }));
    expect(c.ohmFromTemp(25)).toBeCloseTo(100000, 3);
    const expected = 100000 * Math.exp(3950 * (1 / 473.15 - 1 / 298.15));
    expect(c.ohmFromTemp(200)).toBeCloseTo(expected, 3);
  });

  it('PT1000: 1000 ohm at 0 C, 1385.055 ohm at 100 C', () => {
    const c = platinumCurve(1000);
    expect(c.ohmFromTemp(0)).toBeCloseTo(1000, 6);
    expect(c.ohmFromTemp(100)).toBeCloseTo(1385.055, 3);
    expect(c.tempFromOhm(1385.055)).toBeCloseTo(100, 3);
  });

  it('divider with pullup and inline resistor round-trips ADC and temperature', () => {
    const s = new DividerSensor(resolveResistanceSensor(null, 'ATC Semitec 104GT-2').curve, 4700, 100);
    for (const t of [0, 25, 100, 200, 280]) expect(s.tempFromAdc(s.adcFromTemp(t))).toBeCloseTo(t, 6);
    // Hotter = lower resistance = lower ADC fraction.
    expect(s.adcFromTemp(200)).toBeLessThan(s.adcFromTemp(25));
  });

  it('unknown sensor types name the supported ones', () => {
    expect(() => resolveResistanceSensor(null, 'MAX6675')).toThrow(/Unknown temperature sensor 'MAX6675'.*Generic 3950/);
  });
});

describe('verify_heater', () => {
  function run(temps: (t: number) => number, seconds: number) {
    const printer = new Printer();
    let now = 0;
    const heater = { name: 'extruder', targetC: 200, smoothedTempC: 25 } as Heater;
    const v = new VerifyHeater(printer, heater, { maxError: 120, checkGainTimeS: 20, hysteresis: 5, heatingGain: 2 }, () => now);
    for (now = 1; now <= seconds; now++) {
      heater.smoothedTempC = temps(now);
      const fault = v.check();
      if (fault) return { fault, at: now, state: printer.stateMessage };
    }
    return null;
  }

  it('a heater stuck cold faults once check_gain_time passes without 2 C of gain', () => {
    const r = run(() => 25, 60)!;
    expect(r.fault).toMatch(/^Heater extruder not heating at expected rate/);
    expect(r.at).toBeGreaterThanOrEqual(20);
    expect(r.at).toBeLessThanOrEqual(22);
    expect(r.state).toMatch(/not heating at expected rate/);
  });

  it('a heater warming 1 C/s never faults; one falling far below target later does', () => {
    expect(run((t) => Math.min(200, 25 + t), 300)).toBeNull();
    const r = run((t) => (t < 200 ? Math.min(200, 25 + t) : 150), 400)!;
    expect(r.fault).toMatch(/not heating at expected rate/);
    expect(r.at).toBeGreaterThan(200); // 120 C*s of error at 45 C below target: ~3 s
    expect(r.at).toBeLessThan(206);
  });
});
