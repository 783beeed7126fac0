// What the SPI temperature chips say and how to set them up, from their datasheets' register
// maps: MAX6675 and MAX31855 (thermocouple converters, read-only frames), MAX31856 (thermocouple
// converter with registers) and MAX31865 (RTD converter: PT100/PT1000 against a reference
// resistor). Pure functions: raw value <-> degrees, the configuration bytes, fault bits -> words.
// The MCU's thermocouple.c reports `value` and `fault` as described at its top.

export const SPI_TEMPERATURE_CHIPS = ['MAX6675', 'MAX31855', 'MAX31856', 'MAX31865'] as const;
export type SpiTemperatureChip = (typeof SPI_TEMPERATURE_CHIPS)[number];

export function isSpiTemperatureChip(sensorType: string): sensorType is SpiTemperatureChip {
  return (SPI_TEMPERATURE_CHIPS as readonly string[]).includes(sensorType);
}

/** MAX31856 CR1 thermocouple type codes (bits 3..0). */
export const MAX31856_TC_TYPES: Record<string, number> = { B: 0, E: 1, J: 2, K: 3, N: 4, R: 5, S: 6, T: 7 };
/** MAX31856 CR1 averaging (bits 6..4): samples -> code. */
export const MAX31856_AVERAGING: Record<number, number> = { 1: 0, 2: 1, 4: 2, 8: 3, 16: 4 };

/** What the chip's section says about it (Klipper's option names, already checked). */
export interface SpiChipSettings {
  chip: SpiTemperatureChip;
  tcType: string;
  tcUse50Hz: boolean;
  tcAveragingCount: number;
  rtdNominalOhm: number;
  rtdReferenceOhm: number;
  rtdWires: number;
  rtdUse50Hz: boolean;
}

function signExtend(v: number, bits: number): number {
  const m = 2 ** bits;
  const x = v % m;
  return x >= m / 2 ? x - m : x;
}

/** IEC 60751 (Callendar-Van Dusen) coefficients of platinum RTDs. */
const CVD_A = 3.9083e-3;
const CVD_B = -5.775e-7;
const CVD_C = -4.183e-12;

/** RTD resistance at tempC for a platinum RTD of r0 ohm at 0 C (PT100: 100, PT1000: 1000). */
export function rtdOhmFromTemp(r0: number, tempC: number): number {
  const base = r0 * (1 + CVD_A * tempC + CVD_B * tempC * tempC);
  return tempC < 0 ? base + r0 * CVD_C * (tempC - 100) * tempC ** 3 : base;
}

/** Temperature of a platinum RTD: the quadratic above 0 C, Newton's method on the full equation below. */
export function rtdTempFromOhm(r0: number, ohm: number): number {
  const ratio = ohm / r0;
  if (ratio >= 1) return (-CVD_A + Math.sqrt(CVD_A * CVD_A - 4 * CVD_B * (1 - ratio))) / (2 * CVD_B);
  let t = (ratio - 1) / CVD_A;
  for (let i = 0; i < 20; i++) {
    const f = rtdOhmFromTemp(r0, t) - ohm;
    const d = r0 * (CVD_A + 2 * CVD_B * t + CVD_C * (4 * t ** 3 - 300 * t * t));
    const step = f / d;
    t -= step;
    if (Math.abs(step) < 1e-9) break;
  }
  return t;
}

/** The temperature field the MCU checks, in its raw units (signed), from the reported value. */
export function checkedRaw(chip: SpiTemperatureChip, value: number): number {
  switch (chip) {
    case 'MAX6675':
      return (value >>> 3) & 0xfff;
    case 'MAX31855':
      return signExtend((value >>> 18) & 0x3fff, 14);
    case 'MAX31856':
      return signExtend((value >>> 5) & 0x7ffff, 19);
    case 'MAX31865':
      return (value >>> 1) & 0x7fff;
  }
}

/** Degrees C from the value the MCU reported. */
export function tempFromValue(s: Pick<SpiChipSettings, 'chip' | 'rtdNominalOhm' | 'rtdReferenceOhm'>, value: number): number {
  const raw = checkedRaw(s.chip, value);
  switch (s.chip) {
    case 'MAX6675':
    case 'MAX31855':
      return raw * 0.25;
    case 'MAX31856':
      return raw / 128;
    case 'MAX31865':
      return rtdTempFromOhm(s.rtdNominalOhm, (raw / 32768) * s.rtdReferenceOhm);
  }
}

