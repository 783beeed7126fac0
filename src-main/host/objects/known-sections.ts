// Klipper config sections Tether does not handle yet. A printer.cfg using them fails to load with
// "section [x] is not supported yet" (so the user knows it is us, not their file); any section
// neither here nor in the registry is a mistake ("is not a valid config section").

const UNSUPPORTED = new Set([
  'ad5206', 'adc_scaled', 'adc_temperature', 'adxl345', 'aht10', 'angle', 'axis_twist_compensation',
  'bed_mesh', 'bed_screws', 'bed_tilt', 'bltouch', 'bme280', 'bmi160', 'board_pins', 'buttons',
  'canbus_ids', 'canbus_stats', 'controller_fan', 'dac084S085', 'delayed_gcode', 'delta_calibrate',
  'display', 'display_data', 'display_glyph', 'display_status', 'display_template', 'dotstar',
  'ds18b20', 'dual_carriage', 'duplicate_pin_override', 'endstop_phase', 'exclude_object',
  'extra_carriage', 'carriage', 'extruder_stepper', 'fan', 'fan_generic', 'filament_motion_sensor',
  'filament_switch_sensor', 'firmware_retraction', 'gcode_button', 'gcode_macro',
  'hall_filament_width_sensor', 'heater_fan', 'heater_generic', 'homing_heaters', 'homing_override',
  'htu21d', 'icm20948', 'idle_timeout', 'input_shaper', 'ldc1612', 'led', 'lis2dw', 'lis3dh', 'lm75',
  'load_cell', 'manual_stepper', 'mcp4018', 'mcp4451', 'mcp4728', 'menu', 'motion_report', 'mpu9250',
  'multi_pin', 'neopixel', 'output_pin', 'palette2', 'pause_resume', 'pca9533', 'pca9632', 'probe',
  'probe_eddy_current', 'pwm_cycle_time', 'pwm_tool', 'quad_gantry_level', 'replicape',
  'resonance_tester', 'safe_z_home', 'samd_sercom', 'save_variables', 'screws_tilt_adjust',
  'sdcard_loop', 'servo', 'sht3x', 'skew_correction', 'smart_effector', 'static_digital_output',
  'static_pwm_clock', 'sx1509', 'temperature_combined', 'temperature_fan', 'temperature_host',
  'temperature_probe', 'temperature_sensor', 'thermistor', 'tmc2130', 'tmc2208', 'tmc2209', 'tmc2240',
  'tmc2660', 'tmc5160', 'tsl1401cl_filament_width_sensor', 'verify_heater', 'virtual_sdcard',
  'z_thermal_adjust', 'z_tilt', 'z_tilt_ng', 'manual_probe', 'query_adc', 'print_stats',
  'statistics', 'tuning_tower', 'gcode_shell_command', 'stepper_enable', 'mcp9808', 'ads1220',
  'hx71x', 'hx711', 'hx717', 'bulk_sensor', 'spi_temperature', 'pid_calibrate', 'error_mcu',
]);

/** True for a Klipper section we know but do not handle yet ('tmc2209 stepper_x', 'extruder1', ...). */
export function isKnownUnsupportedSection(name: string): boolean {
  const type = name.split(' ')[0];
  if (UNSUPPORTED.has(type)) return true;
  if (/^extruder\d+$/.test(type)) return true; // further extruders (multi-tool)
  if (/^stepper_\w+$/.test(type)) return true; // extra steppers (stepper_z1) or other kinematics' (stepper_bed)
  if (type === 'stepper' && name !== 'stepper') return true; // generic_cartesian's [stepper name]
  if (type === 'mcu' && name !== 'mcu') return true; // secondary MCUs ([mcu rpi])
  return false;
}
