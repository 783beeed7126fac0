// A dual-extruder printer (the shared CARTESIAN test printer plus [extruder1] and an
// [extruder_stepper]) for the multi-extruder unit tests. Pins are atmega2560 names.
import { CARTESIAN } from '../objects/load-helpers';

export const EXTRUDER1 = `
[extruder1]
step_pin: PC1
dir_pin: PC3
enable_pin: !PC7
microsteps: 16
rotation_distance: 22.4
nozzle_diameter: 0.400
filament_diameter: 1.750
heater_pin: PB5
sensor_type: EPCOS 100K B57560G104F
sensor_pin: PK7
control: watermark
min_temp: 0
max_temp: 250
min_extrude_temp: 0
`;

export const EXTRA_STEPPER = `
[extruder_stepper belted]
extruder: extruder
step_pin: PG1
dir_pin: !PG0
enable_pin: !PG2
microsteps: 16
rotation_distance: 33.5
`;

/** CARTESIAN with [extruder] allowed to extrude cold (batch mode has no temperature anyway). */
export const DUAL = CARTESIAN.replace('max_temp: 250\n', 'max_temp: 250\nmin_extrude_temp: 0\n') + EXTRUDER1 + EXTRA_STEPPER;
