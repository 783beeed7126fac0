// The built-in analog amplifier sensor types read on an ADC pin (not SPI: they live beside the
// SPI chips as the other sensor types that need a chip's transfer function): AD595, AD597,
// AD8494, AD8495, AD8496, AD8497 (thermocouple amplifiers) and "PT100 INA826" (E3D's PT100
// amplifier). Each is a voltage table built from the chip's transfer function and the NIST
// ITS-90 thermocouple EMF polynomials, then read like an [adc_temperature] voltage table
// (adc_voltage, default 5 V, and voltage_offset).
import { adcTableCurve } from './adc-table';
import type { AdcCircuit } from './adc-table';
import type { AdcCurve } from './thermistor';
import { rtdOhmFromTemp } from './spi-temperature-chips';

/** NIST ITS-90 type K EMF (mV) at tempC: two polynomials, plus the exponential term above 0 C. */
export function typeKMillivolts(tempC: number): number {
  const t = tempC;
  if (t < 0) {
    const c = [
      0, 0.39450128025e-1, 0.23622373598e-4, -0.32858906784e-6, -0.49904828777e-8, -0.67509059173e-10, -0.57410327428e-12,
      -0.31088872894e-14, -0.10451609365e-16, -0.19889266878e-19, -0.16322697486e-22,
    ];
    return c.reduce((sum, ci, i) => sum + ci * t ** i, 0);
  }
  const c = [
    -0.17600413686e-1, 0.38921204975e-1, 0.18558770032e-4, -0.99457592874e-7, 0.31840945719e-9, -0.56072844889e-12, 0.56075059059e-15,
    -0.32020720003e-18, 0.97151147152e-22, -0.12104721275e-25,
  ];
  const poly = c.reduce((sum, ci, i) => sum + ci * t ** i, 0);
  return poly + 0.1185976 * Math.exp(-0.1183432e-3 * (t - 126.9686) ** 2);
}

/** NIST ITS-90 type J EMF (mV) at tempC (-210..760 C). */
export function typeJMillivolts(tempC: number): number {
  const c = [
    0, 0.50381187815e-1, 0.3047583693e-4, -0.8568106572e-7, 0.13228195295e-9, -0.17052958337e-12, 0.20948090697e-15, -0.12538395336e-18,
    0.15631725697e-22,
  ];
  return c.reduce((sum, ci, i) => sum + ci * tempC ** i, 0);
}

/** Output volts of each amplifier at a thermocouple (or RTD) temperature. */
const AMPLIFIERS: Record<string, { fromC: number; toC: number; volts: (tempC: number) => number }> = {
  // AD595: type K, gain 247.3 with its 11 uV offset (datasheet Table I: 25 C -> 250 mV).
  AD595: { fromC: -50, toC: 500, volts: (t) => ((typeKMillivolts(t) + 0.011) * 247.3) / 1000 },
  // AD597: type K, gain 245.5 (10 mV/C near 25 C).
  AD597: { fromC: -50, toC: 500, volts: (t) => (typeKMillivolts(t) * 245.5) / 1000 },
  // AD849x: 5 mV/C at their reference-junction calibration temperature (AD8494/95: 25 C,
  // AD8496/97: 60 C), gain 96.7 for type J (AD8494/96) and 122.4 for type K (AD8495/97).
  AD8494: { fromC: -50, toC: 500, volts: (t) => ad849x(typeJMillivolts, 96.7, 25, t) },
  AD8495: { fromC: -50, toC: 500, volts: (t) => ad849x(typeKMillivolts, 122.4, 25, t) },
  AD8496: { fromC: -50, toC: 500, volts: (t) => ad849x(typeJMillivolts, 96.7, 60, t) },
  AD8497: { fromC: -50, toC: 500, volts: (t) => ad849x(typeKMillivolts, 122.4, 60, t) },
  // E3D's PT100 board: the PT100 under a 4400 ohm pullup from 5 V, amplified 10x by an INA826.
  'PT100 INA826': { fromC: -50, toC: 500, volts: (t) => (10 * 5 * rtdOhmFromTemp(100, t)) / (4400 + rtdOhmFromTemp(100, t)) },
};

function ad849x(emf: (t: number) => number, gain: number, calC: number, t: number): number {
  return (gain * (emf(t) - emf(calC))) / 1000 + 0.005 * calC;
}

export const AMPLIFIER_SENSOR_TYPES = Object.keys(AMPLIFIERS);

/** [temperature C, volts] every 10 C over the amplifier's range; null for other sensor types. */
export function amplifierVoltageTable(sensorType: string): [number, number][] | null {
  const a = AMPLIFIERS[sensorType];
  if (!a) return null;
  const points: [number, number][] = [];
  for (let t = a.fromC; t <= a.toC; t += 10) points.push([t, a.volts(t)]);
  return points;
}

/** The ADC curve of a built-in amplifier type (adc_voltage/voltage_offset of its section), or null. */
export function amplifierCurve(sensorType: string, circuit: AdcCircuit): AdcCurve | null {
  const points = amplifierVoltageTable(sensorType);
  if (!points) return null;
  // Only points the ADC can tell apart: the table clamps voltages outside 0..adc_voltage, and
  // below 0 C some amplifiers' outputs go negative. Its end segments extend past the kept points.
  const vref = circuit.adcVoltage ?? 5;
  const offset = circuit.voltageOffset ?? 0;
  const visible = points.filter(([, v]) => v - offset > 0 && v - offset < vref);
  return adcTableCurve({ kind: 'voltage', points: visible }, circuit);
}
