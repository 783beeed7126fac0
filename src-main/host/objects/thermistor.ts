// Temperature from an ADC reading of a resistive sensor in a voltage divider (pullup to Vref,
// sensor to ground), and back, so min_temp/max_temp can become ADC range limits for the MCU.
// NTC thermistors follow Steinhart-Hart (1/T = a + b ln R + c ln^3 R), fitted from three
// datasheet points or from a beta value; PT1000 follows the Callendar-Van Dusen equation.

/** A sensor curve: resistance (ohm) <-> temperature (C). */
export interface ResistanceCurve {
  tempFromOhm(r: number): number;
  ohmFromTemp(tempC: number): number;
}

const KELVIN = 273.15;

export interface ThermistorPoints {
  t1: number;
  r1: number;
  t2?: number;
  r2?: number;
  t3?: number;
  r3?: number;
  beta?: number;
}

/** Steinhart-Hart coefficients (T in K, R in ohm). */
export interface SteinhartHart {
  a: number;
  b: number;
  c: number;
}

/** Fits Steinhart-Hart from three points, or from one point and beta (c = 0). */
export function steinhartHartFrom(p: ThermistorPoints): SteinhartHart {
  const inv1 = 1 / (p.t1 + KELVIN);
  const ln1 = Math.log(p.r1);
  if (p.beta !== undefined) {
    const b = 1 / p.beta;
    return { a: inv1 - b * ln1, b, c: 0 };
  }
  if (p.t2 === undefined || p.r2 === undefined || p.t3 === undefined || p.r3 === undefined)
    throw new Error('a thermistor needs beta or three temperature/resistance pairs');
  const inv2 = 1 / (p.t2 + KELVIN);
  const inv3 = 1 / (p.t3 + KELVIN);
  const ln2 = Math.log(p.r2);
  const ln3 = Math.log(p.r3);
  const cub = (x: number) => x * x * x;
  const d12 = ln1 - ln2;
  const d13 = ln1 - ln3;
  const c = (inv1 - inv2 - (d12 * (inv1 - inv3)) / d13) / (cub(ln1) - cub(ln2) - (d12 * (cub(ln1) - cub(ln3))) / d13);
  if (!(c > 0)) {
    // The three points do not make a valid curve: use the beta through the outer two.
    const beta = d13 / (inv1 - inv3);
    return steinhartHartFrom({ t1: p.t1, r1: p.r1, beta });
  }
  const b = (inv1 - inv2 - c * (cub(ln1) - cub(ln2))) / d12;
  return { a: inv1 - b * ln1 - c * cub(ln1), b, c };
}

export function steinhartHartCurve(sh: SteinhartHart): ResistanceCurve {
  return {
    tempFromOhm(r) {
      const ln = Math.log(Math.max(r, 1e-9));
      return 1 / (sh.a + sh.b * ln + sh.c * ln * ln * ln) - KELVIN;
    },
    ohmFromTemp(tempC) {
      const inv = 1 / (tempC + KELVIN);
      if (sh.c === 0) return Math.exp((inv - sh.a) / sh.b);
      // c x^3 + b x + (a - inv) = 0 has one real root (b, c > 0): Cardano.
      const p = sh.b / sh.c;
      const q = (sh.a - inv) / sh.c;
      const s = Math.sqrt((q * q) / 4 + (p * p * p) / 27);
      return Math.exp(Math.cbrt(-q / 2 + s) + Math.cbrt(-q / 2 - s));
    },
  };
}

/** PT1000 (and PT100 with base 100): R = R0 (1 + A T + B T^2) above 0 C. */
export function platinumCurve(baseOhm: number): ResistanceCurve {
  const A = 3.9083e-3;
  const B = -5.775e-7;
  return {
    tempFromOhm(r) {
      return (-A + Math.sqrt(A * A - 4 * B * (1 - r / baseOhm))) / (2 * B);
    },
    ohmFromTemp(t) {
      return baseOhm * (1 + A * t + B * t * t);
    },
  };
}

/** Built-in thermistors by Klipper's sensor_type names (datasheet points). */
export const BUILTIN_THERMISTORS: Record<string, ThermistorPoints> = {
  'EPCOS 100K B57560G104F': { t1: 25, r1: 100000, t2: 150, r2: 1641.9, t3: 250, r3: 226.15 },
  'ATC Semitec 104GT-2': { t1: 20, r1: 126800, t2: 150, r2: 1360, t3: 300, r3: 80.65 },
  'ATC Semitec 104NT-4-R025H42G': { t1: 25, r1: 100000, t2: 160, r2: 1074, t3: 300, r3: 82.78 },
  'Generic 3950': { t1: 25, r1: 100000, beta: 3950 },
  'Honeywell 100K 135-104LAG-J01': { t1: 25, r1: 100000, beta: 3974 },
  'NTC 100K MGB18-104F39050L32': { t1: 25, r1: 100000, beta: 4100 },
  'SliceEngineering 450': { t1: 25, r1: 500000, t2: 200, r2: 3734, t3: 400, r3: 240 },
  'TDK NTCG104LH104JT1': { t1: 25, r1: 100000, t2: 50, r2: 31230, t3: 125, r3: 2066 },
};

/** Platinum RTDs wired directly to an ADC pin with a pullup. */
export const BUILTIN_PLATINUM: Record<string, number> = { PT1000: 1000 };

/** ADC fraction (0..1) <-> temperature: what an ADC temperature sensor needs of its sensor. */
export interface AdcCurve {
  tempFromAdc(adc: number): number;
  adcFromTemp(tempC: number): number;
}

/** A sensor read through a pullup divider: ADC fraction (0..1) <-> temperature. */
export class DividerSensor implements AdcCurve {
  constructor(
    readonly curve: ResistanceCurve,
    readonly pullupOhm = 4700,
    readonly inlineOhm = 0,
  ) {}

  tempFromAdc(adc: number): number {
    const a = Math.max(0.00001, Math.min(0.99999, adc));
    const r = (this.pullupOhm * a) / (1 - a) - this.inlineOhm;
    return this.curve.tempFromOhm(r);
  }

  adcFromTemp(tempC: number): number {
    const r = this.curve.ohmFromTemp(tempC) + this.inlineOhm;
    return r / (this.pullupOhm + r);
  }
}
