// [temperature_fan NAME], [fan_generic NAME]: their options beyond [fan]'s (pure data: the config
// editor's catalog imports it). Defaults are Klipper's.
import { defineOptions } from '../config/options';
import { SENSOR_CHIP_OPTIONS } from './heater-options';

export const TEMPERATURE_FAN_OPTIONS = defineOptions({
  sensor_type: { type: 'string', doc: 'Sensor type (a thermistor name, temperature_combined, temperature_host, ...)' },
  sensor_pin: { type: 'pin', optional: true, doc: 'ADC pin of the sensor' },
  pullup_resistor: { type: 'float', optional: true, above: 0, doc: 'Pull-up (ohms); default 4700' },
  inline_resistor: { type: 'float', optional: true, minval: 0, doc: 'Series resistance (ohms)' },
  min_temp: { type: 'float', minval: -273.15, doc: 'Below this temperature (C) the printer shuts down' },
  max_temp: { type: 'float', doc: 'Above this temperature (C) the printer shuts down' },
  control: { type: 'choice', choices: ['watermark', 'pid'], default: 'watermark', doc: 'watermark (on/off) or pid' },
  max_delta: { type: 'float', default: 2, above: 0, doc: 'watermark: degrees past target before switching' },
  pid_kp: { type: 'float', optional: true, doc: 'pid: proportional term (per 255 of fan power)' },
  pid_ki: { type: 'float', optional: true, doc: 'pid: integral term' },
  pid_kd: { type: 'float', optional: true, doc: 'pid: derivative term' },
  pid_deriv_time: { type: 'float', default: 2, above: 0, doc: 'pid: seconds the derivative is smoothed over' },
  target_temp: { type: 'float', optional: true, doc: 'Target temperature (C); default 40 (max_temp if lower)' },
  max_speed: { type: 'float', default: 1, above: 0, maxval: 1, doc: 'Fan speed (0..1) above the target' },
  min_speed: { type: 'float', default: 0.3, minval: 0, maxval: 1, doc: 'Lowest speed (0..1) while running (pid)' },
  gcode_id: { type: 'string', optional: true, doc: 'Id in M105 reports' },
  ...SENSOR_CHIP_OPTIONS,
});
