// [printer]: kinematics and the toolhead's speed limits (Klipper's Config_Reference names).
import { defineOptions } from '../config/options';

export const SUPPORTED_KINEMATICS = [
  'cartesian',
  'corexy',
  'corexz',
  'delta',
  'none',
  'hybrid_corexy',
  'hybrid_corexz',
  'deltesian',
  'polar',
  'winch',
] as const;
export type KinematicsName = (typeof SUPPORTED_KINEMATICS)[number];
/** Klipper kinematics we know but cannot run yet. */
export const UNSUPPORTED_KINEMATICS = ['rotary_delta', 'generic_cartesian', 'limited_cartesian', 'limited_corexy', 'limited_corexz'];

export const PRINTER_OPTIONS = defineOptions({
  kinematics: { type: 'string', doc: `Printer type: ${SUPPORTED_KINEMATICS.join(', ')}` },
  max_velocity: { type: 'float', above: 0, doc: 'Maximum toolhead velocity (mm/s)' },
  max_accel: { type: 'float', above: 0, doc: 'Maximum toolhead acceleration (mm/s^2)' },
  minimum_cruise_ratio: {
    type: 'float',
    default: 0.5,
    minval: 0,
    below: 1,
    doc: 'Fraction of each move that should cruise; limits acceleration on short zig-zags',
  },
  max_accel_to_decel: { type: 'float', optional: true, above: 0, doc: 'Deprecated: use minimum_cruise_ratio' },
  square_corner_velocity: { type: 'float', default: 5, minval: 0, doc: 'Speed (mm/s) through a 90 degree corner' },
});

/** Z limits of cartesian, corexy and corexz (defaults: max_velocity / max_accel). */
export const Z_LIMIT_OPTIONS = defineOptions({
  max_z_velocity: { type: 'float', optional: true, above: 0, doc: 'Maximum Z velocity (mm/s); default max_velocity' },
  max_z_accel: { type: 'float', optional: true, above: 0, doc: 'Maximum Z acceleration (mm/s^2); default max_accel' },
});

export const DELTA_OPTIONS = defineOptions({
  max_z_velocity: { type: 'float', optional: true, above: 0, doc: 'Maximum vertical velocity (mm/s); default max_velocity' },
  max_z_accel: { type: 'float', optional: true, above: 0, doc: 'Maximum vertical acceleration (mm/s^2); default max_accel' },
  minimum_z_position: { type: 'float', default: 0, doc: 'Lowest Z position (mm) a move may reach' },
  delta_radius: { type: 'float', above: 0, doc: 'Radius (mm) of the towers circle at the carriage joints' },
  print_radius: { type: 'float', optional: true, above: 0, doc: 'Radius (mm) of valid XY positions; default delta_radius' },
});

/** Delta towers ([stepper_a/b/c]) add arm geometry to the stepper options. */
export const DELTA_TOWER_OPTIONS = defineOptions({
  arm_length: { type: 'float', optional: true, above: 0, doc: 'Diagonal rod length (mm); stepper_b/c default to stepper_a' },
  angle: { type: 'float', optional: true, doc: 'Tower angle (degrees); default 210, 330, 90' },
});

/** Winch anchors: where each cable leaves its spool (mm). */
export const WINCH_ANCHOR_OPTIONS = defineOptions({
  anchor_x: { type: 'float', doc: 'X of the cable anchor (mm)' },
  anchor_y: { type: 'float', doc: 'Y of the cable anchor (mm)' },
  anchor_z: { type: 'float', doc: 'Z of the cable anchor (mm)' },
});

/** Polar: Z limits as cartesian, and optional limits on the bed's turning near the centre. */
export const POLAR_OPTIONS = defineOptions({
  max_angular_velocity: { type: 'float', optional: true, above: 0, doc: 'Fastest bed rotation (rad/s) near the centre' },
  max_angular_accel: { type: 'float', optional: true, above: 0, doc: 'Largest bed angular acceleration (rad/s^2) near the centre' },
});

/** Deltesian towers ([stepper_left], [stepper_right]; the right defaults to the left's). */
export const DELTESIAN_TOWER_OPTIONS = defineOptions({
  arm_length: { type: 'float', optional: true, above: 0, doc: 'Arm length (mm) from carriage to effector' },
  arm_x_length: { type: 'float', optional: true, above: 0, doc: 'Horizontal distance (mm) from the tower to the effector joint at x = 0' },
});

export const DELTESIAN_OPTIONS = defineOptions({
  min_angle: { type: 'float', default: 5, minval: 0, maxval: 90, doc: 'Smallest arm angle (degrees) to the horizontal' },
  print_width: { type: 'float', optional: true, above: 0, doc: 'Printable X width (mm), centred on x = 0; default what the arms reach' },
  minimum_z_position: { type: 'float', default: 0, doc: 'Lowest Z position (mm) a move may reach' },
});

export const MCU_OPTIONS = defineOptions({
  serial: { type: 'string', optional: true, doc: 'Serial port of the MCU (/dev/serial/by-id/...)' },
  baud: { type: 'int', default: 250000, minval: 2400, doc: 'Baud rate (ignored on USB)' },
  restart_method: {
    type: 'choice',
    choices: ['arduino', 'cheetah', 'rpi_usb', 'command'],
    optional: true,
    doc: 'How to reset the MCU: arduino (DTR), cheetah, rpi_usb or command',
  },
  canbus_uuid: { type: 'string', optional: true, doc: 'CAN bus node id (CAN is not supported yet)' },
  canbus_interface: { type: 'string', optional: true, doc: 'CAN interface (CAN is not supported yet)' },
});

export const FORCE_MOVE_OPTIONS = defineOptions({
  enable_force_move: { type: 'boolean', default: false, doc: 'Enable FORCE_MOVE and SET_KINEMATIC_POSITION' },
});

export const GCODE_ARCS_OPTIONS = defineOptions({
  resolution: { type: 'float', default: 1, above: 0, doc: 'Length (mm) of the line segments an arc is cut into' },
});

export const RESPOND_OPTIONS = defineOptions({
  default_type: { type: 'choice', choices: ['echo', 'echo_no_space', 'command', 'error'], default: 'echo', doc: 'Default RESPOND TYPE' },
  default_prefix: { type: 'string', optional: true, doc: 'Default RESPOND prefix' },
});
