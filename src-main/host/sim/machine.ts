// The sim's machine description (firmware/boards/sim/README.md) generated from a printer.cfg,
// so any config runs as a simulated printer: its steppers (steps/mm from the config), endstops
// at position_endstop, heaters with the configured thermistor curve and a thermal model, fans.
import { readConfigFile } from '../config/reader';
import { parsePin, PrinterConfig, type ConfigSection } from '../config/section';
import type { PinDesc } from '../config/options';
import { I2C_SENSOR_TYPES, type I2cSensorType } from '../objects/i2c-sensor-options';
import { parseGearRatio } from '../motion/index';
import { resolveResistanceSensor } from '../objects/temperature-sensor';
import type { SteinhartHart } from '../objects/thermistor';
import { neopixelByteMap } from '../objects/neopixel';
import { isSpiTemperatureChip } from '../objects/spi-temperature-chips';

export interface SimStepper {
  name: string;
  axis: string;
  step_pin: string;
  dir_pin: string;
  enable_pin?: string;
  steps_per_mm: number;
  position_mm?: number;
}
export interface SimEndstop {
  name: string;
  pin: string;
  steppers: string[];
  trigger_position_mm: number;
  side: 'min' | 'max';
  /** The steppers are another sim process's: the positions file it publishes (`--positions`). */
  positions_file?: string;
  /** A sloped bed under a probe: the trigger is trigger_position_mm + dz_dx * x + dz_dy * y (local steppers). */
  tilt?: { x_stepper: string; y_stepper: string; dz_dx: number; dz_dy: number };
  /** A BLTouch: the servo wire whose pulse widths lower and raise the pin (the switch works only with the pin down). */
  servo_pin?: string;
  /** A probe on a delta: the switch follows the effector hung from the three carriages (carriage height = stepper mm + carriage_offset_mm). */
  delta?: { towers: SimDeltaTower[] };
  /** A probe under a flying gantry on four Z motors: the nozzle's height is the bilinear blend of the corner heights (stepper mm + offset_mm). */
  gantry?: SimGantry;
}
export interface SimDeltaTower {
  stepper: string;
  x: number;
  y: number;
  arm_mm: number;
  carriage_offset_mm: number;
}
/** Corners in the order front left (stepper_z), back left (z1), back right (z2), front right (z3). */
export interface SimGantry {
  x_stepper: string;
  y_stepper: string;
  corexy?: boolean;
  corners: { stepper: string; x: number; y: number; offset_mm: number }[];
}
export interface SimHeater {
  name: string;
  heater_pin: string;
  sensor_pin: string;
  thermistor: SteinhartHart | { beta: number; r0_ohm: number; t0_c: number };
  pullup_ohm: number;
  power_w: number;
  heat_capacity_j_per_k: number;
  loss_w_per_k: number;
  ambient_c?: number;
  initial_c?: number;
}
export interface SimFan {
  name: string;
  pin: string;
}
/**
 * A switch input: a filament switch reading "present" until `filament_stepper` has pushed
 * `runout_after_mm`, or a button pressed at `presses` (seconds after the MCU first reads it).
 */
export interface SimSwitch {
  name: string;
  pin: string;
  filament_stepper?: string;
  runout_after_mm?: number;
  /** A filament motion sensor: the pin toggles every this many mm of filament (until runout_after_mm). */
  toggle_every_mm?: number;
  presses?: { at_s: number; hold_s?: number }[];
}
/**
 * A Trinamic driver model on its bus pins (README "drivers"): UART kinds on uart_pin (tx_pin when
 * the MCU sends on another pin) at uart_address, SPI kinds on cs_pin with a bus (spi_bus) or
 * software SPI pins.
 */
export interface SimDriver {
  name: string;
  kind: string;
  uart_pin?: string;
  tx_pin?: string;
  uart_address?: number;
  cs_pin?: string;
  spi_bus?: string;
  sclk_pin?: string;
  mosi_pin?: string;
  miso_pin?: string;
  /** Sensorless homing: the stepper the driver moves, the wall its carriage meets (the
   * motor skips past it), and the MCU pin wired to DIAG (`diag`: DIAG0 or DIAG1, SPI kinds).
   * A hard stop with `axis` is a wall of the carriage in x or y from two motors (`corexy`:
   * x_stepper and y_stepper are A and B, x = (a+b)/2, y = (a-b)/2). */
  stepper?: string;
  hard_stop?: { side: 'min' | 'max'; position_mm: number; axis?: 'x' | 'y'; x_stepper?: string; y_stepper?: string; corexy?: boolean };
  diag_pin?: string;
  diag?: 0 | 1;
}
/**
 * A display controller model (README "displays"): st7920 on cs/sclk/sid pins, hd44780 on
 * rs/e/d4-d7 pins, ssd1306/sh1106 at an I2C address, or uc1701/ssd1306/sh1106 on SPI pins with
 * an A0 (data/command) pin. The sim traces what it shows as `lcd` events.
 */
export interface SimDisplay {
  name: string;
  kind: 'st7920' | 'hd44780' | 'ssd1306' | 'sh1106' | 'uc1701';
  cs_pin?: string;
  sclk_pin?: string;
  sid_pin?: string;
  rs_pin?: string;
  e_pin?: string;
  d4_pin?: string;
  d5_pin?: string;
  d6_pin?: string;
  d7_pin?: string;
  columns?: number;
  rows?: number;
  i2c_address?: number;
  i2c_bus?: string;
  scl_pin?: string;
  sda_pin?: string;
  a0_pin?: string;
  spi_bus?: string;
  mosi_pin?: string;
  x_offset?: number;
}
/**
 * An I2C environment sensor model (README "i2c_sensors"): the chip answering at i2c_address on
 * i2c_bus (any bus if unset) or on software pins, with what it measures (default 25 C, 40 %RH,
 * 1013.25 hPa).
 */
