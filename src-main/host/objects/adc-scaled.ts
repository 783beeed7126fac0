// [adc_scaled NAME]: ADC readings corrected by the board's measured reference (Duet boards).
// vref_pin and vssa_pin are sampled like sensors and smoothed over smooth_time; a sensor whose
// pin is written `NAME:PIN` is read on the MCU of vref_pin and its ADC fraction becomes
// (raw - vssa) / (vref - vssa) before its curve turns it into a temperature.
import type { ConfigSection } from '../config/section';
import type { Mcu } from '../mcu/mcu';
import type { Printer } from '../printer';
import { AdcTemperatureSensor } from './adc-temperature';
import { ADC_SCALED_OPTIONS } from './adc-scaled-options';
import { mcuForPin } from './mcu';
import type { PinRegistry } from './pins';
import type { AdcCurve } from './thermistor';

/** The raw ADC fraction as the "temperature" of a sensor: vref and vssa are read through it. */
const RAW_ADC: AdcCurve = { tempFromAdc: (adc) => adc, adcFromTemp: (v) => v };

/** Exponential smoothing over smoothTimeS of readings taken at readTimeS. */
export function smoothReading(last: { timeS: number; value: number } | null, readTimeS: number, value: number, smoothTimeS: number): number {
  if (!last) return value;
  const k = Math.min(1, (readTimeS - last.timeS) / smoothTimeS);
  return last.value + (value - last.value) * k;
}

/** `curve` read through a reference measured at vref/vssa (ADC fractions). */
export function scaledCurve(curve: AdcCurve, ref: () => { vref: number; vssa: number }): AdcCurve {
  return {
    tempFromAdc(adc) {
      const { vref, vssa } = ref();
      return curve.tempFromAdc((adc - vssa) / (vref - vssa));
    },
    adcFromTemp(tempC) {
      const { vref, vssa } = ref();
      return vssa + curve.adcFromTemp(tempC) * (vref - vssa);
    },
  };
}

export class AdcScaled {
  readonly name: string;
  readonly mcu: Mcu;
  /** Smoothed ADC fractions; nominal (1, 0) until the first readings arrive. */
  private vref: { timeS: number; value: number } | null = null;
  private vssa: { timeS: number; value: number } | null = null;

  constructor(
    private readonly printer: Printer,
    section: ConfigSection,
    live: boolean,
  ) {
    this.name = section.name.split(' ').pop()!;
    const o = section.read(ADC_SCALED_OPTIONS);
    const pins = printer.lookupObject<PinRegistry>('pins');
    pins.claim(o.vref_pin, `[${section.name}] vref_pin`, section.placeOf('vref_pin'));
    pins.claim(o.vssa_pin, `[${section.name}] vssa_pin`, section.placeOf('vssa_pin'));
    if (o.vssa_pin.chip !== o.vref_pin.chip) {
      throw section.error('vssa_pin', `vssa_pin and vref_pin of section '${section.name}' must be on the same MCU`);
    }
    this.mcu = mcuForPin(printer, o.vref_pin, section, 'vref_pin');
    if (!live) return;
    const vref = new AdcTemperatureSensor(this.mcu, o.vref_pin.pin, RAW_ADC, 0, 1);
    const vssa = new AdcTemperatureSensor(this.mcu, o.vssa_pin.pin, RAW_ADC, 0, 1);
    vref.setCallback((t, v) => (this.vref = { timeS: t, value: smoothReading(this.vref, t, v, o.smooth_time) }));
    vssa.setCallback((t, v) => (this.vssa = { timeS: t, value: smoothReading(this.vssa, t, v, o.smooth_time) }));
    printer.on('printer:ready', () => {
      vref.startSampling();
      vssa.startSampling();
    });
  }

  /** The reference now; a vref not above vssa would divide by nothing: the printer shuts down. */
  reference(): { vref: number; vssa: number } {
    const vref = this.vref?.value ?? 1;
    const vssa = this.vssa?.value ?? 0;
    if (vref - vssa < 0.1) {
      void this.printer.invokeShutdown(
        `[adc_scaled ${this.name}]: vref (${vref.toFixed(3)}) is not above vssa (${vssa.toFixed(3)}): check vref_pin and vssa_pin`,
      );
      return { vref: 1, vssa: 0 };
    }
    return { vref, vssa };
  }

  /** A sensor on `NAME:PIN`: read on this MCU, through the measured reference. */
  sensor(pin: string, curve: AdcCurve, minTempC: number, maxTempC: number): AdcTemperatureSensor {
    return new AdcTemperatureSensor(this.mcu, pin, scaledCurve(curve, () => this.reference()), minTempC, maxTempC);
  }
}

/** The [adc_scaled] a pin's chip names, or null. */
export function adcScaledOf(printer: Printer, chip: string): AdcScaled | null {
  return printer.lookupObjectOrNull<AdcScaled>(`adc_scaled ${chip}`);
}
