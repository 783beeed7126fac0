// 'query_adc' (Klipper loads it with the first ADC user; a [query_adc] section is accepted):
// QUERY_ADC [NAME=<sensor>] [PULLUP=<ohms>] reports an analog sensor's last ADC reading as a
// fraction of full scale (0..1), and with PULLUP the resistance that reading means on a pullup
// divider. Without NAME it lists the names. Names are the sensors' sections ('extruder',
// 'heater_bed', 'temperature_sensor chamber', ...).
//
// The ADC sensors hand on temperatures, not raw sums, so the value is the sensor curve's inverse
// of its last (unsmoothed) reading: the ADC fraction the MCU reported, to the curve's precision.
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import { AdcTemperatureSensor } from './adc-temperature';

interface HeatersView {
  heaters: Map<string, { sensor: unknown; lastTempC: number; lastReadTimeS: number }>;
  sensors: { name: string; sensor: unknown; readonly currentC: number; readonly hasReading?: boolean }[];
}

export interface AdcReading {
  /** ADC fraction of full scale, 0..1. */
  value: number;
  /** When the MCU read it (print time, s), if known. */
  readTimeS: number | null;
}

export class QueryAdc {
  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
  ) {
    gcode.register('QUERY_ADC', (c) => this.cmdQueryAdc(c), {
      help: 'Report the last value of an analog pin',
      params: { NAME: 'sensor name (none: list them)', PULLUP: 'pullup resistor (ohms): also report the resistance' },
    });
  }

  private adcSources(): Map<string, () => AdcReading | null> {
    const out = new Map<string, () => AdcReading | null>();
    const h = this.printer.lookupObjectOrNull<HeatersView>('heaters');
    if (!h) return out;
    for (const s of h.sensors) {
      const sensor = s.sensor;
      if (!(sensor instanceof AdcTemperatureSensor)) continue;
      const heater = [...h.heaters.values()].find((x) => x.sensor === sensor);
      out.set(s.name, () => {
        if (heater ? heater.lastReadTimeS === 0 : s.hasReading === false) return null;
        const tempC = heater ? heater.lastTempC : s.currentC;
        return { value: sensor.sensor.adcFromTemp(tempC), readTimeS: heater ? heater.lastReadTimeS : null };
      });
    }
    return out;
  }

  /** The last reading of `name`, null before the first; undefined for an unknown name. */
  reading(name: string): AdcReading | null | undefined {
    return this.adcSources().get(name)?.();
  }

  private cmdQueryAdc(c: GCodeCommand): void {
    const sources = this.adcSources();
    const name = c.params.NAME;
    if (name === undefined || !sources.has(name)) {
      const known = [...sources.keys()].map((n) => `"${n}"`).join(', ') || 'none';
      if (name !== undefined) throw c.error(`Unknown ADC '${name}' (available: ${known})`);
      this.gcode.respondInfo(`Available ADC objects: ${known}`);
      return;
    }
    const r = sources.get(name)!();
    if (!r) {
      this.gcode.respondInfo(`ADC "${name}" has no reading yet`);
      return;
    }
    const at = r.readTimeS !== null ? ` (read at ${r.readTimeS.toFixed(3)} s)` : '';
    let msg = `ADC "${name}" value ${r.value.toFixed(6)}${at}`;
    if (c.params.PULLUP !== undefined) {
      const pullup = c.getFloat('PULLUP', 0, { above: 0 });
      const v = Math.max(1e-5, Math.min(0.99999, r.value));
      msg += `, resistance ${((pullup * v) / (1 - v)).toFixed(3)} ohm with a ${pullup.toFixed(0)} ohm pullup`;
    }
    this.gcode.respondInfo(msg);
  }
}
