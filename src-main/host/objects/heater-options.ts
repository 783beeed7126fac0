// Heater and temperature-sensor options of [extruder] and [heater_bed]. They are read, checked
// and stored now so printer.cfg files load; the heater task turns them into a working heater.
import { defineOptions } from '../config/options';
import { TEMPERATURE_COMBINED_OPTIONS } from './temperature-combined-options';
import { TEMPERATURE_HOST_OPTIONS } from './temperature-host-options';

/** Amplifier and SPI sensor options, shared by heaters and sensors (spi-temperature.ts reads them). */
export const SENSOR_CHIP_OPTIONS = defineOptions({
  adc_voltage: { type: 'float', optional: true, doc: 'ADC reference voltage for amplifier sensors' },
  voltage_offset: { type: 'float', optional: true, doc: 'ADC voltage offset for amplifier sensors' },
  spi_speed: { type: 'int', optional: true, doc: 'SPI speed (Hz) for SPI temperature chips' },
  spi_bus: { type: 'string', optional: true, doc: 'SPI bus for SPI temperature chips' },
  spi_software_sclk_pin: { type: 'string', optional: true, doc: 'Software SPI clock pin' },
  spi_software_mosi_pin: { type: 'string', optional: true, doc: 'Software SPI MOSI pin' },
  spi_software_miso_pin: { type: 'string', optional: true, doc: 'Software SPI MISO pin' },
  rtd_nominal_r: { type: 'float', optional: true, doc: 'MAX31865: RTD resistance at 0 C' },
  rtd_reference_r: { type: 'float', optional: true, doc: 'MAX31865: reference resistor' },
  rtd_num_of_wires: { type: 'int', optional: true, doc: 'MAX31865: 2, 3 or 4 wires' },
  rtd_use_50Hz_filter: { type: 'boolean', optional: true, doc: 'MAX31865: 50 Hz mains filter' },
  tc_type: { type: 'string', optional: true, doc: 'MAX31856: thermocouple type' },
  tc_use_50Hz_filter: { type: 'boolean', optional: true, doc: 'MAX31856: 50 Hz mains filter' },
  tc_averaging_count: { type: 'int', optional: true, doc: 'MAX31856: samples averaged' },
  // Host-side sensor types (sensor_type: temperature_combined / temperature_host).
  ...TEMPERATURE_COMBINED_OPTIONS,
  ...TEMPERATURE_HOST_OPTIONS,
});

export const HEATER_OPTIONS = defineOptions({
  heater_pin: { type: 'pin', canInvert: true, doc: 'PWM output pin driving the heater' },
  max_power: { type: 'float', default: 1, above: 0, maxval: 1, doc: 'Maximum heater power (0..1)' },
  sensor_type: { type: 'string', doc: 'Temperature sensor type (e.g. "EPCOS 100K B57560G104F")' },
  sensor_pin: { type: 'pin', optional: true, doc: 'ADC pin (or chip select) of the temperature sensor' },
  pullup_resistor: { type: 'float', optional: true, above: 0, doc: 'Thermistor pull-up resistance (ohms); default 4700' },
  inline_resistor: { type: 'float', optional: true, minval: 0, doc: 'Resistance (ohms) in series with the thermistor' },
  smooth_time: { type: 'float', default: 1, above: 0, doc: 'Seconds over which temperature readings are smoothed' },
  control: { type: 'choice', choices: ['watermark', 'pid'], doc: 'Control algorithm: pid or watermark (bang-bang)' },
  pid_kp: { type: 'float', optional: true, doc: 'PID proportional term (control: pid)' },
  pid_ki: { type: 'float', optional: true, doc: 'PID integral term (control: pid)' },
  pid_kd: { type: 'float', optional: true, doc: 'PID derivative term (control: pid)' },
  max_delta: {
    type: 'float',
    optional: true,
    above: 0,
    doc: 'Degrees above/below target before switching (control: watermark); default 2',
  },
  pwm_cycle_time: { type: 'float', default: 0.1, above: 0, maxval: 0.25, doc: 'PWM period (s) of the heater pin' },
  min_temp: { type: 'float', minval: -273.15, doc: 'Below this temperature (C) the printer shuts down' },
  max_temp: { type: 'float', doc: 'Above this temperature (C) the printer shuts down' },
  ...SENSOR_CHIP_OPTIONS,
});