export interface SimI2cSensor {
  name: string;
  kind: 'bme280' | 'bmp280' | 'sht3x' | 'aht10' | 'aht20' | 'htu21d' | 'lm75' | 'mcp9808';
  i2c_address: number;
  i2c_bus?: string;
  scl_pin?: string;
  sda_pin?: string;
  temperature_c?: number;
  humidity_pct?: number;
  pressure_hpa?: number;
}
/** A filament switch that is never overridden keeps its filament for a kilometre. */
export const DEFAULT_RUNOUT_AFTER_MM = 1e6;
/** A filament motion sensor's sim toggles every this many mm (an encoder wheel's few teeth). */
export const DEFAULT_TOGGLE_EVERY_MM = 2;
/** Where a [manual_stepper]'s sim motor starts: this far above its endstop (mm). */
export const MANUAL_STEPPER_START_MM = 20;
/**
 * An LED chain model (README "leds"): WS2812 LEDs on `pin` taking their bytes in `color_order`
 * (one for all, or one per LED), or APA102 LEDs clocked in on `data_pin`/`clock_pin`. The sim
 * traces each update as an `led` event with every LED's [red, green, blue, white].
 */
export interface SimLed {
  name: string;
  kind: 'neopixel' | 'dotstar';
  pin?: string;
  data_pin?: string;
  clock_pin?: string;
  chain_count: number;
  color_order?: string | string[];
}
/**
 * An accelerometer model (README "accelerometers"): chip adxl345 (default), lis2dw or lis3dh on
 * cs_pin with a bus or software SPI pins, or (lis2dw, lis3dh, mpu9250/mpu6500/mpu6050,
 * icm20948) on I2C at i2c_address; the toolhead's resonance per axis (resonance_hz_x/_y,
 * damping ratio) shapes what it measures.
 */
export interface SimAccelerometer {
  name: string;
  chip?: string;
  cs_pin?: string;
  i2c_address?: number;
  spi_bus?: string;
  sclk_pin?: string;
  mosi_pin?: string;
  miso_pin?: string;
  resonance_hz_x?: number;
  resonance_hz_y?: number;
  damping?: number;
}
/**
 * An SPI temperature chip model (firmware/boards/sim/spi_temp.c) on cs_pin with a bus or software SPI
 * pins: it reads the named heater's temperature (else temp_c), and reports `fault` (open,
 * short_gnd, short_vcc) as that chip would: while the MCU output `fault_pin` is high when one
 * is given (a test's [output_pin]), else from fault_after_s seconds after its first read on.
 */
export interface SimSpiSensor {
  name: string;
  kind: 'max6675' | 'max31855' | 'max31856' | 'max31865';
  cs_pin: string;
  spi_bus?: string;
  sclk_pin?: string;
  mosi_pin?: string;
  miso_pin?: string;
  heater?: string;
  temp_c?: number;
  rtd_nominal_r?: number;
  rtd_reference_r?: number;
  fault?: 'none' | 'open' | 'short_gnd' | 'short_vcc';
  fault_after_s?: number;
  fault_pin?: string;
}
export interface SimMachine {
  spi_sensors?: SimSpiSensor[];
  accelerometers?: SimAccelerometer[];
  leds?: SimLed[];
  comment?: string;
  switches?: SimSwitch[];
  drivers?: SimDriver[];
  displays?: SimDisplay[];
  i2c_sensors?: SimI2cSensor[];
  steppers: SimStepper[];
  endstops: SimEndstop[];
  heaters: SimHeater[];
  fans: SimFan[];
}

/** Test and user tweaks applied on top of the generated machine (by name). */
export interface SimMachineOverrides {
  steppers?: Record<string, Partial<SimStepper>>;
  heaters?: Record<string, Partial<SimHeater>>;
  endstops?: Record<string, Partial<SimEndstop>>;
  /** By section name ('temperature_sensor chamber'): what the chip measures, or another address. */
  i2c_sensors?: Record<string, Partial<SimI2cSensor>>;
  /** By section name ('filament_switch_sensor runout', 'gcode_button lcd'): runout distance, presses. */
  switches?: Record<string, Partial<SimSwitch>>;
  /** By section name ('adxl345', 'lis2dw', 'adxl345 bed'): the resonance the accelerometer sees, or its chip ('mpu6050'). */
  accelerometers?: Record<string, Partial<SimAccelerometer>>;
  /** By section name ('extruder', 'temperature_sensor chamber'): a fault to inject, a fixed temperature. */
  spi_sensors?: Record<string, Partial<SimSpiSensor>>;
}

/**
 * Where the sim of each MCU chip ('mcu', 'toolboard') publishes its stepper positions. Given,
 * an endstop whose stepper runs on another MCU's sim follows that sim's positions file.
 */
export type PositionsFileOf = (chip: string) => string;

/** Thermal models: a hotend block heats in about a minute, a bed in a few minutes. */
const HEATER_MODELS: Record<string, Pick<SimHeater, 'power_w' | 'heat_capacity_j_per_k' | 'loss_w_per_k'>> = {
  hotend: { power_w: 40, heat_capacity_j_per_k: 8, loss_w_per_k: 0.12 },
  bed: { power_w: 200, heat_capacity_j_per_k: 300, loss_w_per_k: 1.2 },
};

/** The pin of `option` (null when the option is absent). */
function anyPinOf(section: ConfigSection, option: string): PinDesc | null {
  if (!section.has(option)) return null;
  const text = section.getString(option);
  return parsePin(text, { canInvert: true, canPullup: true }, (why) => section.error(option, why));
}

/** The pin of `option` if it is on `chip` (the MCU this sim process plays), else null. */
function pinOf(section: ConfigSection, option: string, chip: string): PinDesc | null {
  const pin = anyPinOf(section, option);
  return pin?.chip === chip ? pin : null;
}

const simPin = (p: PinDesc, invert = p.invert) => `${invert ? '!' : ''}${p.pin}`;

/**
 * A delta tower's endstop (at the top: towers home up), or null for other steppers.
 * stepper_b/c default to stepper_a's position_endstop, as in Klipper. The sim counts a tower
 * in carriage mm with the endstop at position_endstop (the host's rail position minus the
 * constant sqrt(arm_length^2 - delta_radius^2): only differences matter to the sim).
 */
