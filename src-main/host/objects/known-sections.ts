// Klipper config sections Tether does not handle yet. A printer.cfg using them fails to load with
// "section [x] is not supported yet" (so the user knows it is us, not their file); any section
// neither here nor in the registry is a mistake ("is not a valid config section").

const UNSUPPORTED = new Set([
  'angle',
  'bmi160',
  'buttons',
  'canbus_ids',
  'canbus_stats',
  'ds18b20',
  'dual_carriage',
  'endstop_phase',
  'extra_carriage',
  'carriage',
  'ldc1612',
  'load_cell',
  'multi_pin',
  'palette2',
  'probe_eddy_current',
  'pwm_tool',
  'replicape',
  'samd_sercom',
  'smart_effector',
  'sx1509',
  'temperature_combined',
  'temperature_host',
  'temperature_probe',
  'z_tilt_ng',
  'gcode_shell_command',
  'ads1220',
  'hx71x',
  'hx711',
  'hx717',
  'bulk_sensor',
  'spi_temperature',
  'error_mcu',
]);

/** True for a Klipper section we know but do not handle yet ('tmc2209 stepper_x', 'extruder1', ...). */
export function isKnownUnsupportedSection(name: string): boolean {
  const type = name.split(' ')[0];
  if (UNSUPPORTED.has(type)) return true;
  if (/^stepper_\w+$/.test(type)) return true; // extra steppers (stepper_z1) or other kinematics' (stepper_bed)
  if (type === 'stepper' && name !== 'stepper') return true; // generic_cartesian's [stepper name]
  return false;
}
