// Motor current (A rms) <-> the drivers' current bits, by the datasheets' formulas:
//   TMC2208/2209/2130: I_rms = (CS+1)/32 * V_fs / (R_sense + 20 mOhm) / sqrt(2), V_fs by CHOPCONF.vsense
//   TMC5160:           I_rms = GLOBALSCALER/256 * (CS+1)/32 * V_fs / R_sense / sqrt(2)
//   TMC2660:           I_rms = (CS+1)/32 * V_fs / R_sense / sqrt(2) (external MOSFETs: no internal
//                      resistance), V_fs by DRVCONF.vsense, CS = SGCSCONF.cs
// CS is IRUN or IHOLD (0..31).

/** Full-scale sense voltages (V) by driver, vsense=0 and vsense=1 (electrical characteristics). */
export const SENSE_VOLTAGE = {
  tmc2208: { low: 0.325, high: 0.18 },
  tmc2209: { low: 0.325, high: 0.18 },
  tmc2130: { low: 0.32, high: 0.18 },
  tmc5160: { low: 0.325, high: 0.325 },
  tmc2660: { low: 0.31, high: 0.165 },
} as const;

/** The sense path's own resistance the integrated-MOSFET drivers add to R_sense. */
export const INTERNAL_OHM = 0.02;

function clampCs(x: number): number {
  return Math.max(0, Math.min(31, x));
}

/** Nearest CS for a current (clamped to 0..31). */
export function csForCurrent(currentA: number, senseOhm: number, vfsV: number, internalOhm = INTERNAL_OHM): number {
  return clampCs(Math.round((32 * Math.SQRT2 * currentA * (senseOhm + internalOhm)) / vfsV) - 1);
}

export function currentForCs(cs: number, senseOhm: number, vfsV: number, internalOhm = INTERNAL_OHM): number {
  return (((cs + 1) / 32) * vfsV) / (senseOhm + internalOhm) / Math.SQRT2;
}

export interface VsenseCurrentBits {
  vsense: 0 | 1;
  irun: number;
  ihold: number;
}

/**
 * vsense=1 (the lower full-scale voltage: finer steps, less heat in the sense resistor) unless
 * the run current needs the higher range and vsense=0 comes closer to it.
 */
export function vsenseCurrentBits(
  runA: number,
  holdA: number,
  senseOhm: number,
  vfs: { low: number; high: number },
  internalOhm = INTERNAL_OHM,
): VsenseCurrentBits {
  let vsense: 0 | 1 = 1;
  let irun = csForCurrent(runA, senseOhm, vfs.high, internalOhm);
  const reached = currentForCs(irun, senseOhm, vfs.high, internalOhm);
  if (irun === 31 && reached < runA) {
    const irunLow = csForCurrent(runA, senseOhm, vfs.low, internalOhm);
    if (Math.abs(runA - currentForCs(irunLow, senseOhm, vfs.low, internalOhm)) < Math.abs(runA - reached)) {
      vsense = 0;
      irun = irunLow;
    }
  }
  const v = vsense ? vfs.high : vfs.low;
  return { vsense, irun, ihold: csForCurrent(Math.min(holdA, runA), senseOhm, v, internalOhm) };
}

export interface GlobalScalerBits {
  /** Register value: 32..255, or 0 meaning 256 (full scale). */
  globalscaler: number;
  irun: number;
  ihold: number;
}

/** The scale (32..256) that lets IRUN=31 reach the run current; values below 32 are not allowed. */
function scaleFor(runA: number, senseOhm: number, vfsV: number): number {
  const s = Math.ceil((256 * runA * Math.SQRT2 * senseOhm) / vfsV);
  return Math.max(32, Math.min(256, s));
}

export function globalScalerCurrentBits(runA: number, holdA: number, senseOhm: number, vfsV: number): GlobalScalerBits {
  const scale = scaleFor(runA, senseOhm, vfsV);
  const cs = (a: number): number => clampCs(Math.round((32 * 256 * a * Math.SQRT2 * senseOhm) / (scale * vfsV)) - 1);
  return { globalscaler: scale === 256 ? 0 : scale, irun: cs(runA), ihold: cs(Math.min(holdA, runA)) };
}

export function currentForGlobalScaler(globalscaler: number, cs: number, senseOhm: number, vfsV: number): number {
  const scale = globalscaler === 0 ? 256 : globalscaler;
  return ((((scale / 256) * (cs + 1)) / 32) * vfsV) / senseOhm / Math.SQRT2;
}

/**
 * TMC2240: the full-scale peak current is K_IFS / R_REF, K_IFS (A*ohm) by DRV_CONF.current_range
 * (1, 2, 3, 3 A peak with the usual 12 kohm); then I_rms = GLOBALSCALER/256 * (CS+1)/32 * I_fs / sqrt2.
 */
export const TMC2240_KIFS = [11750, 24000, 36000, 36000] as const;

export interface RrefCurrentBits extends GlobalScalerBits {
  currentRange: number;
}

export function rrefCurrentBits(runA: number, holdA: number, rrefOhm: number): RrefCurrentBits {
  // The smallest range that reaches the run current keeps the most resolution.
  let currentRange = 2;
  for (let r = 0; r < 2; r++) {
    if (TMC2240_KIFS[r] / rrefOhm / Math.SQRT2 >= runA) {
      currentRange = r;
      break;
    }
  }
  const fullScaleA = TMC2240_KIFS[currentRange] / rrefOhm;
  const scale = Math.max(32, Math.min(256, Math.ceil((256 * runA * Math.SQRT2) / fullScaleA)));
  const cs = (a: number): number => clampCs(Math.round((32 * 256 * a * Math.SQRT2) / (scale * fullScaleA)) - 1);
  return { currentRange, globalscaler: scale === 256 ? 0 : scale, irun: cs(runA), ihold: cs(Math.min(holdA, runA)) };
}

export function currentForRref(currentRange: number, globalscaler: number, cs: number, rrefOhm: number): number {
  const scale = globalscaler === 0 ? 256 : globalscaler;
  return ((((scale / 256) * (cs + 1)) / 32) * (TMC2240_KIFS[currentRange] / rrefOhm)) / Math.SQRT2;
}

/** TMC2240 ADC_TEMP -> degrees C (datasheet: (ADC_TEMP - 2038) / 7.7). */
export function tmc2240TemperatureC(adcTemp: number): number {
  return (adcTemp - 2038) / 7.7;
}