/** The raw reading (checked units) at tempC, clamped to what the chip can report. */
export function rawFromTemp(s: Pick<SpiChipSettings, 'chip' | 'rtdNominalOhm' | 'rtdReferenceOhm'>, tempC: number): number {
  const clamp = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, x));
  switch (s.chip) {
    case 'MAX6675':
      return clamp(Math.round(tempC * 4), 0, 0xfff);
    case 'MAX31855':
      return clamp(Math.round(tempC * 4), -0x2000, 0x1fff);
    case 'MAX31856':
      return clamp(Math.round(tempC * 128), -0x40000, 0x3ffff);
    case 'MAX31865':
      return clamp(Math.round((rtdOhmFromTemp(s.rtdNominalOhm, tempC) / s.rtdReferenceOhm) * 32768), 0, 0x7fff);
  }
}

/** min_temp/max_temp as the raw range the MCU enforces (a degree of margin against rounding). */
export function rawLimits(s: SpiChipSettings, minTempC: number, maxTempC: number): { minValue: number; maxValue: number } {
  return {
    minValue: rawFromTemp(s, minTempC) - (s.chip === 'MAX31856' ? 128 : 4),
    maxValue: rawFromTemp(s, maxTempC) + (s.chip === 'MAX31856' ? 128 : 4),
  };
}

/**
 * The register writes that set the chip up (bytes of one spi_send each: the address with bit 7
 * set, then the values of consecutive registers). MAX6675/MAX31855 have none.
 */
export function configWrites(s: SpiChipSettings): number[][] {
  if (s.chip === 'MAX31856') {
    // CR0: automatic conversion, open-circuit detection (OCFAULT 01), 50 or 60 Hz rejection.
    const cr0 = 0x80 | 0x10 | (s.tcUse50Hz ? 0x01 : 0);
    const cr1 = (MAX31856_AVERAGING[s.tcAveragingCount]! << 4) | MAX31856_TC_TYPES[s.tcType]!;
    const mask = 0x00; // every fault drives the FAULT pin and is reported in SR
    return [[0x80, cr0, cr1, mask]];
  }
  if (s.chip === 'MAX31865') {
    // Bias on, automatic conversion, 3-wire or 2/4-wire, clear old faults, 50 or 60 Hz filter.
    const cfg = 0x80 | 0x40 | (s.rtdWires === 3 ? 0x10 : 0) | 0x02 | (s.rtdUse50Hz ? 0x01 : 0);
    return [[0x80, cfg]];
  }
  return [];
}

const FAULT_BITS: Record<SpiTemperatureChip, [number, string][]> = {
  MAX6675: [[0x04, 'thermocouple input open']],
  MAX31855: [
    [0x01, 'thermocouple open circuit'],
    [0x02, 'thermocouple shorted to GND'],
    [0x04, 'thermocouple shorted to VCC'],
    [0x80, 'fault flag set without a cause'],
  ],
  MAX31856: [
    [0x80, 'cold-junction temperature out of range'],
    [0x40, 'thermocouple temperature out of range'],
    [0x20, 'cold junction above its high threshold'],
    [0x10, 'cold junction below its low threshold'],
    [0x08, 'thermocouple above its high threshold'],
    [0x04, 'thermocouple below its low threshold'],
    [0x02, 'over or under voltage (thermocouple shorted to GND or VCC?)'],
    [0x01, 'thermocouple open circuit'],
  ],
  MAX31865: [
    [0x80, 'RTD high threshold (RTD open or disconnected?)'],
    [0x40, 'RTD low threshold (RTD shorted?)'],
    [0x20, 'REFIN- above 0.85 x VBIAS'],
    [0x10, 'REFIN- below 0.85 x VBIAS (FORCE- open)'],
    [0x08, 'RTDIN- below 0.85 x VBIAS (FORCE- open)'],
    [0x04, 'over or under voltage'],
    [0x01, 'fault flag set without a cause'],
  ],
};

/** The faults a fault byte names, in words ('' when there is none). */
export function faultText(chip: SpiTemperatureChip, fault: number): string {
  const words = FAULT_BITS[chip].filter(([bit]) => fault & bit).map(([, w]) => w);
  if (!words.length && fault) words.push(`unknown fault bits 0x${fault.toString(16)}`);
  return words.join(', ');
}
