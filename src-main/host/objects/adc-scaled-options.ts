// [adc_scaled NAME]'s options (pure data: the config editor's catalog imports it).
import { defineOptions } from '../config/options';

export const ADC_SCALED_OPTIONS = defineOptions({
  vref_pin: { type: 'pin', doc: 'ADC pin measuring the reference voltage (VREF)' },
  vssa_pin: { type: 'pin', doc: 'ADC pin measuring the analog ground (VSSA)' },
  smooth_time: { type: 'float', default: 2, above: 0, doc: 'Seconds over which vref and vssa readings are smoothed' },
});
