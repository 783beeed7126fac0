// [fan], [heater_fan x], [output_pin x], [static_digital_output x], [temperature_sensor x].
import { defineOptions } from '../config/options';
import { SENSOR_CHIP_OPTIONS } from './heater-options';

export const FAN_OPTIONS = defineOptions({
  pin: { type: 'pin', canInvert: true, doc: 'Output pin controlling the fan' },
  max_power: { type: 'float', default: 1, above: 0, maxval: 1, doc: 'Maximum power (0..1) the pin may be set to' },
  shutdown_speed: { type: 'float', default: 0, minval: 0, maxval: 1, doc: 'Speed the fan takes when the MCU shuts down' },
  cycle_time: { type: 'float', default: 0.01, above: 0, doc: 'PWM period (s)' },
  hardware_pwm: { type: 'boolean', default: false, doc: 'Use the MCU hardware PWM' },
  kick_start_time: { type: 'float', default: 0.1, minval: 0, doc: 'Time (s) at full speed when the fan starts' },
  off_below: { type: 'float', default: 0, minval: 0, maxval: 1, doc: 'Speeds below this turn the fan off' },
  tachometer_pin: { type: 'pin', optional: true, canPullup: true, doc: 'Tachometer input (not read yet)' },
  tachometer_ppr: { type: 'int', default: 2, minval: 1, doc: 'Tachometer pulses per revolution' },
  tachometer_poll_interval: { type: 'float', default: 0.0015, above: 0, doc: 'Tachometer poll interval (s)' },
  enable_pin: { type: 'pin', optional: true, canInvert: true, doc: 'Pin enabling the fan power' },
});

export const HEATER_FAN_OPTIONS = defineOptions({
  heater: { type: 'stringList', default: ['extruder'], doc: 'Heaters that turn this fan on' },
  heater_temp: { type: 'float', default: 50, doc: 'Temperature (C) above which the fan runs' },
  fan_speed: { type: 'float', default: 1, minval: 0, maxval: 1, doc: 'Speed (0..1) while a heater is hot' },
});

export const OUTPUT_PIN_OPTIONS = defineOptions({
  pin: { type: 'pin', canInvert: true, doc: 'The output pin' },
  pwm: { type: 'boolean', default: false, doc: 'PWM output (else digital)' },
  value: { type: 'float', default: 0, minval: 0, doc: 'Value at start-up' },
  shutdown_value: { type: 'float', default: 0, minval: 0, doc: 'Value when the MCU shuts down' },
  cycle_time: { type: 'float', default: 0.1, above: 0, doc: 'PWM period (s)' },
  hardware_pwm: { type: 'boolean', default: false, doc: 'Use the MCU hardware PWM' },
  scale: { type: 'float', default: 1, above: 0, doc: 'SET_PIN VALUE scale (PWM)' },
  maximum_mcu_duration: { type: 'float', default: 0, minval: 0, maxval: 5, doc: 'Max time (s) without a refresh' },
  static_value: { type: 'float', optional: true, minval: 0, doc: 'Deprecated: constant value' },
});

export const STATIC_DIGITAL_OUTPUT_OPTIONS = defineOptions({
  pins: { type: 'stringList', doc: 'Pins set high at start-up (use "!" for low)' },
});

export const TEMPERATURE_SENSOR_OPTIONS = defineOptions({
  sensor_type: { type: 'string', doc: 'Sensor type (a thermistor name)' },
  sensor_pin: { type: 'pin', optional: true, doc: 'ADC pin' },
  pullup_resistor: { type: 'float', optional: true, above: 0, doc: 'Pull-up (ohms); default 4700' },
  inline_resistor: { type: 'float', optional: true, minval: 0, doc: 'Series resistance (ohms)' },
  min_temp: { type: 'float', default: -273.15, doc: 'Below this the printer shuts down' },
  max_temp: { type: 'float', default: 99999999.9, doc: 'Above this the printer shuts down' },
  gcode_id: { type: 'string', optional: true, doc: 'Id in M105 output' },
  ...SENSOR_CHIP_OPTIONS,
});