function deltaTowerEndstopMm(config: PrinterConfig, s: ConfigSection): number | null {
  // Deltesian towers likewise home up; stepper_right defaults to stepper_left's position_endstop.
  if (/^stepper_(left|right)$/.test(s.name) && config.getOrNull('printer')?.getString('kinematics', '') === 'deltesian') {
    const left = s.has('position_endstop') ? s : config.getOrNull('stepper_left');
    return left?.has('position_endstop') ? left.getFloat('position_endstop') : null;
  }
  if (!/^stepper_[abc]$/.test(s.name) || config.getOrNull('printer')?.getString('kinematics', '') !== 'delta') return null;
  if (s.has('position_endstop')) return s.getFloat('position_endstop');
  const a = config.getOrNull('stepper_a');
  return a?.has('position_endstop') ? a.getFloat('position_endstop') : null;
}

function stepperOf(section: ConfigSection, axis: string, positionMm: number | undefined, chip: string): SimStepper | null {
  const step = pinOf(section, 'step_pin', chip);
  const dir = pinOf(section, 'dir_pin', chip);
  // An angle (polar's stepper_bed: gear_ratio, no rotation_distance): one turn is 2 pi, as the host counts it.
  const radians = !section.has('rotation_distance') && section.has('gear_ratio');
  if (!step || !dir || !(section.has('rotation_distance') || radians)) return null;
  const fullSteps = section.has('full_steps_per_rotation') ? section.getInt('full_steps_per_rotation') : 200;
  const microsteps = section.getInt('microsteps');
  const gear = parseGearRatio(section.has('gear_ratio') ? section.getString('gear_ratio') : '');
  const stepsPerMm = (fullSteps * microsteps * gear) / (radians ? 2 * Math.PI : section.getFloat('rotation_distance'));
  const enable = pinOf(section, 'enable_pin', chip);
  const s: SimStepper = { name: section.name, axis, step_pin: simPin(step), dir_pin: simPin(dir), steps_per_mm: stepsPerMm };
  if (enable) s.enable_pin = simPin(enable);
  if (positionMm !== undefined) s.position_mm = positionMm;
  return s;
}

/**
 * hybrid_corexy / hybrid_corexz: stepper_x turns x - y (x - z), so the X switch, which the
 * carriage at x = position_endstop presses, fires at stepper_x = position_endstop - stepper_y
 * (stepper_z): the sim's tilt term with the other motor.
 */
function hybridXEndstop(config: PrinterConfig, m: SimMachine): void {
  const kin = config.getOrNull('printer')?.getString('kinematics', '');
  const other = kin === 'hybrid_corexy' ? 'stepper_y' : kin === 'hybrid_corexz' ? 'stepper_z' : null;
  if (!other || !m.steppers.some((st) => st.name === other)) return;
  // [dual_carriage]'s switch likewise: its motor turns (its carriage's x) - y (z) too.
  for (const x of m.endstops.filter((e) => (e.name === 'x_endstop' || e.name === 'dual_carriage_endstop') && !e.positions_file)) {
    x.tilt = { x_stepper: other, y_stepper: other, dz_dx: -1, dz_dy: 0 };
  }
}

/**
 * Where a rail's motors start (40 % into the range, away from the endstops, as a printer left
 * where it stopped) and its switch: at position_endstop, on the homing side (null: none).
 */
function railOf(config: PrinterConfig, s: ConfigSection): { startMm: number; endstop: { mm: number; side: 'min' | 'max' } | null } {
  const hasRange = s.has('position_max');
  const min = s.has('position_min') ? s.getFloat('position_min') : 0;
  const deltaEndstop = deltaTowerEndstopMm(config, s);
  const max = hasRange ? s.getFloat('position_max') : s.has('position_endstop') ? s.getFloat('position_endstop') : (deltaEndstop ?? 0);
  const startMm = hasRange ? min + (max - min) * 0.4 : max * 0.5;
  if (!s.has('position_endstop') && deltaEndstop === null) return { startMm, endstop: null };
  const pe = s.has('position_endstop') ? s.getFloat('position_endstop') : deltaEndstop!;
  const positive = s.has('homing_positive_dir')
    ? s.getBoolean('homing_positive_dir')
    : deltaEndstop !== null || (pe >= max - (max - min) / 4 && hasRange);
  return { startMm, endstop: { mm: pe, side: positive ? 'max' : 'min' } };
}

/**
 * Generates the machine for a loaded config (sections it cannot model are left out). `chip`
 * picks the MCU this sim process plays ('mcu', or 'toolboard' for [mcu toolboard]): only the
 * steppers, heaters, fans and endstops whose pins are on it. An endstop on this MCU whose
 * stepper is on another follows that MCU's sim through its positions file (`positionsFileOf`);
 * without `positionsFileOf` it is left out, so its pin reads as an unconnected input.
 */
