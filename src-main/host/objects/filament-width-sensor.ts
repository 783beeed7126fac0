// [hall_filament_width_sensor] and [tsl1401cl_filament_width_sensor]: a filament diameter read
// from ADC pins some distance (measurement_delay) before the melt zone. Each kept measurement
// waits in a queue until the extruder has pushed that filament into the nozzle; then flow is set
// to (nominal / measured)^2 through M221, or back to 100% for a reading further than
// max_difference from nominal (a glitch or a missing filament). QUERY_FILAMENT_WIDTH,
// RESET_FILAMENT_WIDTH_SENSOR, DISABLE/ENABLE_FILAMENT_WIDTH_SENSOR; the hall sensor also has
// QUERY_RAW_FILAMENT_WIDTH and ENABLE/DISABLE_FILAMENT_WIDTH_LOG.
// The hall sensor is also a runout sensor: below min_diameter the filament counts as gone (the
// switch sensor's pause_on_runout / runout_gcode / insert_gcode; status filament_detected).
import type { ConfigSection } from '../config/section';
import type { PinDesc } from '../config/options';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer, PrinterObject } from '../printer';
import { AdcTemperatureSensor } from './adc-temperature';
import {
  FILAMENT_WIDTH_OPTIONS,
  HALL_FILAMENT_WIDTH_OPTIONS,
  HALL_RUNOUT_OPTIONS,
  TSL1401CL_OPTIONS,
} from './filament-width-sensor-options';
import { loadRunoutHelper } from './filament-switch-sensor';
import type { RunoutHelper } from './filament-switch-sensor-runout';
import { mcuForPin } from './mcu';
import type { PinRegistry } from './pins';
import type { AdcCurve } from './thermistor';

/** How often (s) the extruder position is checked against the queue. */
export const FLOW_UPDATE_S = 1;
/** The TSL1401CL module's output spans 0..5 mm over the ADC's range. */
const TSL_FULL_SCALE_MM = 5;
/** The ADC fraction as is (the sensor reports "temperatures" that are the fraction). */
const RAW_ADC: AdcCurve = { tempFromAdc: (adc) => adc, adcFromTemp: (v) => v };

interface WidthKind {
  /** Diameter (mm) from the ADC fractions (one per pin). */
  diameterMm(fractions: number[]): number;
  /** Kept measurements are this far apart on the filament (mm). */
  intervalMm: number;
  minDiameterMm: number;
  useCurrentWhileDelay: boolean;
}

