// sensor_type: temperature_host: the temperature of the computer running Tether, read once a
// second from a Linux thermal-zone file (millidegrees C; default the Raspberry Pi's
// /sys/class/thermal/thermal_zone0/temp). A machine without that file fails at load, naming
// sensor_path, so the user can point it at another zone (ls /sys/class/thermal) or remove the sensor.
import fs from 'node:fs';
import type { ConfigSection } from '../config/section';
import type { Printer } from '../printer';
import { HostSampledSensor } from './host-sampled-sensor';
import { TEMPERATURE_HOST_OPTIONS } from './temperature-host-options';

export const HOST_REPORT_TIME_S = 1.0;

/** The file's text as degrees C (Linux thermal zones give millidegrees); null if it is not a number. */
export function parseHostTemperature(text: string): number | null {
  const v = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(v) ? v / 1000 : null;
}

/** Reads sensor_path; `checkFile` (live printers) makes a missing or unreadable file a config error. */
export function readHostSensorPath(section: ConfigSection, checkFile: boolean): string {
  const path = section.read(TEMPERATURE_HOST_OPTIONS).sensor_path;
  if (!checkFile) return path;
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    throw section.error(
      section.has('sensor_path') ? 'sensor_path' : 'sensor_type',
      `Unable to open temperature file '${path}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): this computer has no such thermal zone; set sensor_path to one that exists (ls /sys/class/thermal) or remove [${section.name}]`,
    );
  }
  if (parseHostTemperature(text) === null) {
    throw section.error(
      section.has('sensor_path') ? 'sensor_path' : 'sensor_type',
      `Temperature file '${path}' does not hold a temperature in millidegrees (read '${text.trim().slice(0, 40)}')`,
    );
  }
  return path;
}

export class HostTemperatureSensor extends HostSampledSensor {
  constructor(
    printer: Printer,
    private readonly name: string,
    readonly path: string,
    private readonly minTempC: number,
    private readonly maxTempC: number,
    printTimeS: () => number,
  ) {
    super(printer, printTimeS);
  }

  startSampling(): void {
    this.sample();
    this.sampleEvery(HOST_REPORT_TIME_S, () => this.sample());
  }

  /** One reading: a file that vanished or a temperature out of range shuts the printer down. */
  sample(): void {
    let temp: number | null = null;
    try {
      temp = parseHostTemperature(fs.readFileSync(this.path, 'utf8'));
    } catch {
      temp = null;
    }
    if (temp === null) this.fail(`[${this.name}]: unable to read the host temperature from '${this.path}'`);
    else if (temp < this.minTempC)
      this.fail(`HOST temperature ${temp.toFixed(1)} below minimum temperature of ${this.minTempC.toFixed(1)}.`);
    else if (temp > this.maxTempC)
      this.fail(`HOST temperature ${temp.toFixed(1)} above maximum temperature of ${this.maxTempC.toFixed(1)}.`);
    else this.report(temp);
  }
}