export function machineFromConfig(
  config: PrinterConfig,
  overrides: SimMachineOverrides = {},
  chip = 'mcu',
  positionsFileOf?: PositionsFileOf,
): SimMachine {
  const m: SimMachine = {
    comment: `generated from ${config.raw.mainPath}${chip === 'mcu' ? '' : ` for [mcu ${chip}]`}`,
    steppers: [],
    endstops: [],
    heaters: [],
    fans: [],
  };
  for (const s of config.sections()) {
    // Polar's bed/arm and deltesian's towers are rails too.
    const axisMatch = /^stepper_([a-z])$/.exec(s.name) ?? /^stepper_(bed|arm|left|right)$/.exec(s.name);
    // [stepper_z1], ...: one more motor on [stepper_z]'s rail, starting where it does; with an
    // endstop_pin of its own it gets its own switch (overrides move it: a racked gantry).
    const extraMatch = /^stepper_([xyz])\d+$/.exec(s.name);
    const main = axisMatch ? s : extraMatch ? config.getOrNull(`stepper_${extraMatch[1]}`) : null;
    if (main) {
      const axis = (axisMatch ?? extraMatch)![1];
      const rail = railOf(config, main);
      const st = stepperOf(s, axis, rail.startMm, chip);
      if (st) m.steppers.push(st);
      // The stepper's own MCU, when the endstop is on this one but the stepper is not.
      const stepperChip = anyPinOf(s, 'step_pin')?.chip;
      const remote = !st && stepperChip && stepperChip !== chip && positionsFileOf && s.has('rotation_distance');
      const endstop = pinOf(s, 'endstop_pin', chip);
      // An extra stepper naming a pin that already has a switch shares it (the rail's endstop).
      const shared = extraMatch && endstop && m.endstops.some((e) => e.pin === simPin(endstop));
      if (endstop && !shared && (st || remote) && rail.endstop) {
        m.endstops.push({
          name: `${s.name.replace(/^stepper_/, '')}_endstop`,
          pin: simPin(endstop),
          steppers: [s.name],
          trigger_position_mm: rail.endstop.mm,
          side: rail.endstop.side,
          ...(remote ? { positions_file: positionsFileOf(stepperChip) } : {}),
        });
      }
    } else if (s.name === 'dual_carriage' && s.has('axis')) {
      // IDEX: the second carriage's motor on its axis, with its own switch (usually at the max
      // end). It starts 60 % into its range, beside the first carriage's 40 %.
      const axis = s.getString('axis');
      const rail = railOf(config, s);
      const min = s.has('position_min') ? s.getFloat('position_min') : 0;
      const startMm = s.has('position_max') ? min + (s.getFloat('position_max') - min) * 0.6 : rail.startMm;
      const st = stepperOf(s, axis, startMm, chip);
      if (st) m.steppers.push(st);
      const endstop = st ? pinOf(s, 'endstop_pin', chip) : null;
      if (endstop && rail.endstop) {
        m.endstops.push({
          name: 'dual_carriage_endstop',
          pin: simPin(endstop),
          steppers: [s.name],
          trigger_position_mm: rail.endstop.mm,
          side: rail.endstop.side,
        });
      }
    } else if (/^extruder\d*$/.test(s.name) || s.name.startsWith('extruder_stepper ')) {
      // Every extruder's motor and each [extruder_stepper NAME] (a filament axis: no endstop).
      const st = stepperOf(s, 'e', undefined, chip);
      if (st) m.steppers.push(st);
    } else if (s.name.startsWith('manual_stepper ')) {
      // Starts MANUAL_STEPPER_START_MM above its endstop (at 0, the min side), so a
      // STOP_ON_ENDSTOP move towards it has somewhere to go.
      const st = stepperOf(s, '', MANUAL_STEPPER_START_MM, chip);
      if (st) m.steppers.push(st);
      const endstop = st ? pinOf(s, 'endstop_pin', chip) : null;
      if (endstop) m.endstops.push({ name: s.name, pin: simPin(endstop), steppers: [s.name], trigger_position_mm: 0, side: 'min' });
    }
    const heaterModel = /^extruder\d*$/.test(s.name)
      ? 'hotend'
      : s.name === 'heater_bed'
        ? 'bed'
        : /^heater_generic /.test(s.name)
          ? 'hotend'
          : null;
    if (heaterModel && s.has('heater_pin') && s.has('sensor_pin') && s.has('sensor_type')) {
      // Heater and sensor must be on this MCU (the thermal model joins them).
      const heater = pinOf(s, 'heater_pin', chip);
      const sensor = pinOf(s, 'sensor_pin', chip);
      let curve;
      try {
        curve = resolveResistanceSensor(config, s.getString('sensor_type'));
      } catch {
        curve = null; // amplifier/SPI sensors are not simulated; the heater stays out of the machine
      }
      if (heater && sensor && curve) {
        m.heaters.push({
          name: s.name,
          heater_pin: simPin(heater, false),
          sensor_pin: sensor.pin,
          thermistor: curve.simThermistor,
          pullup_ohm: s.has('pullup_resistor') ? s.getFloat('pullup_resistor') : 4700,
          ...HEATER_MODELS[heaterModel],
        });
      }
    }
    // A servo's signal is traced like a fan's output, each edge, so pulse widths can be read.
    if (s.name === 'fan' || /^(heater_fan|controller_fan|fan_generic|temperature_fan|servo) /.test(s.name)) {
      const pin = pinOf(s, 'pin', chip);
      if (pin) m.fans.push({ name: s.name, pin: simPin(pin, false) });
    }
  }
  const spiSensors = spiSensorsOf(config, m, chip);
  hybridXEndstop(config, m);
  const probe = probeSwitchOf(config, m, chip, positionsFileOf);
  if (probe) m.endstops.push(probe);
  for (const st of m.steppers) Object.assign(st, overrides.steppers?.[st.name] ?? {});
  for (const h of m.heaters) Object.assign(h, overrides.heaters?.[h.name] ?? {});
  for (const e of m.endstops) Object.assign(e, overrides.endstops?.[e.name] ?? {});
  const switches = switchesOf(config, m, chip);
  for (const sw of switches) Object.assign(sw, overrides.switches?.[sw.name] ?? {});
  if (switches.length) m.switches = switches;
  const drivers = driversOf(config, chip);
  for (const d of drivers) addHardStop(config, m, d, chip);
  if (drivers.length) m.drivers = drivers;
  const leds = ledChainsOf(config, chip);
  if (leds.length) m.leds = leds;
  const displays = displaysOf(config, chip);
  if (displays.length) m.displays = displays;
  const i2cSensors = i2cSensorsOf(config, chip);
  for (const t of i2cSensors) Object.assign(t, overrides.i2c_sensors?.[t.name] ?? {});
  if (i2cSensors.length) m.i2c_sensors = i2cSensors;
  const accelerometers = accelerometersOf(config, chip);
  for (const a of accelerometers) Object.assign(a, overrides.accelerometers?.[a.name] ?? {});
  if (accelerometers.length) m.accelerometers = accelerometers;
  for (const t of spiSensors) Object.assign(t, overrides.spi_sensors?.[t.name] ?? {});
  if (spiSensors.length) m.spi_sensors = spiSensors;
  return m;
}

/** The sim's heater model needs a sensor pin and a curve: an SPI-read heater gets its chip select and this unused one. */
const SPI_SENSED_THERMISTOR = { beta: 3950, r0_ohm: 100000, t0_c: 25 };

/**
 * Sections whose sensor_type is an SPI temperature chip (sensor_pin = chip select on this MCU,
 * plain pin names). A heater's chip reads that heater's thermal model (the heater is added to
 * the machine here); a [temperature_sensor]/[temperature_fan] chip reads a steady 25 C.
 */
