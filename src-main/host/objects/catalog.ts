// The option catalog: every config section Tether handles, with a one-line doc and its option
// tables. Pure data (no Node, no printer objects), so the config editor can import it as is;
// registry.ts attaches the factories that build the objects from the same rows.
import { catalogOptions, type CatalogOption, type OptionTable } from '../config/options';
import { EXTRUDER_OPTIONS } from './extruder-options';
import { EXTRUDER_STEPPER_OPTIONS } from './extruder-stepper-options';
import { HEATER_OPTIONS } from './heater-options';
import {
  DELTA_OPTIONS,
  DELTA_TOWER_OPTIONS,
  DELTESIAN_OPTIONS,
  DELTESIAN_TOWER_OPTIONS,
  POLAR_OPTIONS,
  WINCH_ANCHOR_OPTIONS,
  FORCE_MOVE_OPTIONS,
  GCODE_ARCS_OPTIONS,
  MCU_OPTIONS,
  PRINTER_OPTIONS,
  RESPOND_OPTIONS,
  Z_LIMIT_OPTIONS,
} from './printer-options';
import {
  FAN_OPTIONS,
  HEATER_FAN_OPTIONS,
  OUTPUT_PIN_OPTIONS,
  STATIC_DIGITAL_OUTPUT_OPTIONS,
  TEMPERATURE_SENSOR_OPTIONS,
} from './fan-options';
import { THERMISTOR_OPTIONS } from './thermistor-options';
import { PROBE_OPTIONS, PROBE_SAMPLE_OPTIONS } from './probe-options';
import { BLTOUCH_OPTIONS } from './bltouch-options';
import { BED_MESH_OPTIONS, BED_MESH_PROFILE_OPTIONS, BED_MESH_RECT_OPTIONS, BED_MESH_ROUND_OPTIONS } from './bed-mesh-options';
import { BED_SCREW_FINE_OPTIONS, BED_SCREWS_OPTIONS, SCREW_LIST_OPTIONS, SCREWS_TILT_ADJUST_OPTIONS } from './bed-screws-options';
import { BED_TILT_OPTIONS } from './bed-tilt-options';
import { INPUT_SHAPER_OPTIONS } from './input-shaper-options';
import { ADXL345_OPTIONS } from './adxl345-options';
import { LIS2DW_OPTIONS, LIS3DH_OPTIONS } from './lis2dw-options';
import { ICM20948_OPTIONS, MPU9250_OPTIONS } from './mpu9250-options';
import { RESONANCE_TESTER_OPTIONS } from './resonance-tester-options';
import {
  AD5206_OPTIONS,
  DAC084S085_OPTIONS,
  DIGIPOT_I2C_OPTIONS,
  DIGIPOT_SCALE_OPTIONS,
  DIGIPOT_SPI_OPTIONS,
  MCP4018_OPTIONS,
  MCP4451_OPTIONS,
  MCP4728_OPTIONS,
} from './digipot-options';
import { Z_TILT_OPTIONS } from './z-tilt-options';
import { QUAD_GANTRY_LEVEL_OPTIONS } from './quad-gantry-level-options';
import { DELTA_CALIBRATE_OPTIONS } from './delta-calibrate-options';
import { SKEW_PROFILE_OPTIONS } from './skew-correction-options';
import { AXIS_TWIST_OPTIONS } from './axis-twist-options';
import { HOMING_OVERRIDE_OPTIONS, SAFE_Z_HOME_OPTIONS } from './homing-options';
import { BOARD_PINS_OPTIONS } from './board-pins-options';
import { CONTROLLER_FAN_OPTIONS } from './controller-fan-options';
import { IDLE_TIMEOUT_OPTIONS } from './idle-timeout-options';
import { VERIFY_HEATER_OPTIONS } from './verify-heater-options';
import {
  DELAYED_GCODE_OPTIONS,
  EMPTY_OPTIONS,
  GCODE_MACRO_OPTIONS,
  PAUSE_RESUME_OPTIONS,
  VIRTUAL_PRINTER_OPTIONS,
  VIRTUAL_SDCARD_OPTIONS,
} from './macro-options';
import { EXTRA_STEPPER_OPTIONS, RAIL_OPTIONS, RAIL_RANGE_OPTIONS, STEPPER_MOTOR_OPTIONS } from './stepper-options';
import { tmcOptionTables } from './tmc-options';
import { FILAMENT_SWITCH_SENSOR_OPTIONS } from './filament-switch-sensor-options';
import { GCODE_BUTTON_OPTIONS } from './gcode-button-options';
import { DOTSTAR_OPTIONS, LED_INITIAL_OPTIONS, LED_PWM_OPTIONS, NEOPIXEL_OPTIONS, PCA_I2C_OPTIONS, PCA9632_OPTIONS } from './led-options';
import {
  AIP31068_SPI_OPTIONS,
  DISPLAY_DATA_OPTIONS,
  DISPLAY_GLYPH_OPTIONS,
  DISPLAY_OPTIONS,
  DISPLAY_TEMPLATE_OPTIONS,
  EMULATED_ST7920_OPTIONS,
  HD44780_OPTIONS,
  HD44780_SPI_OPTIONS,
  MENU_OPTIONS,
  SSD1306_OPTIONS,
  ST7920_OPTIONS,
  UC1701_OPTIONS,
} from './display-options';
import { HEATER_GENERIC_OPTIONS } from './heater-generic-options';
import { TEMPERATURE_FAN_OPTIONS } from './temperature-fan-options';
import { ADC_TEMPERATURE_OPTIONS } from './adc-table';
import { ADC_SCALED_OPTIONS } from './adc-scaled-options';
import { PWM_CYCLE_TIME_OPTIONS } from './pwm-cycle-time-options';
import { HOMING_HEATERS_OPTIONS } from './homing-heaters-options';
import { MULTI_PIN_OPTIONS } from './multi-pin-options';
import { STATIC_PWM_CLOCK_OPTIONS } from './static-pwm-clock-options';
import { SAVE_VARIABLES_OPTIONS } from './save-variables-options';
import { FIRMWARE_RETRACTION_OPTIONS } from './firmware-retraction-options';
import { SERVO_OPTIONS } from './servo-options';
import { MANUAL_STEPPER_OPTIONS } from './manual-stepper-options';
import { FILAMENT_MOTION_SENSOR_OPTIONS } from './filament-motion-sensor-options';
import { I2C_SENSOR_SECTION_OPTIONS, I2C_SENSOR_SECTIONS } from './i2c-sensor-options';
import { DUPLICATE_PIN_OVERRIDE_OPTIONS } from './duplicate-pin-override-options';
import { Z_THERMAL_ADJUST_OPTIONS } from './z-thermal-adjust-options';
import { FILAMENT_WIDTH_OPTIONS, HALL_FILAMENT_WIDTH_OPTIONS, TSL1401CL_OPTIONS } from './filament-width-sensor-options';
import { DUAL_CARRIAGE_OPTIONS } from './dual-carriage-options';

