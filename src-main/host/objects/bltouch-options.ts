// [bltouch]: a servo-deployed Z probe (Klipper's option names, defaults and limits). The
// offsets and sampling options are [probe]'s (PROBE_SAMPLE_OPTIONS, read by PrinterProbe).
import { defineOptions } from '../config/options';

export const BLTOUCH_OPTIONS = defineOptions({
  sensor_pin: { type: 'pin', canInvert: true, canPullup: true, doc: "The BLTouch's signal wire (usually '^' pull-up)" },
  control_pin: { type: 'pin', doc: "The BLTouch's servo wire: 20 ms PWM pulses move the pin" },
  pin_move_time: { type: 'float', default: 0.68, above: 0, doc: 'Time (s) the pin takes to move down or up' },
  stow_on_each_sample: {
    type: 'boolean',
    default: true,
    doc: 'Raise the pin between the samples of one probe (False: once after all of them)',
  },
  probe_with_touch_mode: { type: 'boolean', default: false, doc: 'Switch to touch mode after lowering the pin (BLTouch V3 and later)' },
  pin_up_reports_not_triggered: {
    type: 'boolean',
    default: true,
    doc: 'The sensor reads open while the pin is up (checked after each stow)',
  },
  pin_up_touch_mode_reports_triggered: {
    type: 'boolean',
    default: true,
    doc: 'The sensor reads triggered in touch mode with the pin up (checked before deploying)',
  },
  set_output_mode: {
    type: 'choice',
    choices: ['5V', 'OD'],
    optional: true,
    doc: "Store this output mode in the BLTouch at start-up (5V or OD); unset: don't",
  },
});