function spiSensorsOf(config: PrinterConfig, m: SimMachine, chip: string): SimSpiSensor[] {
  const out: SimSpiSensor[] = [];
  for (const s of config.sections()) {
    if (!s.has('sensor_type') || !isSpiTemperatureChip(s.getString('sensor_type'))) continue;
    const cs = plainPinOf(s, 'sensor_pin', chip);
    if (!cs) continue;
    const kind = s.getString('sensor_type').toLowerCase() as SimSpiSensor['kind'];
    const t: SimSpiSensor = { name: s.name, kind, cs_pin: cs };
    if (s.has('spi_software_sclk_pin')) {
      const [sclk, mosi, miso] = ['sclk', 'mosi', 'miso'].map((p) => plainPinOf(s, `spi_software_${p}_pin`, chip));
      if (!sclk || !mosi || !miso) continue;
      Object.assign(t, { sclk_pin: sclk, mosi_pin: mosi, miso_pin: miso });
    } else if (s.has('spi_bus')) {
      t.spi_bus = s.getString('spi_bus');
    }
    if (kind === 'max31865') {
      t.rtd_nominal_r = s.has('rtd_nominal_r') ? s.getFloat('rtd_nominal_r') : 100;
      t.rtd_reference_r = s.has('rtd_reference_r') ? s.getFloat('rtd_reference_r') : 430;
    }
    const model = /^extruder\d*$/.test(s.name) || s.name.startsWith('heater_generic ') ? 'hotend' : s.name === 'heater_bed' ? 'bed' : null;
    const heaterPin = model ? pinOf(s, 'heater_pin', chip) : null;
    if (model && heaterPin) {
      m.heaters.push({
        name: s.name,
        heater_pin: simPin(heaterPin, false),
        sensor_pin: cs,
        thermistor: SPI_SENSED_THERMISTOR,
        pullup_ohm: 4700,
        ...HEATER_MODELS[model],
      });
      t.heater = s.name;
    } else if (model) {
      continue; // the heater is on another MCU: its chip there has nothing to read here
    } else {
      t.temp_c = 25;
    }
    out.push(t);
  }
  return out;
}

/**
 * [adxl345], [lis2dw], [lis3dh], [mpu9250] and [icm20948] sections on this MCU (SPI by cs_pin;
 * I2C on i2c_mcu, at the chip's address; software I2C pins have no model and stay out). The
 * toolhead's resonances default to a typical frame's (X 48 Hz, Y 39 Hz, damping 0.1); overrides
 * set others. Pin aliases stay out (unplugged).
 */
function accelerometersOf(config: PrinterConfig, chip: string): SimAccelerometer[] {
  const out: SimAccelerometer[] = [];
  const plainPin = (section: ConfigSection, option: string): string | null => {
    const pin = pinOf(section, option, chip);
    return pin && /^(P[A-L]\d+|P\d\.\d+|gpio\d+)$/.test(pin.pin) ? pin.pin : null;
  };
  const i2cAddress: Record<string, number> = { lis2dw: 0x19, lis3dh: 0x19, mpu9250: 0x68, icm20948: 0x68 };
  for (const s of config.sections()) {
    const kind = s.name.split(/\s+/)[0]!;
    if (!['adxl345', 'lis2dw', 'lis3dh', 'mpu9250', 'icm20948'].includes(kind)) continue;
    const resonance = { resonance_hz_x: 48, resonance_hz_y: 39, damping: 0.1 };
    if (kind !== 'adxl345' && !s.has('cs_pin')) {
      const mcu = s.has('i2c_mcu') ? s.getString('i2c_mcu') : 'mcu';
      if (mcu !== chip || s.has('i2c_software_scl_pin')) continue;
      const address = s.has('i2c_address') ? s.getInt('i2c_address') : i2cAddress[kind]!;
      out.push({ name: s.name, chip: kind, i2c_address: address, ...resonance });
      continue;
    }
    const cs = plainPin(s, 'cs_pin');
    if (!cs) continue;
    const a: SimAccelerometer = { name: s.name, ...(kind === 'adxl345' ? {} : { chip: kind }), cs_pin: cs, ...resonance };
    if (s.has('spi_software_sclk_pin')) {
      const [sclk, mosi, miso] = ['sclk', 'mosi', 'miso'].map((p) => plainPin(s, `spi_software_${p}_pin`));
      if (!sclk || !mosi || !miso) continue;
      Object.assign(a, { sclk_pin: sclk, mosi_pin: mosi, miso_pin: miso });
    } else if (s.has('spi_bus')) {
      a.spi_bus = s.getString('spi_bus');
    }
    out.push(a);
  }
  return out;
}

/** The sim's chip model of each I2C sensor_type (AHT21 answers as an AHT20, the Si70xx/SHT21 as an HTU21D). */
const I2C_SIM_KIND: Record<I2cSensorType, SimI2cSensor['kind']> = {
  BME280: 'bme280',
  BMP280: 'bmp280',
  SHT3X: 'sht3x',
  AHT10: 'aht10',
  AHT20: 'aht20',
  AHT21: 'aht20',
  HTU21D: 'htu21d',
  SI7013: 'htu21d',
  SI7020: 'htu21d',
  SI7021: 'htu21d',
  SHT21: 'htu21d',
  LM75: 'lm75',
  MCP9808: 'mcp9808',
};

/**
 * Sections whose sensor_type is an I2C sensor on this MCU (i2c_mcu, or software pins given as
 * plain pin names): the chip at the section's address (default the chip's), reading 25 C.
 */
function i2cSensorsOf(config: PrinterConfig, chip: string): SimI2cSensor[] {
  const out: SimI2cSensor[] = [];
  for (const s of config.sections()) {
    const type = s.has('sensor_type') ? s.getString('sensor_type') : '';
    if (!Object.hasOwn(I2C_SIM_KIND, type)) continue;
    const t: SimI2cSensor = {
      name: s.name,
      kind: I2C_SIM_KIND[type as I2cSensorType],
      i2c_address: s.has('i2c_address') ? s.getInt('i2c_address') : I2C_SENSOR_TYPES[type as I2cSensorType].address,
    };
    if (s.has('i2c_software_scl_pin')) {
      const scl = plainPinOf(s, 'i2c_software_scl_pin', chip);
      const sda = plainPinOf(s, 'i2c_software_sda_pin', chip);
      if (!scl || !sda) continue;
      Object.assign(t, { scl_pin: scl, sda_pin: sda });
    } else if ((s.has('i2c_mcu') ? s.getString('i2c_mcu') : 'mcu') !== chip) {
      continue;
    } else if (s.has('i2c_bus')) {
      t.i2c_bus = s.getString('i2c_bus');
    }
    out.push(t);
  }
  return out;
}

