// An ADC temperature sensor on the MCU (PROTOCOL.md 1.8): config_analog_in, then
// query_analog_in with 8 samples 1 ms apart every 0.3 s; min_temp/max_temp become the ADC range
// the MCU checks itself (4 bad sums in a row -> "ADC out of range"), so a broken or shorted
// sensor stops the printer even if the host hangs.
import type { Mcu } from '../mcu/mcu';
import type { AdcCurve } from './thermistor';

export const ADC_SAMPLE_TIME_S = 0.001;
export const ADC_SAMPLE_COUNT = 8;
export const ADC_REPORT_TIME_S = 0.3;
export const ADC_RANGE_CHECK_COUNT = 4;
const QUERY_ANALOG_IN =
  'query_analog_in oid=%c clock=%u sample_ticks=%u sample_count=%c rest_ticks=%u bytes_per_report=%c min_value=%hu max_value=%hu range_check_count=%c';

/**
 * query_analog_in's parameters in the command's order: sampling from `clock` on, with the range
 * the MCU enforces. One definition for the live sensor (sent binary) and batch output (text).
 */
export function analogInQuery(
  mcu: Mcu,
  oid: number,
  clock: number,
  limits: { minValue: number; maxValue: number },
): Record<string, number> {
  return {
    oid,
    clock,
    sample_ticks: mcu.secondsToClock(ADC_SAMPLE_TIME_S),
    sample_count: ADC_SAMPLE_COUNT,
    rest_ticks: mcu.secondsToClock(ADC_REPORT_TIME_S),
    bytes_per_report: 2,
    min_value: limits.minValue,
    max_value: limits.maxValue,
    range_check_count: ADC_RANGE_CHECK_COUNT,
  };
}

export type TemperatureCallback = (readTimeS: number, tempC: number) => void;

export class AdcTemperatureSensor {
  readonly oid: number;
  private callback: TemperatureCallback | null = null;
  private adcMax = 0;

  constructor(
    private readonly mcu: Mcu,
    readonly pin: string,
    readonly sensor: AdcCurve,
    private readonly minTempC: number,
    private readonly maxTempC: number,
  ) {
    this.oid = mcu.createOid();
    mcu.registerConfigCallback(() => {
      mcu.addConfigCmd(`config_analog_in oid=${this.oid} pin=${pin}`);
      this.adcMax = mcu.getConstantFloat('ADC_MAX');
    });
    mcu.registerResponse((params) => this.onReport(params.next_clock as number, params.values as Uint8Array), 'analog_in_state', this.oid);
  }

  setCallback(cb: TemperatureCallback): void {
    this.callback = cb;
  }

  /** The ADC sums (0..65535) the MCU must stay within: low temperature = high ADC for an NTC. */
  rangeLimits(): { minValue: number; maxValue: number } {
    return adcRangeLimits(this.sensor, this.minTempC, this.maxTempC, this.adcMax);
  }

  /** Starts (or restarts) sampling; called once the MCU is ready. */
  startSampling(): void {
    // Far enough ahead that a host busy at start-up does not make the first sample "Timer too
    // close" (0.2 s was seen to arrive late on a loaded machine), spread by oid as Klipper does.
    const clock = this.mcu.getClockAt(this.mcu.monotonic() + 0.5 + this.oid * 0.01);
    const query = analogInQuery(this.mcu, this.oid, clock, this.rangeLimits());
    this.mcu.lookupCommand(QUERY_ANALOG_IN).send(Object.values(query));
  }

  private onReport(nextClock32: number, values: Uint8Array): void {
    if (values.length < 2 || !this.callback) return;
    const sum = values[0] | (values[1] << 8);
    const readClock = this.mcu.clock32ToClock64(nextClock32) - this.mcu.secondsToClock(ADC_REPORT_TIME_S);
    const readTimeS = this.mcu.clockToPrintTime(readClock);
    this.callback(readTimeS, this.sensor.tempFromAdc(sum / (ADC_SAMPLE_COUNT * this.adcMax)));
  }
}

/** min_temp/max_temp as the range of ADC sums (ADC_SAMPLE_COUNT samples of 0..adcMax) the MCU checks. */
export function adcRangeLimits(
  sensor: AdcCurve,
  minTempC: number,
  maxTempC: number,
  adcMax: number,
): { minValue: number; maxValue: number } {
  const full = ADC_SAMPLE_COUNT * adcMax;
  const a = sensor.adcFromTemp(minTempC);
  const b = sensor.adcFromTemp(maxTempC);
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  return {
    minValue: Math.max(0, Math.min(0xffff, Math.floor(lo * full))),
    maxValue: Math.max(0, Math.min(0xffff, Math.ceil(hi * full))),
  };
}
