// sensor_type: temperature_combined: a virtual sensor made of other sensors (sensor_list: heaters,
// [temperature_sensor]s, ...) combined by max, min or mean, usable wherever a sensor is
// ([temperature_sensor], [temperature_fan], heaters). If its members disagree by more than
// maximum_deviation, or the combined value leaves min_temp..max_temp, the printer shuts down:
// a heater or fan driven by a sensor whose members disagree must not be trusted.
import type { OptionValues } from '../config/options';
import type { ConfigSection, PrinterConfig } from '../config/section';
import type { Printer } from '../printer';
import { HostSampledSensor } from './host-sampled-sensor';
import { TEMPERATURE_COMBINED_OPTIONS } from './temperature-combined-options';

export type CombinationMethod = 'max' | 'min' | 'mean';

/** Klipper reads the members' temperatures on this period (s). */
export const COMBINED_REPORT_TIME_S = 0.3;

export interface CombinedSettings {
  sensorList: string[];
  method: CombinationMethod;
  maximumDeviationC: number;
}

/** Reads and checks the options (all three must be given); sensor names must be sections of the config. */
export function readCombinedSettings(section: ConfigSection, config: PrinterConfig): CombinedSettings {
  const o: OptionValues<typeof TEMPERATURE_COMBINED_OPTIONS> = section.read(TEMPERATURE_COMBINED_OPTIONS);
  for (const k of ['sensor_list', 'combination_method', 'maximum_deviation'] as const) {
    if (o[k] === undefined) {
      throw section.error(
        'sensor_type',
        `Option '${k}' in section '${section.name}' must be specified (sensor_type: temperature_combined)`,
      );
    }
  }
  const list = o.sensor_list!;
  if (!list.length) throw section.error('sensor_list', `Option 'sensor_list' in section '${section.name}' names no sensor`);
  for (const name of list) {
    if (name === section.name) throw section.error('sensor_list', `[${section.name}] cannot combine itself`);
    if (!config.has(name)) {
      throw section.error(
        'sensor_list',
        `Unknown sensor '${name}' in option 'sensor_list' of section '${section.name}': name a heater or sensor section ('extruder', 'heater_bed', 'temperature_sensor NAME', ...)`,
      );
    }
  }
  return { sensorList: list, method: o.combination_method as CombinationMethod, maximumDeviationC: o.maximum_deviation! };
}

/** The combined value of `temps` (null while empty). */
export function combineTemperatures(temps: readonly number[], method: CombinationMethod): number | null {
  if (!temps.length) return null;
  if (method === 'max') return Math.max(...temps);
  if (method === 'min') return Math.min(...temps);
  return temps.reduce((a, b) => a + b, 0) / temps.length;
}

/** The reason to shut down for this set of readings, or null when they are acceptable. */
export function combinedFault(
  name: string,
  temps: readonly number[],
  combinedC: number,
  s: CombinedSettings,
  minTempC: number,
  maxTempC: number,
): string | null {
  const hi = Math.max(...temps);
  const lo = Math.min(...temps);
  if (hi - lo > s.maximumDeviationC) {
    return `[${name}] maximum deviation exceeded limit of ${s.maximumDeviationC.toFixed(1)}: its sensors read from ${lo.toFixed(1)} to ${hi.toFixed(1)}. Check the sensors of sensor_list (${s.sensorList.join(', ')}), or raise maximum_deviation`;
  }
  if (combinedC < minTempC || combinedC > maxTempC) {
    return `[${name}] temperature ${combinedC.toFixed(1)} outside range of ${minTempC.toFixed(1)}:${maxTempC.toFixed(1)}`;
  }
  return null;
}

/** A member's current temperature (null before its first reading), looked up by section name when the printer is ready. */
export type TemperatureLookup = (sectionName: string) => (() => number | null) | null;

export class CombinedSensor extends HostSampledSensor {
  constructor(
    printer: Printer,
    private readonly name: string,
    readonly settings: CombinedSettings,
    private readonly minTempC: number,
    private readonly maxTempC: number,
    private readonly lookup: TemperatureLookup,
    printTimeS: () => number,
  ) {
    super(printer, printTimeS);
  }

  startSampling(): void {
    const readers = this.settings.sensorList.map((n) => {
      const r = this.lookup(n);
      // Names were checked against the config at load; a section that is no sensor is caught here.
      if (!r) throw new Error(`[${this.name}]: '${n}' in sensor_list is not a temperature sensor`);
      return r;
    });
    // A member not read yet (its first ADC report is on its way) is left out rather than read as 0 C.
    const read = () => readers.map((r) => r()).filter((t): t is number => t !== null);
    this.sampleEvery(COMBINED_REPORT_TIME_S, () => this.sample(read()));
  }

  /** One reading of every member: combine, check, report. */
  sample(temps: number[]): void {
    const combined = combineTemperatures(temps, this.settings.method);
    if (combined === null) return;
    const fault = combinedFault(this.name, temps, combined, this.settings, this.minTempC, this.maxTempC);
    if (fault) this.fail(fault);
    else this.report(combined);
  }
}