/** A plain pin name of `option` on this MCU (aliases such as EXP1_3 are not resolved here). */
function plainPinOf(section: ConfigSection, option: string, chip: string): string | null {
  const pin = pinOf(section, option, chip);
  return pin && /^(P[A-L]\d+|P\d\.\d+|gpio\d+)$/.test(pin.pin) ? pin.pin : null;
}

/**
 * [display] and [display NAME] sections whose pins are on this MCU, by lcd_type: st7920,
 * emulated_st7920 (the same chip, its serial lines driven by software SPI: en_pin is CS),
 * hd44780, uc1701, ssd1306/sh1106 (on I2C unless cs_pin is given: then SPI with dc_pin as A0).
 * I2C software pins become the device's scl_pin/sda_pin. Types without a model (hd44780_spi,
 * aip31068_spi) and pins given as aliases stay out: they show nothing, as if unplugged.
 */
function displaysOf(config: PrinterConfig, chip: string): SimDisplay[] {
  const out: SimDisplay[] = [];
  for (const s of config.sections()) {
    if (!/^display( \S+)?$/.test(s.name) || !s.has('lcd_type')) continue;
    const type = s.getString('lcd_type');
    const pins = (d: SimDisplay, options: [keyof SimDisplay, string][]): SimDisplay | null => {
      for (const [key, option] of options) {
        const pin = plainPinOf(s, option, chip);
        if (!pin) return null;
        (d as unknown as Record<string, string>)[key] = pin;
      }
      return d;
    };
    // The SPI lines of uc1701 / SPI OLEDs: a hardware bus or software SPI pins.
    const spi = (d: SimDisplay | null): SimDisplay | null => {
      if (!d) return null;
      if (s.has('spi_software_sclk_pin'))
        return pins(d, [
          ['sclk_pin', 'spi_software_sclk_pin'],
          ['mosi_pin', 'spi_software_mosi_pin'],
        ]);
      d.spi_bus = s.has('spi_bus') ? s.getString('spi_bus') : 'spi';
      return d;
    };
    const name = s.name;
    let d: SimDisplay | null = null;
    if (type === 'st7920') {
      d = pins({ name, kind: 'st7920' }, [
        ['cs_pin', 'cs_pin'],
        ['sclk_pin', 'sclk_pin'],
        ['sid_pin', 'sid_pin'],
      ]);
    } else if (type === 'emulated_st7920') {
      d = pins({ name, kind: 'st7920' }, [
        ['cs_pin', 'en_pin'],
        ['sclk_pin', 'spi_software_sclk_pin'],
        ['sid_pin', 'spi_software_mosi_pin'],
      ]);
    } else if (type === 'hd44780') {
      d = pins({ name, kind: 'hd44780', columns: s.has('line_length') ? s.getInt('line_length') : 20, rows: 4 }, [
        ['rs_pin', 'rs_pin'],
        ['e_pin', 'e_pin'],
        ['d4_pin', 'd4_pin'],
        ['d5_pin', 'd5_pin'],
        ['d6_pin', 'd6_pin'],
        ['d7_pin', 'd7_pin'],
      ]);
    } else if (type === 'uc1701') {
      d = spi(
        pins({ name, kind: 'uc1701' }, [
          ['cs_pin', 'cs_pin'],
          ['a0_pin', 'a0_pin'],
        ]),
      );
    } else if (type === 'ssd1306' || type === 'sh1106') {
      const x_offset = s.has('x_offset') ? s.getInt('x_offset') : 0;
      if (s.has('cs_pin')) {
        d = spi(
          pins({ name, kind: type, x_offset }, [
            ['cs_pin', 'cs_pin'],
            ['a0_pin', 'dc_pin'],
          ]),
        );
      } else if (s.has('i2c_software_scl_pin')) {
        // Software I2C: the sim's pin-level bus on those two pins.
        const base: SimDisplay = { name, kind: type, x_offset, i2c_address: s.has('i2c_address') ? s.getInt('i2c_address') : 60 };
        d = pins(base, [
          ['scl_pin', 'i2c_software_scl_pin'],
          ['sda_pin', 'i2c_software_sda_pin'],
        ]);
      } else if (!s.has('i2c_mcu') || s.getString('i2c_mcu') === chip) {
        d = { name, kind: type, x_offset, i2c_address: s.has('i2c_address') ? s.getInt('i2c_address') : 60 };
      }
    }
    if (d) out.push(d);
  }
  return out;
}

/** The sim models at most 256 LEDs a chain. */
const SIM_MAX_CHAIN = 256;

/**
 * [neopixel NAME] and [dotstar NAME] chains on this MCU. Pin aliases and configs the host would
 * refuse (a bad color_order) stay out: such a chain is only traced by its bytes, if at all.
 */
function ledChainsOf(config: PrinterConfig, chip: string): SimLed[] {
  const out: SimLed[] = [];
  const plainPin = (section: ConfigSection, option: string) => plainPinOf(section, option, chip);
  for (const s of config.sections()) {
    const kind = s.name.split(' ')[0];
    if ((kind !== 'neopixel' && kind !== 'dotstar') || !s.name.includes(' ')) continue;
    const count = s.has('chain_count') ? s.getInt('chain_count') : 1;
    if (!(count >= 1 && count <= SIM_MAX_CHAIN)) continue;
    if (kind === 'neopixel') {
      const pin = plainPin(s, 'pin');
      const orders = (s.has('color_order') ? s.getString('color_order') : 'GRB')
        .split(/[,\n]/)
        .map((o) => o.trim())
        .filter((o) => o);
      try {
        neopixelByteMap(orders, count, (why) => new Error(why));
      } catch {
        continue;
      }
      if (pin) out.push({ name: s.name, kind, pin, chain_count: count, color_order: orders.length === 1 ? orders[0] : orders });
    } else {
      const data = plainPin(s, 'data_pin');
      const clock = plainPin(s, 'clock_pin');
      if (data && clock && data !== clock) out.push({ name: s.name, kind, data_pin: data, clock_pin: clock, chain_count: count });
    }
  }
  return out;
}

const UART_DRIVERS = ['tmc2208', 'tmc2209', 'tmc2225', 'tmc2226'];
const SPI_DRIVERS = ['tmc2130', 'tmc5160', 'tmc2660'];

