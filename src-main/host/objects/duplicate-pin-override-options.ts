// [duplicate_pin_override]: the pins several sections may share.
import { defineOptions } from '../config/options';

export const DUPLICATE_PIN_OVERRIDE_OPTIONS = defineOptions({
  pins: { type: 'stringList', doc: 'Pins that may be used by more than one section, e.g. PA1, toolboard:PB3' },
});
