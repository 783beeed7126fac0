// sensor_type -> the resistance curve of the sensor: Klipper's built-in thermistors, PT1000 on a
// pullup, or a [thermistor NAME] section of the config. Also gives the Steinhart-Hart form the
// sim uses for its simulated sensor, so a simulated printer reads what the config describes.
import type { PrinterConfig } from '../config/section';
import {
  BUILTIN_PLATINUM,
  BUILTIN_THERMISTORS,
  platinumCurve,
  steinhartHartCurve,
  steinhartHartFrom,
  type ResistanceCurve,
  type SteinhartHart,
  type ThermistorPoints,
} from './thermistor';
import { THERMISTOR_OPTIONS } from './thermistor-options';
import { isSpiTemperatureChip, SPI_TEMPERATURE_CHIPS } from './spi-temperature-chips';
import { AMPLIFIER_SENSOR_TYPES } from './spi-temperature-amplifiers';

export interface ResolvedSensor {
  curve: ResistanceCurve;
  /** Steinhart-Hart coefficients for the sim (PT1000: a fit through 25/150/300 C). */
  simThermistor: SteinhartHart;
}

export class UnknownSensorError extends Error {}

/** Points of a [thermistor NAME] section (reads and checks its options). */
export function customThermistorPoints(config: PrinterConfig, name: string): ThermistorPoints | null {
  const s = config.getOrNull(`thermistor ${name}`);
  if (!s) return null;
  const o = s.read(THERMISTOR_OPTIONS);
  if (o.beta !== undefined) return { t1: o.temperature1, r1: o.resistance1, beta: o.beta };
  if (o.temperature2 === undefined || o.resistance2 === undefined || o.temperature3 === undefined || o.resistance3 === undefined)
    throw s.error('temperature2', `Section '${s.name}' needs beta, or temperature2/resistance2 and temperature3/resistance3`);
  return { t1: o.temperature1, r1: o.resistance1, t2: o.temperature2, r2: o.resistance2, t3: o.temperature3, r3: o.resistance3 };
}

export function resolveResistanceSensor(config: PrinterConfig | null, sensorType: string): ResolvedSensor {
  const points = BUILTIN_THERMISTORS[sensorType] ?? (config ? customThermistorPoints(config, sensorType) : null);
  if (points) {
    const sh = steinhartHartFrom(points);
    return { curve: steinhartHartCurve(sh), simThermistor: sh };
  }
  const base = BUILTIN_PLATINUM[sensorType];
  if (base !== undefined) {
    const curve = platinumCurve(base);
    const sh = steinhartHartFrom({
      t1: 25,
      r1: curve.ohmFromTemp(25),
      t2: 150,
      r2: curve.ohmFromTemp(150),
      t3: 300,
      r3: curve.ohmFromTemp(300),
    });
    return { curve, simThermistor: sh };
  }
  // SPI chips and amplifiers are no resistance curve: a printer reads them (heaters.ts
  // setupSensor); batch output (heater-batch.ts) asks here and is refused in these words.
  if (isSpiTemperatureChip(sensorType) || AMPLIFIER_SENSOR_TYPES.includes(sensorType)) {
    const thermistors = [...Object.keys(BUILTIN_THERMISTORS), ...Object.keys(BUILTIN_PLATINUM)];
    throw new UnknownSensorError(
      `Unknown temperature sensor '${sensorType}' as a thermistor: it is ${isSpiTemperatureChip(sensorType) ? 'an SPI temperature chip' : 'an analog amplifier'}, which batch output (tether batch) does not configure yet; run it on a printer or the sim (thermistor types: ${thermistors.join(', ')})`,
    );
  }
  const known = [
    ...Object.keys(BUILTIN_THERMISTORS),
    ...Object.keys(BUILTIN_PLATINUM),
    ...SPI_TEMPERATURE_CHIPS,
    ...AMPLIFIER_SENSOR_TYPES,
  ];
  throw new UnknownSensorError(
    `Unknown temperature sensor '${sensorType}' (supported: ${known.join(', ')}, or a [thermistor ${sensorType}] or [adc_temperature ${sensorType}] section)`,
  );
}
