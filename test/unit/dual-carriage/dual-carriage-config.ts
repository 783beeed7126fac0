// An IDEX test printer: the shared CARTESIAN printer plus a [dual_carriage] on X (atmega2560 pins
// the sim also models) homing at the max end, 40 mm safe distance, and [extruder1] for T1.
import { CARTESIAN } from '../objects/load-helpers';

export const DUAL_CARRIAGE = `
[dual_carriage]
axis: x
step_pin: PG1
dir_pin: PG0
enable_pin: !PG2
microsteps: 16
rotation_distance: 40
endstop_pin: ^PE4
position_endstop: 200
position_max: 200
homing_speed: 50
safe_distance: 40
`;

export const IDEX = CARTESIAN + DUAL_CARRIAGE;

/** The same IDEX printer on hybrid_corexy ("Markforged"): stepper_x and dual_carriage turn x - y. */
export const HYBRID_IDEX = IDEX.replace('kinematics: cartesian', 'kinematics: hybrid_corexy');