export class FilamentWidthSensor implements PrinterObject {
  private readonly nominalMm: number;
  private readonly maxDifferenceMm: number;
  private readonly delayMm: number;
  private readonly kind: WidthKind;
  private readonly hall: boolean;
  /** Latest ADC fractions, one per pin. */
  readonly fractions: number[];
  diameterMm: number;
  enabled: boolean;
  logging: boolean;
  /** Measurements on their way to the nozzle: [extruder position when it gets there, diameter]. */
  readonly queue: [number, number][] = [];
  private lastKeptE: number | null = null;
  /** The flow percentage last sent through M221 (100 = none). */
  flowPercent = 100;
  private timer: NodeJS.Timeout | null = null;
  /** The hall sensor's runout check (null for the TSL1401CL). */
  readonly runout: RunoutHelper | null = null;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    section: ConfigSection,
    live: boolean,
  ) {
    const common = section.read(FILAMENT_WIDTH_OPTIONS);
    this.nominalMm = common.default_nominal_filament_diameter;
    this.maxDifferenceMm = common.max_difference;
    this.delayMm = common.measurement_delay;
    this.hall = section.name === 'hall_filament_width_sensor';
    let pins: { pin: PinDesc; option: string }[];
    if (this.hall) {
      const o = section.read(HALL_FILAMENT_WIDTH_OPTIONS);
      if (o.raw_dia1 === o.raw_dia2)
        throw section.error('raw_dia2', `raw_dia1 and raw_dia2 in section '${section.name}' must differ (two calibration rods)`);
      const slope = (o.cal_dia2 - o.cal_dia1) / (o.raw_dia2 - o.raw_dia1);
      this.kind = {
        // RAW is the sum of both ADC fractions in 1/10000.
        diameterMm: ([a = 0, b = 0]) => o.cal_dia1 + slope * ((a + b) * 10000 - o.raw_dia1),
        intervalMm: o.measurement_interval,
        minDiameterMm: o.min_diameter,
        useCurrentWhileDelay: o.use_current_dia_while_delay,
      };
      this.enabled = o.enable;
      this.logging = o.logging;
      this.runout = loadRunoutHelper(printer, gcode, section, section.read(HALL_RUNOUT_OPTIONS));
      pins = [
        { pin: o.adc1, option: 'adc1' },
        { pin: o.adc2, option: 'adc2' },
      ];
    } else {
      const o = section.read(TSL1401CL_OPTIONS);
      this.kind = { diameterMm: ([a = 0]) => a * TSL_FULL_SCALE_MM, intervalMm: 10, minDiameterMm: 0, useCurrentWhileDelay: false };
      this.enabled = true;
      this.logging = false;
      pins = [{ pin: o.pin, option: 'pin' }];
    }
    this.fractions = pins.map(() => 0);
    this.diameterMm = this.nominalMm;
    if (live) {
      const sensors = pins.map(({ pin, option }, i) => {
        const mcu = mcuForPin(printer, pin, section, option);
        printer.lookupObject<PinRegistry>('pins').claim(pin, `[${section.name}] ${option}`, section.placeOf(option));
        const adc = new AdcTemperatureSensor(mcu, pin.pin, RAW_ADC, 0, 1);
        adc.setCallback((_t, fraction) => this.onReading(i, fraction));
        return adc;
      });
      printer.on('printer:ready', () => {
        for (const s of sensors) s.startSampling();
        this.timer = setInterval(() => void this.update(), FLOW_UPDATE_S * 1000);
        this.timer.unref();
      });
      const stop = () => {
        if (this.timer) clearInterval(this.timer);
        this.timer = null;
      };
      printer.on('printer:shutdown', stop);
      printer.on('printer:disconnect', stop);
    }
    gcode.register('QUERY_FILAMENT_WIDTH', () => this.gcode.respondInfo(`Filament diameter (measured): ${this.diameterMm.toFixed(2)} mm`), {
      help: 'Report the filament width in mm',
    });
    gcode.register('RESET_FILAMENT_WIDTH_SENSOR', () => this.reset(), {
      help: 'Clear the filament width measurements (flow back to 100%)',
    });
    gcode.register('DISABLE_FILAMENT_WIDTH_SENSOR', () => this.setEnabled(false), {
      help: 'Disable flow compensation from the filament width sensor',
    });
    gcode.register('ENABLE_FILAMENT_WIDTH_SENSOR', () => this.setEnabled(true), {
      help: 'Enable flow compensation from the filament width sensor',
    });
    if (this.hall) {
      gcode.register('QUERY_RAW_FILAMENT_WIDTH', () => this.gcode.respondInfo(this.rawText()), {
        help: "Report the hall sensors' raw values",
      });
      gcode.register('ENABLE_FILAMENT_WIDTH_LOG', () => void (this.logging = true), { help: 'Report each kept filament diameter' });
      gcode.register('DISABLE_FILAMENT_WIDTH_LOG', () => void (this.logging = false), { help: 'Stop reporting filament diameters' });
    }
  }

  /** One ADC reading (fraction of full scale) of pin `index`. */
  onReading(index: number, fraction: number): void {
    this.fractions[index] = fraction;
    this.diameterMm = Math.round(this.kind.diameterMm(this.fractions) * 1000) / 1000;
    this.runout?.noteFilamentPresent(this.diameterMm > this.kind.minDiameterMm);
  }

  private rawText(): string {
    const [a = 0, b = 0] = this.fractions.map((f) => Math.round(f * 10000));
    return `ADC1=${a} ADC2=${b} RAW=${a + b}`;
  }

  private extruderPositionMm(): number {
    const pos = this.printer.lookupObjectOrNull<{ getStatus(t: number): Record<string, unknown> }>('toolhead')?.getStatus(0).position;
    return (pos as number[] | undefined)?.[3] ?? 0;
  }

  /** The flow percentage for a diameter: none (100) when it is implausible. */
  flowFor(diameterMm: number): number {
    if (Math.abs(diameterMm - this.nominalMm) > this.maxDifferenceMm || diameterMm < this.kind.minDiameterMm) return 100;
    return Math.round((this.nominalMm / diameterMm) ** 2 * 100);
  }

  /**
   * Keeps a measurement every interval of filament and sets the flow of the filament that
   * reached the nozzle. Runs every FLOW_UPDATE_S on a live printer (tests call it).
   */
  async update(): Promise<void> {
    const e = this.extruderPositionMm();
    if (this.lastKeptE === null || e >= this.lastKeptE + this.kind.intervalMm || e < this.lastKeptE) {
      this.queue.push([e + this.delayMm, this.diameterMm]);
      this.lastKeptE = e;
      if (this.logging) this.gcode.respondInfo(`Filament width: ${this.diameterMm.toFixed(3)} mm`);
    }
    let due: number | null = null;
    while (this.queue.length && this.queue[0]![0] <= e) due = this.queue.shift()![1];
    if (due === null && this.kind.useCurrentWhileDelay && this.flowPercent === 100) due = this.diameterMm;
    if (due === null || !this.enabled) return;
    await this.setFlow(this.flowFor(due));
  }

  /** M221 through the G-code queue, or (inside a command: the queue waits for it) at once. */
  private async setFlow(percent: number, inCommand = false): Promise<void> {
    if (percent === this.flowPercent) return;
    this.flowPercent = percent;
    const line = `M221 S${percent}`;
    await (inCommand ? this.gcode.runLines([line]) : this.gcode.run(line));
  }

  private async reset(): Promise<void> {
    this.queue.length = 0;
    this.lastKeptE = null;
    await this.setFlow(100, true);
  }

  private async setEnabled(on: boolean): Promise<void> {
    if (!on) await this.reset();
    this.enabled = on;
  }

  getStatus(): Record<string, unknown> {
    const out: Record<string, unknown> = { Diameter: this.diameterMm, is_active: this.enabled };
    if (this.hall) out.Raw = this.fractions.reduce((a, f) => a + Math.round(f * 10000), 0);
    return this.runout ? { ...out, ...this.runout.getStatus() } : out;
  }
}