/**
 * A stepper homing on its driver's virtual endstop ([stepper_x] endstop_pin:
 * tmc2209_stepper_x:virtual_endstop) has a hard stop at position_endstop on its homing side,
 * and the driver's DIAG on the pin the driver section names. On cartesian the stop is the
 * stepper's own position; on corexy X and Y are walls of the carriage both motors move.
 */
function addHardStop(config: PrinterConfig, m: SimMachine, d: SimDriver, chip: string): void {
  const stepper = config.getOrNull(d.name);
  const driver = config.getOrNull(`${d.kind} ${d.name}`);
  const kinematics = config.getOrNull('printer')?.has('kinematics') ? config.getOrNull('printer')!.getString('kinematics') : '';
  if (!stepper || !driver || !stepper.has('endstop_pin') || !m.steppers.some((s) => s.name === d.name)) return;
  const pin = anyPinOf(stepper, 'endstop_pin');
  if (!pin || pin.chip !== `${d.kind}_${d.name}` || pin.pin !== 'virtual_endstop') return;
  const corexyAxis = kinematics === 'corexy' ? /^stepper_([xy])$/.exec(d.name)?.[1] : undefined;
  const motors = ['stepper_x', 'stepper_y'];
  if (corexyAxis && !motors.every((n) => m.steppers.some((s) => s.name === n))) return;
  if (!corexyAxis && (!['cartesian', 'corexy'].includes(kinematics) || !/^stepper_[xyz]$/.test(d.name))) return;
  const rail = railOf(config, stepper);
  if (!rail.endstop) return;
  d.stepper = d.name;
  d.hard_stop = {
    side: rail.endstop.side,
    position_mm: rail.endstop.mm,
    ...(corexyAxis ? { axis: corexyAxis as 'x' | 'y', x_stepper: 'stepper_x', y_stepper: 'stepper_y', corexy: true } : {}),
  };
  for (const [option, out] of [
    ['diag_pin', 1],
    ['diag0_pin', 0],
    ['diag1_pin', 1],
  ] as const) {
    const diag = pinOf(driver, option, chip);
    if (!diag) continue;
    d.diag_pin = diag.pin;
    if (option !== 'diag_pin') d.diag = out;
    break;
  }
}

/**
 * [tmc2209 stepper_x] and the like whose bus is on this MCU. Kinds the sim has no model of
 * (tmc2240), daisy chains (chain_position) and pin aliases stay out: those drivers
 * do not answer, as if unplugged.
 */
function driversOf(config: PrinterConfig, chip: string): SimDriver[] {
  const out: SimDriver[] = [];
  const plainPin = (section: ConfigSection, option: string): string | null => {
    const pin = pinOf(section, option, chip);
    return pin && /^(P[A-L]\d+|P\d\.\d+|gpio\d+)$/.test(pin.pin) ? pin.pin : null;
  };
  for (const s of config.sections()) {
    const m = /^(tmc\d+) (\S+)$/.exec(s.name);
    if (!m) continue;
    const [, kind, name] = m;
    if (UART_DRIVERS.includes(kind)) {
      const uart = plainPin(s, 'uart_pin');
      if (!uart || s.has('select_pins')) continue;
      const d: SimDriver = { name, kind, uart_pin: uart, uart_address: s.has('uart_address') ? s.getInt('uart_address') : 0 };
      if (s.has('tx_pin')) {
        const tx = plainPin(s, 'tx_pin');
        if (!tx) continue;
        d.tx_pin = tx;
      }
      out.push(d);
    } else if (SPI_DRIVERS.includes(kind)) {
      const cs = plainPin(s, 'cs_pin');
      if (!cs || s.has('chain_position')) continue;
      const d: SimDriver = { name, kind, cs_pin: cs };
      if (s.has('spi_software_sclk_pin')) {
        const [sclk, mosi, miso] = ['sclk', 'mosi', 'miso'].map((p) => plainPin(s, `spi_software_${p}_pin`));
        if (!sclk || !mosi || !miso) continue;
        Object.assign(d, { sclk_pin: sclk, mosi_pin: mosi, miso_pin: miso });
      } else if (s.has('spi_bus')) {
        d.spi_bus = s.getString('spi_bus');
      }
      out.push(d);
    }
  }
  return out;
}

/**
 * [filament_switch_sensor] pins follow the extruder's stepper (when it is on this MCU); a
 * [gcode_button] is never pressed unless overrides give it presses. A pin the machine already
 * uses (an endstop) is left alone.
 */
function switchesOf(config: PrinterConfig, m: SimMachine, chip: string): SimSwitch[] {
  const used = new Set(m.endstops.map((e) => e.pin.replace(/^!/, '')));
  const out: SimSwitch[] = [];
  for (const s of config.sections()) {
    const motion = s.name.startsWith('filament_motion_sensor ');
    const filament = s.name.startsWith('filament_switch_sensor ') || motion;
    if (!filament && !s.name.startsWith('gcode_button ')) continue;
    const pin = pinOf(s, filament ? 'switch_pin' : 'pin', chip);
    // Aliases ([board_pins] EXP1_1) are not resolved here: such a switch stays out (reads open).
    if (!pin || used.has(pin.pin) || !/^(P[A-L]\d+|P\d\.\d+|gpio\d+)$/.test(pin.pin)) continue;
    used.add(pin.pin);
    const sw: SimSwitch = { name: s.name, pin: simPin(pin) };
    if (filament && m.steppers.some((st) => st.name === 'extruder')) {
      sw.filament_stepper = 'extruder';
      sw.runout_after_mm = DEFAULT_RUNOUT_AFTER_MM;
      if (motion) sw.toggle_every_mm = DEFAULT_TOGGLE_EVERY_MM;
    }
    out.push(sw);
  }
  out.push(...displayKeysOf(config, chip, used));
  return out;
}

/**
 * The keys of [display] sections on this MCU: 'display click_pin' (back/up/down/kill the same)
 * and the encoder's two pins 'display encoder_pins 0' / '... 1'; never pressed unless
 * overrides give them presses (an encoder turn is two overlapping presses, A then B).
 */
