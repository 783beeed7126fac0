// ADC buttons of a display (analog_range_click_pin and friends): several buttons on one analog
// pin, each closing a different resistor against the pull-up (analog_pullup_resistor). The MCU
// samples the pin (config_analog_in / query_analog_in, 6 samples 1 ms apart every 15 ms, no range
// check) and the host turns each report into a resistance; the button whose range holds it is
// pressed once the same reading held for 25 ms (Klipper's ADC button timings).
import type { PinDesc } from '../config/options';
import type { ConfigSection } from '../config/section';
import type { Mcu } from '../mcu/mcu';
import type { Printer } from '../printer';
import type { ButtonCallback } from './buttons';
import { mcuForPin } from './mcu';
import type { PinRegistry } from './pins';

export const ADC_BUTTON_SAMPLE_S = 0.001;
export const ADC_BUTTON_SAMPLE_COUNT = 6;
export const ADC_BUTTON_REPORT_S = 0.015;
export const ADC_BUTTON_DEBOUNCE_S = 0.025;
const QUERY_ANALOG_IN =
  'query_analog_in oid=%c clock=%u sample_ticks=%u sample_count=%c rest_ticks=%u bytes_per_report=%c min_value=%hu max_value=%hu range_check_count=%c';

interface AdcButton {
  minOhm: number;
  maxOhm: number;
  callback: ButtonCallback;
}

/** The buttons sharing one analog pin. */
export class AdcButtonPin {
  readonly buttons: AdcButton[] = [];
  private readonly oid: number;
  private adcMax = 0;
  /** Index of the pressed button (-1: none), and the candidate waiting out the debounce. */
  private pressed = -1;
  private candidate = -1;
  private candidateSinceS = 0;

  constructor(
    private readonly mcu: Mcu,
    readonly pin: string,
    private readonly pullupOhm: number,
  ) {
    this.oid = mcu.createOid();
    mcu.registerConfigCallback(() => {
      mcu.addConfigCmd(`config_analog_in oid=${this.oid} pin=${pin}`);
      this.adcMax = mcu.getConstantFloat('ADC_MAX');
      if (mcu.isFileOutput()) mcu.addConfigCmd(this.queryText(mcu.printTimeToClock(1.0)), { isInit: true });
    });
    mcu.registerResponse((params, meta) => this.onReport(params.values as Uint8Array, meta.receiveTimeS), 'analog_in_state', this.oid);
    if (!mcu.isFileOutput()) {
      mcu.on('ready', () => {
        const clock = mcu.getClockAt(mcu.monotonic() + 0.5 + this.oid * 0.01);
        mcu.lookupCommand(QUERY_ANALOG_IN).send(this.queryArgs(clock));
      });
    }
  }

  private queryArgs(clock: number): number[] {
    const m = this.mcu;
    return [
      this.oid,
      clock >>> 0,
      m.secondsToClock(ADC_BUTTON_SAMPLE_S),
      ADC_BUTTON_SAMPLE_COUNT,
      m.secondsToClock(ADC_BUTTON_REPORT_S),
      2,
      0,
      0xffff,
      0,
    ];
  }

  private queryText(clock: number): string {
    const names = [
      'oid',
      'clock',
      'sample_ticks',
      'sample_count',
      'rest_ticks',
      'bytes_per_report',
      'min_value',
      'max_value',
      'range_check_count',
    ];
    const args = this.queryArgs(clock);
    return `query_analog_in ${names.map((n, i) => `${n}=${args[i]}`).join(' ')}`;
  }

  /** The resistance (ohms) an ADC sum means; Infinity when nothing pulls the pin down. */
  resistanceOhm(sum: number): number {
    const v = sum / (ADC_BUTTON_SAMPLE_COUNT * this.adcMax);
    return v >= 1 ? Infinity : (this.pullupOhm * v) / (1 - v);
  }

  /** A reading at `timeS`: `ohm` decides which button (if any) is down. */
  reading(ohm: number, timeS: number): void {
    const idx = this.buttons.findIndex((b) => ohm >= b.minOhm && ohm <= b.maxOhm);
    if (idx !== this.candidate) {
      this.candidate = idx;
      this.candidateSinceS = timeS;
      return;
    }
    if (idx === this.pressed || timeS - this.candidateSinceS < ADC_BUTTON_DEBOUNCE_S) return;
    if (this.pressed >= 0) this.buttons[this.pressed].callback(timeS, false);
    this.pressed = idx;
    if (idx >= 0) this.buttons[idx].callback(timeS, true);
  }

  private onReport(values: Uint8Array, receiveTimeS: number): void {
    if (values.length < 2 || this.adcMax <= 0) return;
    this.reading(this.resistanceOhm(values[0] | (values[1] << 8)), receiveTimeS);
  }

  /** For tests: the ADC full scale the MCU reported. */
  setAdcMax(adcMax: number): void {
    this.adcMax = adcMax;
  }
}

/** Registers an ADC button; buttons on the same pin share one sampler (and one pin claim). */
export function registerAdcButton(
  printer: Printer,
  section: ConfigSection,
  option: string,
  pin: PinDesc,
  rangeOhm: [number, number],
  pullupOhm: number,
  callback: ButtonCallback,
): AdcButtonPin {
  let pins = printer.lookupObjectOrNull<Map<string, AdcButtonPin>>('adc_button_pins');
  if (!pins) {
    pins = new Map();
    printer.addObject('adc_button_pins', pins);
  }
  printer.lookupObject<PinRegistry>('pins').claim(pin, `[${section.name}] ${option}`, section.placeOf(option), 'adc_buttons');
  const key = `${pin.chip}:${pin.pin}`;
  let sampler = pins.get(key);
  if (!sampler) {
    sampler = new AdcButtonPin(mcuForPin(printer, pin, section, option), pin.pin, pullupOhm);
    pins.set(key, sampler);
  }
  if (!(rangeOhm[0] < rangeOhm[1]))
    throw section.error(`analog_range_${option}`, `analog_range_${option} in [${section.name}] must be "low, high" ohms with low < high`);
  sampler.buttons.push({ minOhm: rangeOhm[0], maxOhm: rangeOhm[1], callback });
  return sampler;
}