export interface SectionCatalogEntry {
  /** Section name ('printer') or, for entries with `matches`, the name start ('stepper_'). */
  name: string;
  /** One line for the editor. */
  doc: string;
  /** Options by group; the catalog lists them all. */
  options: OptionTable[];
  /** Section names this entry covers when it is not a single fixed name. */
  matches?: (sectionName: string) => boolean;
}

const STEPPER_AXES = new Set(['stepper_x', 'stepper_y', 'stepper_z', 'stepper_a', 'stepper_b', 'stepper_c']);

/** In load order: the MCU first, then the toolhead (which reads the steppers), then the rest. */
export const SECTION_CATALOG: SectionCatalogEntry[] = [
  {
    name: 'mcu',
    doc: 'A micro-controller and how to reach it: [mcu] (main) or [mcu NAME] (pins NAME:PIN)',
    options: [MCU_OPTIONS],
    matches: (n) => n === 'mcu' || /^mcu \S+$/.test(n),
  },
  {
    name: 'board_pins',
    doc: 'Pin aliases (connector names such as EXP1_1) usable in every pin option',
    options: [BOARD_PINS_OPTIONS],
    matches: (n) => n === 'board_pins' || n.startsWith('board_pins '),
  },
  // Before any section claims a pin (and after the aliases it may name).
  {
    name: 'duplicate_pin_override',
    doc: 'Pins more than one section may use (pins: PA1, toolboard:PB3)',
    options: [DUPLICATE_PIN_OVERRIDE_OPTIONS],
  },
  // Before the heaters and fans whose pin names it (heater_pin: multi_pin:NAME).
  {
    name: 'multi_pin',
    doc: 'Several output pins driven as one: multi_pin:NAME as a heater_pin or fan pin',
    options: [MULTI_PIN_OPTIONS],
    matches: (n) => n.startsWith('multi_pin '),
  },
  // Before the heaters and sensors whose pins it scales (sensor_pin: NAME:PIN).
  {
    name: 'adc_scaled',
    doc: 'ADC readings corrected by a measured reference (Duet boards): sensor pins written NAME:PIN',
    options: [ADC_SCALED_OPTIONS],
    matches: (n) => n.startsWith('adc_scaled '),
  },
  // Before [printer]: stepper_z's endstop_pin probe:z_virtual_endstop needs the probe's switch.
  {
    name: 'probe',
    doc: 'A Z probe: PROBE, QUERY_PROBE, PROBE_ACCURACY, PROBE_CALIBRATE; probe:z_virtual_endstop homes Z on it',
    options: [PROBE_OPTIONS],
  },
  {
    name: 'bltouch',
    doc: 'A BLTouch servo probe: a [probe] whose pin deploys for each probe; BLTOUCH_DEBUG, BLTOUCH_STORE',
    options: [BLTOUCH_OPTIONS, PROBE_SAMPLE_OPTIONS],
  },
  {
    name: 'printer',
    doc: 'Kinematics and toolhead speed limits',
    options: [PRINTER_OPTIONS, Z_LIMIT_OPTIONS, DELTA_OPTIONS, POLAR_OPTIONS, DELTESIAN_OPTIONS],
  },
  {
    name: 'stepper_',
    doc: 'A stepper motor driving an axis (stepper_x/y/z; stepper_a/b/c on a delta)',
    options: [STEPPER_MOTOR_OPTIONS, RAIL_RANGE_OPTIONS, RAIL_OPTIONS, DELTA_TOWER_OPTIONS, WINCH_ANCHOR_OPTIONS],
    matches: (n) => STEPPER_AXES.has(n),
  },
  {
    name: 'stepper_bed',
    doc: 'Steppers of polar (stepper_bed: the turntable, in radians; stepper_arm), deltesian (stepper_left/right) and winch printers (stepper_d, stepper_e, ...: one per cable)',
    options: [STEPPER_MOTOR_OPTIONS, RAIL_RANGE_OPTIONS, RAIL_OPTIONS, DELTESIAN_TOWER_OPTIONS, WINCH_ANCHOR_OPTIONS],
    matches: (n) => /^stepper_(bed|arm|left|right|[d-w])$/.test(n),
  },
  {
    // Named like its most common use so the editor finds it for [stepper_z1]; matches all of them.
    name: 'stepper_z1',
    doc: "One more motor on a rail (stepper_z1, stepper_z2, ...; stepper_x1/stepper_y1): range and homing are the main stepper's",
    options: [STEPPER_MOTOR_OPTIONS, EXTRA_STEPPER_OPTIONS],
    matches: (n) => /^stepper_[xyz]\d+$/.test(n),
  },
  {
    name: 'dual_carriage',
    doc: 'A second, independent carriage on X or Y (IDEX, cartesian): SET_DUAL_CARRIAGE, SAVE/RESTORE_DUAL_CARRIAGE_STATE',
    options: [DUAL_CARRIAGE_OPTIONS, STEPPER_MOTOR_OPTIONS, RAIL_RANGE_OPTIONS, RAIL_OPTIONS],
  },
  {
    name: 'extruder',
    doc: 'An extruder ([extruder], [extruder1], ...): its stepper, filament limits and heater; ACTIVATE_EXTRUDER switches',
    options: [STEPPER_MOTOR_OPTIONS, EXTRUDER_OPTIONS, HEATER_OPTIONS, I2C_SENSOR_SECTION_OPTIONS],
    matches: (n) => /^extruder([1-9]\d*)?$/.test(n),
  },
  // After the extruders: it follows one of them (SYNC_EXTRUDER_MOTION changes which).
  {
    name: 'extruder_stepper',
    doc: 'One more filament motor moving with an extruder: [extruder_stepper NAME]; SYNC_EXTRUDER_MOTION, SET_EXTRUDER_ROTATION_DISTANCE',
    options: [EXTRUDER_STEPPER_OPTIONS, STEPPER_MOTOR_OPTIONS],
    matches: (n) => n === 'extruder_stepper' || n.startsWith('extruder_stepper '),
  },
  {
    name: 'heater_bed',
    doc: 'The heated bed: its heater and temperature sensor',
    options: [{ ...HEATER_OPTIONS, ...I2C_SENSOR_SECTION_OPTIONS }],
  },
  // Before the fans: heater_fan/controller_fan name heaters.
  {
    name: 'heater_generic',
    doc: 'A heater under any name (chamber): SET_HEATER_TEMPERATURE HEATER=NAME',
    options: [HEATER_OPTIONS, HEATER_GENERIC_OPTIONS, I2C_SENSOR_SECTION_OPTIONS],
    matches: (n) => n.startsWith('heater_generic '),
  },
  // Trinamic drivers after the steppers they configure ([tmc2209 stepper_x] -> [stepper_x]).
  ...(['tmc2208', 'tmc2209', 'tmc2130', 'tmc5160', 'tmc2240', 'tmc2660'] as const).map((chip) => ({
    name: chip,
    doc: `A Trinamic ${chip.toUpperCase()} driver configured over ${chip === 'tmc2240' ? 'SPI or UART' : chip === 'tmc2208' || chip === 'tmc2209' ? 'UART' : chip === 'tmc2660' ? 'SPI (20-bit datagrams)' : 'SPI'}: [${chip} stepper_x]`,
    options: tmcOptionTables(chip),
    matches: (n: string) => n.startsWith(`${chip} `),
  })),
  { name: 'force_move', doc: 'SET_KINEMATIC_POSITION and FORCE_MOVE for debugging', options: [FORCE_MOVE_OPTIONS] },
  { name: 'gcode_arcs', doc: 'G2/G3 arc moves', options: [GCODE_ARCS_OPTIONS] },
  {
    name: 'input_shaper',
    doc: 'Input shaping: X/Y motion shaped to cancel a resonance (SET_INPUT_SHAPER)',
    options: [INPUT_SHAPER_OPTIONS],
  },
  {
    name: 'adxl345',
    doc: 'An ADXL345 accelerometer on SPI: ACCELEROMETER_QUERY, ACCELEROMETER_MEASURE (CHIP=NAME for [adxl345 NAME])',
    options: [ADXL345_OPTIONS],
    matches: (n) => n === 'adxl345' || n.startsWith('adxl345 '),
  },
  {
    name: 'lis2dw',
    doc: 'An ST LIS2DW12 accelerometer on SPI (cs_pin) or I2C: ACCELEROMETER_QUERY, ACCELEROMETER_MEASURE (CHIP=NAME for [lis2dw NAME])',
    options: [LIS2DW_OPTIONS],
    matches: (n) => n === 'lis2dw' || n.startsWith('lis2dw '),
  },
  {
    name: 'lis3dh',
    doc: 'An ST LIS3DH accelerometer on SPI (cs_pin) or I2C: ACCELEROMETER_QUERY, ACCELEROMETER_MEASURE (CHIP=NAME for [lis3dh NAME])',
    options: [LIS3DH_OPTIONS],
    matches: (n) => n === 'lis3dh' || n.startsWith('lis3dh '),
  },
  {
    name: 'mpu9250',
    doc: 'An MPU-9250/9255/6500/6515/6050 accelerometer on I2C: ACCELEROMETER_QUERY, ACCELEROMETER_MEASURE (CHIP=NAME for [mpu9250 NAME])',
    options: [MPU9250_OPTIONS],
    matches: (n) => n === 'mpu9250' || n.startsWith('mpu9250 '),
  },
  {
    name: 'icm20948',
    doc: 'An ICM-20948 accelerometer on I2C: ACCELEROMETER_QUERY, ACCELEROMETER_MEASURE (CHIP=NAME for [icm20948 NAME])',
    options: [ICM20948_OPTIONS],
    matches: (n) => n === 'icm20948' || n.startsWith('icm20948 '),
  },
  {
    name: 'resonance_tester',
    doc: 'Resonance measurement: TEST_RESONANCES AXIS=X|Y and SHAPER_CALIBRATE (recommends [input_shaper] settings)',
    options: [RESONANCE_TESTER_OPTIONS],
  },
  // Both wrap G28 (registered by [printer]); they cannot be combined.
  { name: 'homing_override', doc: 'Run a G-code template instead of the normal G28', options: [HOMING_OVERRIDE_OPTIONS] },
  { name: 'safe_z_home', doc: 'G28 homes Z at a set X/Y position (over the bed), after X and Y', options: [SAFE_Z_HOME_OPTIONS] },
  // Bed levelling: they look the probe up when their commands run, so they may load before it.
  {
    name: 'bed_mesh',
    doc: "Mesh bed levelling: BED_MESH_CALIBRATE probes a grid, moves follow the bed's height",
    options: [BED_MESH_OPTIONS, BED_MESH_RECT_OPTIONS, BED_MESH_ROUND_OPTIONS],
  },
  {
    name: 'bed_mesh NAME',
    doc: 'A saved bed mesh profile (written by BED_MESH_PROFILE SAVE and SAVE_CONFIG)',
    options: [BED_MESH_PROFILE_OPTIONS],
    matches: (n) => n.startsWith('bed_mesh '),
  },
  {
    name: 'bed_screws',
    doc: 'BED_SCREWS_ADJUST: visit each bed screw for a manual (paper) levelling',
    options: [BED_SCREWS_OPTIONS, SCREW_LIST_OPTIONS, BED_SCREW_FINE_OPTIONS],
  },
  {
    name: 'screws_tilt_adjust',
    doc: 'SCREWS_TILT_CALCULATE: probe at each bed screw and say how far to turn it',
    options: [SCREWS_TILT_ADJUST_OPTIONS, SCREW_LIST_OPTIONS],
  },
  { name: 'bed_tilt', doc: 'Tilted-bed correction: BED_TILT_CALIBRATE fits a plane, moves follow it', options: [BED_TILT_OPTIONS] },
  { name: 'z_tilt', doc: 'Z_TILT_ADJUST: probe and level a bed or gantry carried by several Z motors', options: [Z_TILT_OPTIONS] },
  {
    name: 'quad_gantry_level',
    doc: 'QUAD_GANTRY_LEVEL: probe four points and level a flying gantry carried by four Z motors (Voron 2)',
    options: [QUAD_GANTRY_LEVEL_OPTIONS],
  },
  // heightN/heightN_pos (saved by DELTA_CALIBRATE) are read by the object itself.
  {
    name: 'delta_calibrate',
    doc: "DELTA_CALIBRATE: probe seven points and fit a delta's endstops, radius and tower angles for SAVE_CONFIG",
    options: [DELTA_CALIBRATE_OPTIONS],
  },
  // After [bed_mesh]: the skew correction hands its moves on to the mesh.
  {
    name: 'skew_correction',
    doc: 'Corrects moves for axes out of square: SET_SKEW, SKEW_PROFILE, GET_CURRENT_SKEW, CALC_MEASURED_SKEW',
    options: [EMPTY_OPTIONS],
  },
  {
    name: 'skew_correction NAME',
    doc: 'A saved skew profile (written by SKEW_PROFILE SAVE and SAVE_CONFIG)',
    options: [SKEW_PROFILE_OPTIONS],
    matches: (n) => n.startsWith('skew_correction '),
  },
  {
    name: 'axis_twist_compensation',
    doc: 'Corrects probe results for a twisted X (or Y) rail: AXIS_TWIST_COMPENSATION_CALIBRATE (probe, then the paper test)',
    options: [AXIS_TWIST_OPTIONS],
  },
  { name: 'respond', doc: 'Defaults of RESPOND and M118', options: [RESPOND_OPTIONS] },
  { name: 'fan', doc: 'The part-cooling fan (M106/M107)', options: [FAN_OPTIONS] },
  {
    name: 'heater_fan',
    doc: 'A fan that runs while its heaters are hot',
    options: [FAN_OPTIONS, HEATER_FAN_OPTIONS],
    matches: (n) => n.startsWith('heater_fan '),
  },
  {
    name: 'controller_fan',
    doc: 'A fan that runs while steppers or heaters are on (driver cooling)',
    options: [FAN_OPTIONS, CONTROLLER_FAN_OPTIONS],
    matches: (n) => n.startsWith('controller_fan '),
  },
  {
    name: 'temperature_fan',
    doc: 'A fan driven by a temperature sensor (watermark or PID): SET_TEMPERATURE_FAN_TARGET',
    options: [FAN_OPTIONS, TEMPERATURE_FAN_OPTIONS, I2C_SENSOR_SECTION_OPTIONS],
    matches: (n) => n.startsWith('temperature_fan '),
  },
  {
    name: 'fan_generic',
    doc: 'A fan set by hand or macros: SET_FAN_SPEED FAN=NAME SPEED=0..1',
    options: [FAN_OPTIONS],
    matches: (n) => n.startsWith('fan_generic '),
  },
  {
    name: 'idle_timeout',
    doc: 'What runs after the printer sits idle (default: heaters and motors off after 600 s)',
    options: [IDLE_TIMEOUT_OPTIONS],
  },
  {
    name: 'temperature_sensor',
    doc: 'An extra temperature sensor (shown, not controlled)',
    options: [{ ...TEMPERATURE_SENSOR_OPTIONS, ...I2C_SENSOR_SECTION_OPTIONS }],
    matches: (n) => n.startsWith('temperature_sensor '),
  },
  // Klipper's bare [bme280], [sht3x], ... only load a sensor type: nothing to set.
  ...I2C_SENSOR_SECTIONS.map((name) => ({
    name,
    doc: `Loads sensor_type ${name.toUpperCase()} (I2C); accepted for Klipper configs`,
    options: [EMPTY_OPTIONS],
  })),
  {
    name: 'static_pwm_clock',
    doc: 'A clock signal for another chip: a hardware-PWM pin set once to a frequency at half duty',
    options: [STATIC_PWM_CLOCK_OPTIONS],
    matches: (n) => n.startsWith('static_pwm_clock '),
  },
  // Before [output_pin]: it registers the SET_PIN both kinds share.
  {
    name: 'pwm_cycle_time',
    doc: 'An output pin whose PWM period SET_PIN CYCLE_TIME= changes (a beeper)',
    options: [PWM_CYCLE_TIME_OPTIONS],
    matches: (n) => n.startsWith('pwm_cycle_time '),
  },
  { name: 'output_pin', doc: 'An output pin set with SET_PIN', options: [OUTPUT_PIN_OPTIONS], matches: (n) => n.startsWith('output_pin ') },
  {
    name: 'static_digital_output',
    doc: 'Pins set once at start-up',
    options: [STATIC_DIGITAL_OUTPUT_OPTIONS],
    matches: (n) => n.startsWith('static_digital_output '),
  },
  {
    name: 'thermistor',
    doc: 'A custom thermistor (usable as sensor_type by its name)',
    options: [THERMISTOR_OPTIONS],
    matches: (n) => n.startsWith('thermistor '),
  },
  {
    name: 'homing_heaters',
    doc: 'Heaters off during homing and probing moves (of the steppers listed), then back on',
    options: [HOMING_HEATERS_OPTIONS],
  },
  {
    name: 'adc_temperature',
    doc: 'A custom ADC sensor: temperature/voltage (or temperature/resistance) points, usable as sensor_type by its name',
    options: [ADC_TEMPERATURE_OPTIONS],
    matches: (n) => n.startsWith('adc_temperature '),
  },
  {
    name: 'verify_heater',
    doc: 'Heater safety checks (defaults apply to every heater without this section)',
    options: [VERIFY_HEATER_OPTIONS],
    matches: (n) => n.startsWith('verify_heater '),
  },
  // Print jobs and macros (issue 7). gcode_macro comes last: rename_existing needs the others' commands.
  { name: 'print_stats', doc: 'Print job state and durations (always present)', options: [EMPTY_OPTIONS] },
  { name: 'virtual_sdcard', doc: 'Print G-code files from a folder', options: [VIRTUAL_SDCARD_OPTIONS] },
  { name: 'pause_resume', doc: 'PAUSE, RESUME and CANCEL_PRINT', options: [PAUSE_RESUME_OPTIONS] },
  // After pause_resume: a filament sensor that pauses adds one only when the config has none.
  {
    name: 'filament_switch_sensor',
    doc: 'A filament runout switch: pauses (and runs runout_gcode) when filament runs out while printing',
    options: [FILAMENT_SWITCH_SENSOR_OPTIONS],
    matches: (n) => n.startsWith('filament_switch_sensor '),
  },
  {
    name: 'filament_motion_sensor',
    doc: 'A filament encoder: pauses (and runs runout_gcode) when the extruder pushes detection_length mm without a toggle',
    options: [FILAMENT_MOTION_SENSOR_OPTIONS],
    matches: (n) => n.startsWith('filament_motion_sensor '),
  },
  {
    name: 'save_variables',
    doc: 'SAVE_VARIABLE: values kept in a file across restarts (printer.save_variables.variables)',
    options: [SAVE_VARIABLES_OPTIONS],
  },
  {
    name: 'firmware_retraction',
    doc: 'G10/G11 firmware retraction; SET_RETRACTION, GET_RETRACTION',
    options: [FIRMWARE_RETRACTION_OPTIONS],
  },
  {
    name: 'servo',
    doc: 'A hobby servo on a PWM pin: SET_SERVO SERVO= ANGLE=|WIDTH=',
    options: [SERVO_OPTIONS],
    matches: (n) => n.startsWith('servo '),
  },
  {
    name: 'manual_stepper',
    doc: 'A stepper moved only by MANUAL_STEPPER (feeders, tool changers), optionally stopping at its endstop',
    options: [STEPPER_MOTOR_OPTIONS, MANUAL_STEPPER_OPTIONS],
    matches: (n) => n.startsWith('manual_stepper '),
  },
  { name: 'tuning_tower', doc: 'TUNING_TOWER (always present): change a setting with Z height for a test tower', options: [EMPTY_OPTIONS] },
  { name: 'motion_report', doc: 'Live toolhead position and velocity for the UI (always present)', options: [EMPTY_OPTIONS] },
  { name: 'stepper_enable', doc: 'Stepper driver enable pins: M84, SET_STEPPER_ENABLE (always present)', options: [EMPTY_OPTIONS] },
  { name: 'manual_probe', doc: 'MANUAL_PROBE, Z_ENDSTOP_CALIBRATE, Z_OFFSET_APPLY_ENDSTOP (always present)', options: [EMPTY_OPTIONS] },
  { name: 'query_adc', doc: 'QUERY_ADC NAME= PULLUP=: last reading of an analog sensor (always present)', options: [EMPTY_OPTIONS] },
  { name: 'pid_calibrate', doc: 'PID_CALIBRATE HEATER= TARGET= (always present)', options: [EMPTY_OPTIONS] },
  { name: 'statistics', doc: 'A Stats line in the host log every minute (MCU and host load)', options: [EMPTY_OPTIONS] },
  {
    name: 'hall_filament_width_sensor',
    doc: 'Filament diameter from two hall sensors: flow follows it (M221) once the measured filament reaches the nozzle',
    options: [FILAMENT_WIDTH_OPTIONS, HALL_FILAMENT_WIDTH_OPTIONS],
  },
  {
    name: 'tsl1401cl_filament_width_sensor',
    doc: 'Filament diameter from a TSL1401CL line sensor: flow follows it (M221) once the measured filament reaches the nozzle',
    options: [FILAMENT_WIDTH_OPTIONS, TSL1401CL_OPTIONS],
  },
  {
    name: 'z_thermal_adjust',
    doc: 'Z follows a frame temperature sensor (temp_coeff mm/C from the temperature at Z homing); SET_Z_THERMAL_ADJUST',
    options: [Z_THERMAL_ADJUST_OPTIONS, TEMPERATURE_SENSOR_OPTIONS],
  },
  { name: 'sdcard_loop', doc: 'SDCARD_LOOP_BEGIN/END/DESIST: repeat part of a printed file', options: [EMPTY_OPTIONS] },
  {
    name: 'gcode_button',
    doc: 'A button (input pin) that runs G-code when pressed or released',
    options: [GCODE_BUTTON_OPTIONS],
    matches: (n) => n.startsWith('gcode_button '),
  },
  // LEDs: SET_LED LED=NAME sets their colours (status: color_data).
  {
    name: 'led',
    doc: 'An LED on PWM pins (red_pin, green_pin, blue_pin, white_pin): SET_LED LED=NAME',
    options: [LED_PWM_OPTIONS, LED_INITIAL_OPTIONS],
    matches: (n) => n.startsWith('led '),
  },
  {
    name: 'neopixel',
    doc: 'A chain of WS2812 (neopixel) LEDs on one data pin: SET_LED LED=NAME [INDEX=n]',
    options: [NEOPIXEL_OPTIONS, LED_INITIAL_OPTIONS],
    matches: (n) => n.startsWith('neopixel '),
  },
  {
    name: 'dotstar',
    doc: 'A chain of APA102 (dotstar) LEDs on a data and a clock pin: SET_LED LED=NAME [INDEX=n]',
    options: [DOTSTAR_OPTIONS, LED_INITIAL_OPTIONS],
    matches: (n) => n.startsWith('dotstar '),
  },
  {
    name: 'pca9533',
    doc: 'A PCA9533 I2C LED driver (4 levels a channel): SET_LED LED=NAME',
    options: [PCA_I2C_OPTIONS, LED_INITIAL_OPTIONS],
    matches: (n) => n.startsWith('pca9533 '),
  },
  {
    name: 'pca9632',
    doc: 'A PCA9632 I2C LED driver (PWM per channel): SET_LED LED=NAME',
    options: [PCA_I2C_OPTIONS, PCA9632_OPTIONS, LED_INITIAL_OPTIONS],
    matches: (n) => n.startsWith('pca9632 '),
  },
  // Current-control chips: written once while the MCU is configured.
  {
    name: 'ad5206',
    doc: 'An AD5206 SPI digipot setting stepper currents (channel_1..6, 0..scale)',
    options: [DIGIPOT_SPI_OPTIONS, AD5206_OPTIONS, DIGIPOT_SCALE_OPTIONS],
    matches: (n) => n.startsWith('ad5206 '),
  },
  {
    name: 'dac084S085',
    doc: 'A DAC084S085 SPI DAC setting stepper currents (channel_a..d, 0..scale)',
    options: [DIGIPOT_SPI_OPTIONS, DAC084S085_OPTIONS, DIGIPOT_SCALE_OPTIONS],
    matches: (n) => n.startsWith('dac084S085 '),
  },
  {
    name: 'mcp4451',
    doc: 'An MCP4451 I2C digipot setting stepper currents (wiper_0..3, 0..scale)',
    options: [MCP4451_OPTIONS, DIGIPOT_I2C_OPTIONS, DIGIPOT_SCALE_OPTIONS],
    matches: (n) => n.startsWith('mcp4451 '),
  },
  {
    name: 'mcp4018',
    doc: 'An MCP4018 I2C digipot (wiper, 0..scale): SET_DIGIPOT DIGIPOT=NAME WIPER=value',
    options: [MCP4018_OPTIONS, DIGIPOT_I2C_OPTIONS, DIGIPOT_SCALE_OPTIONS],
    matches: (n) => n.startsWith('mcp4018 '),
  },
  {
    name: 'mcp4728',
    doc: 'An MCP4728 I2C 12-bit DAC (channel_a..d, 0..scale)',
    options: [MCP4728_OPTIONS, DIGIPOT_I2C_OPTIONS, DIGIPOT_SCALE_OPTIONS],
    matches: (n) => n.startsWith('mcp4728 '),
  },
  // The display reads the glyphs, templates, data groups and menu items loaded before it.
  {
    name: 'display_glyph',
    doc: 'A 16x16 (and/or hd44780 5x8) picture shown by ~name~ in display texts',
    options: [DISPLAY_GLYPH_OPTIONS],
    matches: (n) => n.startsWith('display_glyph '),
  },
  {
    name: 'display_template',
    doc: 'A reusable display text template (param_* options are its parameters)',
    options: [DISPLAY_TEMPLATE_OPTIONS],
    matches: (n) => n.startsWith('display_template '),
  },
  {
    name: 'display_data',
    doc: 'One text of a display screen: [display_data GROUP NAME] with position and text',
    options: [DISPLAY_DATA_OPTIONS],
    matches: (n) => n.startsWith('display_data '),
  },
  {
    name: 'menu',
    doc: 'A display menu item: [menu __main __control my_item] (list, command, input, vsdlist)',
    options: [MENU_OPTIONS],
    matches: (n) => n.startsWith('menu '),
  },
  {
    name: 'display',
    doc: 'An LCD (st7920, hd44780, uc1701, ssd1306, sh1106, ...): status screen, menu, encoder and buttons',
    options: [
      DISPLAY_OPTIONS,
      ST7920_OPTIONS,
      EMULATED_ST7920_OPTIONS,
      HD44780_OPTIONS,
      HD44780_SPI_OPTIONS,
      AIP31068_SPI_OPTIONS,
      UC1701_OPTIONS,
      SSD1306_OPTIONS,
    ],
    matches: (n) => n === 'display' || n.startsWith('display '),
  },
  { name: 'exclude_object', doc: 'Cancel single objects of a print (EXCLUDE_OBJECT, M486)', options: [EMPTY_OPTIONS] },
  { name: 'display_status', doc: 'M117 message and M73 progress for the display and UI', options: [EMPTY_OPTIONS] },
  {
    name: 'virtual_printer',
    doc: 'A serial port (pty) for OctoPrint, Pronterface or other G-code senders',
    options: [VIRTUAL_PRINTER_OPTIONS],
  },
  {
    name: 'delayed_gcode',
    doc: 'A template run after a delay (UPDATE_DELAYED_GCODE)',
    options: [DELAYED_GCODE_OPTIONS],
    matches: (n) => n.startsWith('delayed_gcode '),
  },
  {
    name: 'gcode_macro',
    doc: 'A G-code command written as a template (variable_* options hold its variables)',
    options: [GCODE_MACRO_OPTIONS],
    matches: (n) => n.startsWith('gcode_macro '),
  },
];

export function catalogEntryOf(sectionName: string): SectionCatalogEntry | null {
  for (const e of SECTION_CATALOG) if (e.matches ? e.matches(sectionName) : e.name === sectionName) return e;
  return null;
}

export interface CatalogSection {
  name: string;
  doc: string;
  options: CatalogOption[];
}

/** The option catalog for the config editor: every handled section with its options. */
export function configCatalog(): CatalogSection[] {
  return SECTION_CATALOG.map((t) => {
    const seen = new Set<string>();
    const options: CatalogOption[] = [];
    for (const table of t.options) {
      for (const o of catalogOptions(table)) {
        if (seen.has(o.name)) continue;
        seen.add(o.name);
        options.push(o);
      }
    }
    return { name: t.name, doc: t.doc, options };
  });
}