function displayKeysOf(config: PrinterConfig, chip: string, used: Set<string>): SimSwitch[] {
  const out: SimSwitch[] = [];
  for (const s of config.sections()) {
    if (!/^display( \S+)?$/.test(s.name)) continue;
    const keys: [string, string][] = ['click_pin', 'back_pin', 'up_pin', 'down_pin', 'kill_pin']
      .filter((o) => s.has(o))
      .map((o) => [o, s.getString(o)]);
    if (s.has('encoder_pins'))
      s.getString('encoder_pins')
        .split(',')
        .forEach((t, i) => keys.push([`encoder_pins ${i}`, t.trim()]));
    for (const [key, text] of keys) {
      const pin = parsePin(text, { canInvert: true, canPullup: true }, (why) => s.error(key.split(' ')[0], why));
      if (pin.chip !== chip || used.has(pin.pin) || !/^(P[A-L]\d+|P\d\.\d+|gpio\d+)$/.test(pin.pin)) continue;
      used.add(pin.pin);
      out.push({ name: `${s.name} ${key}`, pin: simPin(pin) });
    }
  }
  return out;
}

/**
 * [probe] or [bltouch] (sensor_pin, its control_pin as servo_pin): a switch that closes when the nozzle is at or below the bed surface (z = 0) plus
 * z_offset, i.e. stepper_z at or below z_offset on printers whose stepper_z is Z (cartesian,
 * corexy). Named 'probe': `overrides.endstops.probe` moves the bed (trigger_position_mm) or
 * tilts it (`tilt`, with stepper_x/stepper_y as X/Y: cartesian). On a delta it follows the
 * effector; with [quad_gantry_level] the gantry its four Z motors carry (effector.c).
 */
function probeSwitchOf(config: PrinterConfig, m: SimMachine, chip: string, positionsFileOf?: PositionsFileOf): SimEndstop | null {
  const bltouch = config.getOrNull('bltouch');
  const probe = bltouch ?? config.getOrNull('probe');
  const z = config.getOrNull('stepper_z');
  const kin = config.getOrNull('printer')?.getString('kinematics', '');
  if (!probe || !probe.has('z_offset')) return null;
  const pin = pinOf(probe, bltouch ? 'sensor_pin' : 'pin', chip);
  if (!pin) return null;
  if (kin === 'delta' && !bltouch) return deltaProbeOf(config, m, simPin(pin), probe.getFloat('z_offset'));
  if (!z || (kin !== 'cartesian' && kin !== 'corexy')) return null;
  const servo = bltouch ? pinOf(bltouch, 'control_pin', chip) : null;
  if (bltouch && !servo) return null;
  const local = m.steppers.some((st) => st.name === 'stepper_z');
  const zChip = anyPinOf(z, 'step_pin')?.chip;
  if (!local && !(zChip && positionsFileOf)) return null;
  return {
    name: 'probe',
    pin: simPin(pin),
    steppers: ['stepper_z'],
    trigger_position_mm: probe.getFloat('z_offset'),
    side: 'min',
    ...(local ? {} : { positions_file: positionsFileOf!(zChip!) }),
    ...(servo ? { servo_pin: simPin(servo) } : {}),
    ...(local ? gantryOf(config, m, kin === 'corexy') : {}),
  };
}

/**
 * A delta's probe: the effector hangs from the three carriages (sim carriage mm + the arm's
 * reach at the centre, as the host counts them), on the towers of printer.cfg's geometry. An
 * endstop override (a tower's trigger_position_mm) then makes the real machine differ from it.
 */
function deltaProbeOf(config: PrinterConfig, m: SimMachine, pin: string, zOffsetMm: number): SimEndstop | null {
  const names = ['stepper_a', 'stepper_b', 'stepper_c'];
  if (!names.every((n) => m.steppers.some((st) => st.name === n))) return null;
  const radius = config.get('printer').getFloat('delta_radius');
  const a = config.get('stepper_a');
  const towers = names.map((n, i): SimDeltaTower => {
    const s = config.get(n);
    const arm = s.has('arm_length') ? s.getFloat('arm_length') : a.getFloat('arm_length');
    const deg = s.has('angle') ? s.getFloat('angle') : [210, 330, 90][i]!;
    const rad = (deg * Math.PI) / 180;
    return {
      stepper: n,
      x: Math.cos(rad) * radius,
      y: Math.sin(rad) * radius,
      arm_mm: arm,
      carriage_offset_mm: Math.sqrt(arm * arm - radius * radius),
    };
  });
  return { name: 'probe', pin, steppers: names, trigger_position_mm: zOffsetMm, side: 'min', delta: { towers } };
}

/**
 * With [quad_gantry_level] and four local Z motors: the probe follows the gantry those motors
 * carry (corners from gantry_corners, level: offsets 0; overrides give each corner its own).
 */
function gantryOf(config: PrinterConfig, m: SimMachine, corexy: boolean): { gantry: SimGantry } | Record<string, never> {
  const qgl = config.getOrNull('quad_gantry_level');
  const names = ['stepper_z', 'stepper_z1', 'stepper_z2', 'stepper_z3'];
  if (!qgl || !qgl.has('gantry_corners') || !['stepper_x', 'stepper_y', ...names].every((n) => m.steppers.some((st) => st.name === n)))
    return {};
  const corners = qgl
    .getString('gantry_corners')
    .split('\n')
    .map((l) => l.split(',').map(Number))
    .filter((c) => c.length === 2 && c.every(Number.isFinite));
  if (corners.length !== 2) return {};
  const [[x0, y0], [x1, y1]] = corners as [[number, number], [number, number]];
  const at = [
    [x0, y0],
    [x0, y1],
    [x1, y1],
    [x1, y0],
  ];
  return {
    gantry: {
      x_stepper: 'stepper_x',
      y_stepper: 'stepper_y',
      ...(corexy ? { corexy: true } : {}),
      corners: names.map((stepper, i) => ({ stepper, x: at[i]![0]!, y: at[i]![1]!, offset_mm: 0 })),
    },
  };
}

export function machineFromConfigFile(
  configPath: string,
  overrides: SimMachineOverrides = {},
  chip = 'mcu',
  positionsFileOf?: PositionsFileOf,
): SimMachine {
  return machineFromConfig(new PrinterConfig(readConfigFile(configPath)), overrides, chip, positionsFileOf);
}
