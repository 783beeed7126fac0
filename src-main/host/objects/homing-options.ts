// Option tables of [safe_z_home] and [homing_override] (Klipper's names and defaults).
import { defineOptions } from '../config/options';

export const SAFE_Z_HOME_OPTIONS = defineOptions({
  home_xy_position: { type: 'floatList', count: 2, doc: 'X, Y position (mm) the head moves to before Z is homed' },
  speed: { type: 'float', default: 50, above: 0, doc: 'Speed (mm/s) of the move to home_xy_position' },
  z_hop: { type: 'float', default: 0, doc: 'Lift Z by this much (mm) before homing (always when Z is not homed)' },
  z_hop_speed: { type: 'float', default: 15, above: 0, doc: 'Speed (mm/s) of the Z lift' },
  move_to_previous: { type: 'boolean', default: false, doc: 'Return X and Y to where they were after homing Z' },
});

export const HOMING_OVERRIDE_OPTIONS = defineOptions({
  gcode: { type: 'string', doc: 'Template run instead of G28; a G28 inside it does the real homing' },
  axes: { type: 'string', default: 'xyz', doc: 'Axes whose G28 runs the override (G28 with no axis always does)' },
  set_position_x: { type: 'float', optional: true, doc: 'Declare X at this position (and homed) before the gcode runs' },
  set_position_y: { type: 'float', optional: true, doc: 'Declare Y at this position (and homed) before the gcode runs' },
  set_position_z: { type: 'float', optional: true, doc: 'Declare Z at this position (and homed) before the gcode runs' },
});
