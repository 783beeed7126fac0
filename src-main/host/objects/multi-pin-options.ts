// [multi_pin NAME]'s option (pure data: the config editor's catalog imports it).
import { defineOptions } from '../config/options';

export const MULTI_PIN_OPTIONS = defineOptions({
  pins: { type: 'stringList', doc: 'Output pins driven together as multi_pin:NAME (use "!" for an inverted one)' },
});
