// Builds the printer objects from printer.cfg: the rows of the option catalog (catalog.ts) plus
// one factory per row. Loading walks the catalog, so the editor's catalog and what loads agree.
import { ConfigError, formatPlace } from '../config/errors';
import type { ConfigSection, PrinterConfig } from '../config/section';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Mcu } from '../mcu/mcu';
import type { Printer } from '../printer';
import { catalogEntryOf, SECTION_CATALOG } from './catalog';
import { PrinterExtruder } from './extruder';
import { loadExtruderStepper } from './extruder-stepper';
import { extruderSectionName } from './multi-extruder';
import { ForceMove } from './force-move';
import { GCodeArcs } from './gcode-arcs';
import { InputShaper } from './input-shaper';
import { loadAdxl345 } from './adxl345';
import { loadIcm20948 } from './icm20948';
import { loadLis2dw } from './lis2dw';
import { loadMpu9250 } from './mpu9250';
import { ResonanceTester } from './resonance-tester';
import { HomingOverride } from './homing-override';
import { SafeZHome } from './safe-z-home';
import { PrinterProbe } from './probe';
import { BLTouch } from './bltouch';
import { BedMesh, orphanProfileError } from './bed-mesh';
import { BedScrews } from './bed-screws';
import { ScrewsTiltAdjust } from './screws-tilt';
import { BedTilt } from './bed-tilt';
import { ZTilt } from './z-tilt';
import { QuadGantryLevel } from './quad-gantry-level';
import { DeltaCalibrate } from './delta-calibrate';
import { SkewCorrection } from './skew-correction';
import { AxisTwistCompensation } from './axis-twist';
import { GCodeMove } from './gcode-move';
import { HeaterBed } from './heater-bed';
import { heatersOf } from './heaters';
import { ShutdownHandler } from './shutdown';
import { loadHeaterFan, loadPrinterFan } from './fan';
import {
  FAN_OPTIONS,
  HEATER_FAN_OPTIONS,
  OUTPUT_PIN_OPTIONS,
  STATIC_DIGITAL_OUTPUT_OPTIONS,
  TEMPERATURE_SENSOR_OPTIONS,
} from './fan-options';
import { loadStaticDigitalOutput, OutputPin } from './output-pin';
import { customThermistorPoints } from './temperature-sensor';
import { VERIFY_HEATER_OPTIONS } from './verify-heater-options';
import { isKnownUnsupportedSection } from './known-sections';
import { addMcuObject, type McuFileOutput } from './mcu';
import { PinRegistry } from './pins';
import { RESPOND_OPTIONS, SUPPORTED_KINEMATICS, UNSUPPORTED_KINEMATICS } from './printer-options';
import { Respond } from './respond';
import { StepperEnable } from './stepper-enable';
import { DisplayStatus } from './display-status';
import { ExcludeObject } from './exclude-object';
import { DelayedGCode, GCodeMacro, registerSetGCodeVariable, registerUpdateDelayedGCode } from './gcode-macro';
import { PAUSE_RESUME_OPTIONS } from './macro-options';
import { PauseResume } from './pause-resume';
import { FilamentSwitchSensor } from './filament-switch-sensor';
import { GCodeButton } from './gcode-button';
import { PwmLed } from './led-pwm';
import { Neopixel } from './neopixel';
import { Dotstar } from './dotstar';
import { loadPca9533, loadPca9632 } from './led-pca';
import { loadAd5206 } from './ad5206';
import { loadDac084s085 } from './dac084s085';
import { loadMcp4018 } from './mcp4018';
import { loadMcp4451 } from './mcp4451';
import { loadMcp4728 } from './mcp4728';
import { addDisplay, PrinterDisplay, userMenuSpecsOf } from './display';
import { displayAssetsOf } from './display-templates';
import { menuSpecOf } from './menu';
import { PrintStats } from './print-stats';
import { ConfigFileStatus, SystemStats, WebhooksStatus } from './status-objects';
import { MotionReport } from './motion-report';
import { I2C_SENSOR_SECTIONS } from './i2c-sensor-options';
import { checkI2cSensorOptions } from './i2c-sensor-setup';
import { ManualProbeCommands } from './manual-probe';
import { QueryAdc } from './query-adc';
import { Statistics } from './statistics';
import { loadDuplicatePinOverride } from './duplicate-pin-override';
import { ZThermalAdjust } from './z-thermal-adjust';
import { FilamentWidthSensor } from './filament-width-sensor';
import { VirtualSdcard } from './virtual-sdcard';
import { loadBoardPins } from './board-pins';
import { ControllerFan } from './controller-fan';
import { CONTROLLER_FAN_OPTIONS } from './controller-fan-options';
import { batchHeatersOf } from './heater-batch';
import { IdleTimeout } from './idle-timeout';
import type { RestartKind } from './restart';
import { SaveConfig } from './save-config';
import { PrinterToolhead } from './toolhead';
import { loadVirtualPrinter } from '../../server/virtual-printer/virtual-printer-section';
import { checkTmcVirtualEndstops, loadTmcDriver } from './tmc';
import { loadHeaterGeneric } from './heater-generic';
import { loadTemperatureFan } from './temperature-fan';
import { loadFanGeneric } from './fan-generic';
import { readAdcTemperatureTable, adcTableCurve } from './adc-table';
import { AdcScaled } from './adc-scaled';
import { loadPwmCycleTime } from './pwm-cycle-time';
import { HomingHeaters } from './homing-heaters';
import { MultiPin } from './multi-pin';
import { loadStaticPwmClock } from './static-pwm-clock';
import { SaveVariables } from './save-variables';
import { FirmwareRetraction } from './firmware-retraction';
import { PrinterServo, readServoOptions } from './servo';
import { ManualStepper } from './manual-stepper';
import { FilamentMotionSensor } from './filament-motion-sensor';
import { TuningTower } from './tuning-tower';
import { SdcardLoop } from './sdcard-loop';

export { configCatalog, type CatalogSection } from './catalog';

export interface LoadContext {
  printer: Printer;
  gcode: GCodeDispatcher;
  config: PrinterConfig;
  /** Batch mode: MCU output to a file; null = a real MCU on config's serial port. */
  mcuFileOutput: McuFileOutput | null;
  /**
   * 'skip' loads the supported sections and leaves unsupported ones unread (the config editor's
   * lint and the corpus test use it); the printer itself always uses 'error'.
   */
  unsupportedSections?: 'error' | 'skip';
  /** Restarts the host (SAVE_CONFIG after writing printer.cfg); absent in batch mode and tests. */
  requestRestart?: (kind: RestartKind) => void;
}

/** How each catalog row's object is built; rows without a loader are read by another object
 * ([printer] reads the stepper sections). */
type SectionLoader = (ctx: LoadContext, section: ConfigSection) => void;

const LOADERS: Record<string, SectionLoader> = {
  // [mcu] and every [mcu NAME] (one catalog row matches both; the main one loads first, see below).
  mcu: (ctx, s) => void addMcuObject(ctx.printer, s, ctx.mcuFileOutput),
  printer: (ctx, s) => {
    const batch = ctx.mcuFileOutput !== null;
    const mcu = ctx.printer.lookupObject<Mcu>('mcu');
    // Batch mode has no MCU clock to follow: planning starts at print time 0.
    const estimatedPrintTimeS = batch ? () => 0 : () => mcu.estimatedPrintTime(mcu.monotonic());
    ctx.printer.addObject(
      'printer_toolhead',
      new PrinterToolhead(
        { printer: ctx.printer, config: ctx.config, estimatedPrintTimeS, klipperBatchPrimingFlush: batch, live: !batch },
        s,
      ),
    );
  },
  // [extruder], [extruder1], ...: numbered without gaps, as Klipper reads them.
  extruder: (ctx, s) => {
    const index = Number(s.name.slice('extruder'.length) || 0);
    if (index > 0 && !ctx.config.has(extruderSectionName(index - 1))) {
      throw new ConfigError(
        `Section [${s.name}] needs [${extruderSectionName(index - 1)}]: extruders are [extruder], [extruder1], [extruder2], ... without gaps`,
        s.place,
      );
    }
    const extruder = new PrinterExtruder(ctx.printer, s, { allowColdExtrude: ctx.mcuFileOutput !== null });
    ctx.printer.addObject(s.name, extruder);
    // Live printers heat; batch mode has no sensor to read, so its heater commands return at once.
    if (ctx.mcuFileOutput === null) {
      const heater = heatersOf(ctx.printer, ctx.gcode, ctx.config).addHeater(s, extruder.heater);
      extruder.heaterCanExtrude = () => heater.smoothedTempC >= extruder.settings.min_extrude_temp;
    } else batchHeatersOf(ctx.printer, ctx.gcode).addHeater(s.name, extruder.heater);
  },
  extruder_stepper: (ctx, s) => ctx.printer.addObject(s.name, loadExtruderStepper(ctx.printer, s)),
  heater_bed: (ctx, s) => {
    const bed = new HeaterBed(ctx.printer, s);
    ctx.printer.addObject('heater_bed', bed);
    if (ctx.mcuFileOutput === null) heatersOf(ctx.printer, ctx.gcode, ctx.config).addHeater(s, bed.heater);
    else batchHeatersOf(ctx.printer, ctx.gcode).addHeater(s.name, bed.heater);
  },
  homing_heaters: (ctx, s) => {
    const steppers = () => ctx.printer.lookupObject<StepperEnable>('stepper_enable').stepperNames();
    ctx.printer.addObject('homing_heaters', new HomingHeaters(ctx.printer, s, steppers));
  },
  pwm_cycle_time: (ctx, s) => loadPwmCycleTime(ctx.printer, ctx.gcode, s, ctx.mcuFileOutput === null),
  static_pwm_clock: (ctx, s) => loadStaticPwmClock(ctx.printer, s),
  multi_pin: (ctx, s) => ctx.printer.addObject(s.name, new MultiPin(ctx.printer, s)),
  adc_scaled: (ctx, s) => ctx.printer.addObject(s.name, new AdcScaled(ctx.printer, s, ctx.mcuFileOutput === null)),
  heater_generic: (ctx, s) => loadHeaterGeneric(ctx.printer, ctx.gcode, ctx.config, s, ctx.mcuFileOutput === null),
  temperature_fan: (ctx, s) => loadTemperatureFan(ctx.printer, ctx.gcode, ctx.config, s, ctx.mcuFileOutput === null),
  fan_generic: (ctx, s) => loadFanGeneric(ctx.printer, ctx.gcode, s, ctx.mcuFileOutput === null),
  // Read (and checked) in every mode; sensors naming it build their curve from it.
  adc_temperature: (_ctx, s) => {
    const table = readAdcTemperatureTable(s);
    try {
      adcTableCurve(table, {});
    } catch (e) {
      throw s.error('temperature1', `Section '${s.name}': ${(e as Error).message}`);
    }
  },
  ...Object.fromEntries(
    ['tmc2208', 'tmc2209', 'tmc2130', 'tmc5160', 'tmc2240', 'tmc2660'].map((chip): [string, SectionLoader] => [
      chip,
      (ctx, s) => loadTmcDriver(ctx.printer, ctx.gcode, s, ctx.unsupportedSections === 'skip'),
    ]),
  ),
  force_move: (ctx, s) => ctx.printer.addObject('force_move', new ForceMove(ctx.printer, ctx.gcode, s)),
  gcode_arcs: (ctx, s) => ctx.printer.addObject('gcode_arcs', new GCodeArcs(ctx.printer, ctx.gcode, s)),
  input_shaper: (ctx, s) => ctx.printer.addObject('input_shaper', new InputShaper(ctx.printer, ctx.gcode, s)),
  adxl345: (ctx, s) => void ctx.printer.addObject(s.name, loadAdxl345(ctx.printer, ctx.gcode, s)),
  lis2dw: (ctx, s) => void ctx.printer.addObject(s.name, loadLis2dw(ctx.printer, ctx.gcode, s, 'lis2dw')),
  lis3dh: (ctx, s) => void ctx.printer.addObject(s.name, loadLis2dw(ctx.printer, ctx.gcode, s, 'lis3dh')),
  mpu9250: (ctx, s) => void ctx.printer.addObject(s.name, loadMpu9250(ctx.printer, ctx.gcode, s)),
  icm20948: (ctx, s) => void ctx.printer.addObject(s.name, loadIcm20948(ctx.printer, ctx.gcode, s)),
  resonance_tester: (ctx, s) => void ctx.printer.addObject('resonance_tester', new ResonanceTester(ctx.printer, ctx.gcode, s)),
  homing_override: (ctx, s) => ctx.printer.addObject('homing_override', new HomingOverride(ctx.printer, ctx.gcode, s)),
  safe_z_home: (ctx, s) => ctx.printer.addObject('safe_z_home', new SafeZHome(ctx.printer, ctx.gcode, s)),
  bed_mesh: (ctx, s) => ctx.printer.addObject('bed_mesh', new BedMesh(ctx.printer, ctx.gcode, s, ctx.config)),
  // Profiles are read by [bed_mesh] itself; alone they are a mistake.
  'bed_mesh NAME': (ctx, s) => {
    if (!ctx.config.has('bed_mesh')) throw orphanProfileError(s);
  },
  bed_screws: (ctx, s) => ctx.printer.addObject('bed_screws', new BedScrews(ctx.printer, ctx.gcode, s)),
  screws_tilt_adjust: (ctx, s) => ctx.printer.addObject('screws_tilt_adjust', new ScrewsTiltAdjust(ctx.printer, ctx.gcode, s)),
  bed_tilt: (ctx, s) => ctx.printer.addObject('bed_tilt', new BedTilt(ctx.printer, ctx.gcode, s)),
  z_tilt: (ctx, s) => ctx.printer.addObject('z_tilt', new ZTilt(ctx.printer, ctx.gcode, s, ctx.config)),
  quad_gantry_level: (ctx, s) => ctx.printer.addObject('quad_gantry_level', new QuadGantryLevel(ctx.printer, ctx.gcode, s, ctx.config)),
  delta_calibrate: (ctx, s) => ctx.printer.addObject('delta_calibrate', new DeltaCalibrate(ctx.printer, ctx.gcode, s)),
  skew_correction: (ctx, s) => ctx.printer.addObject('skew_correction', new SkewCorrection(ctx.printer, ctx.gcode, s, ctx.config)),
  // Profiles are read by [skew_correction] itself; alone they are a mistake.
  'skew_correction NAME': (ctx, s) => {
    if (!ctx.config.has('skew_correction'))
      throw new ConfigError(
        `[${s.name}] is a saved skew profile, but printer.cfg has no [skew_correction] section to use it: add [skew_correction] or delete this section`,
        s.place,
      );
  },
  axis_twist_compensation: (ctx, s) =>
    ctx.printer.addObject('axis_twist_compensation', new AxisTwistCompensation(ctx.printer, ctx.gcode, s)),
  // Output devices exist on live printers; batch mode only checks their options.
  fan: (ctx, s) => (ctx.mcuFileOutput ? void s.read(FAN_OPTIONS) : ctx.printer.addObject('fan', loadPrinterFan(ctx.printer, ctx.gcode, s))),
  heater_fan: (ctx, s) => {
    if (ctx.mcuFileOutput) return void (s.read(FAN_OPTIONS), s.read(HEATER_FAN_OPTIONS));
    ctx.printer.addObject(s.name, loadHeaterFan(ctx.printer, s));
  },
  temperature_sensor: (ctx, s) =>
    ctx.mcuFileOutput
      ? void (s.read(TEMPERATURE_SENSOR_OPTIONS), checkI2cSensorOptions(s), batchHeatersOf(ctx.printer, ctx.gcode).addSensor(s))
      : heatersOf(ctx.printer, ctx.gcode, ctx.config).addSensor(s),
  controller_fan: (ctx, s) => {
    if (ctx.mcuFileOutput) return void (s.read(FAN_OPTIONS), s.read(CONTROLLER_FAN_OPTIONS));
    ctx.printer.addObject(s.name, new ControllerFan(ctx.printer, s));
  },
  probe: (ctx, s) => ctx.printer.addObject('probe', new PrinterProbe(ctx.printer, ctx.gcode, s)),
  // A BLTouch is the printer's probe: bed tools and probe:z_virtual_endstop find it as 'probe'.
  bltouch: (ctx, s) => ctx.printer.addObject('probe', new BLTouch(ctx.printer, ctx.gcode, s)),
  // Aliases must exist before any pin is claimed: this row comes right after [mcu].
  board_pins: (ctx, s) => loadBoardPins(ctx.printer, s),
  // A built-in (see loadPrinterObjects); the section only sets its options.
  idle_timeout: () => undefined,
  output_pin: (ctx, s) =>
    ctx.mcuFileOutput ? void s.read(OUTPUT_PIN_OPTIONS) : ctx.printer.addObject(s.name, new OutputPin(ctx.printer, ctx.gcode, s)),
  static_digital_output: (ctx, s) =>
    ctx.mcuFileOutput ? void s.read(STATIC_DIGITAL_OUTPUT_OPTIONS) : loadStaticDigitalOutput(ctx.printer, s),
  // Read (and checked) here in every mode; heaters use them on live printers.
  thermistor: (ctx, s) => void customThermistorPoints(ctx.config, s.name.slice('thermistor '.length)),
  verify_heater: (_ctx, s) => void s.read(VERIFY_HEATER_OPTIONS),
  // The Respond object always exists; this section only sets its defaults (see loadPrinterObjects).
  respond: () => undefined,
  // Print jobs and macros (issue 7); print_stats is a built-in (see loadPrinterObjects).
  print_stats: () => undefined,
  virtual_sdcard: (ctx, s) =>
    ctx.printer.addObject(
      'virtual_sdcard',
      new VirtualSdcard(ctx.printer, ctx.gcode, s, ctx.printer.lookupObject<PrintStats>('print_stats')),
    ),
  pause_resume: (ctx, s) =>
    ctx.printer.addObject('pause_resume', new PauseResume(ctx.printer, ctx.gcode, s.read(PAUSE_RESUME_OPTIONS).recover_velocity)),
  filament_switch_sensor: (ctx, s) => ctx.printer.addObject(s.name, new FilamentSwitchSensor(ctx.printer, ctx.gcode, s)),
  gcode_button: (ctx, s) => ctx.printer.addObject(s.name, new GCodeButton(ctx.printer, ctx.gcode, s)),
  // LEDs (each adds its status object 'led NAME', 'neopixel NAME', ...), in batch mode too: their
  // config and colour commands go to the output as Klipper's do.
  led: (ctx, s) => void new PwmLed(ctx.printer, ctx.gcode, s),
  neopixel: (ctx, s) => void new Neopixel(ctx.printer, ctx.gcode, s),
  dotstar: (ctx, s) => void new Dotstar(ctx.printer, ctx.gcode, s),
  pca9533: (ctx, s) => loadPca9533(ctx.printer, ctx.gcode, s),
  pca9632: (ctx, s) => loadPca9632(ctx.printer, ctx.gcode, s),
  // Current-control chips (init commands, so batch mode writes them too).
  ad5206: (ctx, s) => loadAd5206(ctx.printer, s),
  dac084S085: (ctx, s) => loadDac084s085(ctx.printer, s),
  mcp4451: (ctx, s) => loadMcp4451(ctx.printer, s),
  mcp4018: (ctx, s) => void ctx.printer.addObject(s.name, loadMcp4018(ctx.printer, ctx.gcode, s)),
  mcp4728: (ctx, s) => loadMcp4728(ctx.printer, s),
  display_glyph: (ctx, s) => displayAssetsOf(ctx.printer).addGlyph(s),
  display_template: (ctx, s) => displayAssetsOf(ctx.printer).addTemplate(s),
  display_data: (ctx, s) => displayAssetsOf(ctx.printer).addData(s),
  menu: (ctx, s) => void userMenuSpecsOf(ctx.printer).push(menuSpecOf(s)),
  display: (ctx, s) =>
    addDisplay(
      ctx.printer,
      ctx.gcode,
      new PrinterDisplay(ctx.printer, ctx.gcode, s, { live: ctx.mcuFileOutput === null, menuSpecs: userMenuSpecsOf(ctx.printer) }),
    ),
  filament_motion_sensor: (ctx, s) => ctx.printer.addObject(s.name, new FilamentMotionSensor(ctx.printer, ctx.gcode, s)),
  save_variables: (ctx, s) => ctx.printer.addObject('save_variables', new SaveVariables(ctx.gcode, s)),
  firmware_retraction: (ctx, s) => ctx.printer.addObject('firmware_retraction', new FirmwareRetraction(ctx.gcode, s)),
  // Like output pins: batch mode only checks the options.
  servo: (ctx, s) =>
    ctx.mcuFileOutput ? void readServoOptions(s) : ctx.printer.addObject(s.name, new PrinterServo(ctx.printer, ctx.gcode, s)),
  manual_stepper: (ctx, s) => ctx.printer.addObject(s.name, new ManualStepper(ctx.printer, ctx.gcode, s)),
  // A built-in (see loadPrinterObjects); the section has no options.
  tuning_tower: () => undefined,
  // Built-in (see loadPrinterObjects); the section has no options.
  motion_report: () => undefined,
  // [bme280], [sht3x], ...: Klipper loads the sensor type; ours are built in (heaters.ts setupSensor).
  ...Object.fromEntries(I2C_SENSOR_SECTIONS.map((name): [string, SectionLoader] => [name, () => undefined])),
  // Built-ins too (see loadPrinterObjects), or (pid_calibrate) part of 'heaters': no options.
  stepper_enable: () => undefined,
  manual_probe: () => undefined,
  query_adc: () => undefined,
  pid_calibrate: () => undefined,
  // Klipper logs stats always; we do when the section asks (live printers only).
  statistics: (ctx) => void (ctx.mcuFileOutput === null && ctx.printer.addObject('statistics', new Statistics(ctx.printer))),
  duplicate_pin_override: (ctx, s) => loadDuplicatePinOverride(ctx.printer, s),
  hall_filament_width_sensor: (ctx, s) =>
    ctx.printer.addObject(s.name, new FilamentWidthSensor(ctx.printer, ctx.gcode, s, ctx.mcuFileOutput === null)),
  tsl1401cl_filament_width_sensor: (ctx, s) =>
    ctx.printer.addObject(s.name, new FilamentWidthSensor(ctx.printer, ctx.gcode, s, ctx.mcuFileOutput === null)),
  z_thermal_adjust: (ctx, s) =>
    ctx.printer.addObject('z_thermal_adjust', new ZThermalAdjust(ctx.printer, ctx.gcode, ctx.config, s, ctx.mcuFileOutput === null)),
  sdcard_loop: (ctx) => ctx.printer.addObject('sdcard_loop', new SdcardLoop(ctx.printer, ctx.gcode)),
  exclude_object: (ctx) => ctx.printer.addObject('exclude_object', new ExcludeObject(ctx.gcode)),
  virtual_printer: (ctx, s) => loadVirtualPrinter(ctx.printer, ctx.gcode, s, !ctx.mcuFileOutput),
  display_status: () => undefined,
  delayed_gcode: (ctx, s) => {
    registerUpdateDelayedGCode(ctx.printer, ctx.gcode);
    ctx.printer.addObject(s.name, new DelayedGCode(ctx.printer, ctx.gcode, s));
  },
  gcode_macro: (ctx, s) => {
    registerSetGCodeVariable(ctx.printer, ctx.gcode);
    ctx.printer.addObject(s.name, new GCodeMacro(ctx.printer, ctx.gcode, s));
  },
};

/**
 * Checks the section names, then builds every printer object from printer.cfg, then rejects
 * anything no object read. Throws ConfigError naming file:line.
 */
export function loadPrinterObjects(ctx: LoadContext): void {
  const { printer, gcode, config } = ctx;
  const unsupported: ConfigSection[] = [];
  // Unsupported kinematics first: their stepper sections would otherwise look like mistakes.
  const printerSection = config.getOrNull('printer');
  const kin = printerSection?.has('kinematics') ? printerSection.getString('kinematics') : '';
  if (UNSUPPORTED_KINEMATICS.includes(kin)) {
    throw printerSection!.error('kinematics', `kinematics '${kin}' is not supported yet (supported: ${SUPPORTED_KINEMATICS.join(', ')})`);
  }
  for (const s of config.sections()) {
    if (catalogEntryOf(s.name)) continue;
    if (isKnownUnsupportedSection(s.name)) unsupported.push(s);
    else throw new ConfigError(`Section '${s.name}' is not a valid config section`, s.place);
  }
  if (unsupported.length && ctx.unsupportedSections !== 'skip') {
    const list = unsupported.map((s) => `[${s.name}] (${formatPlace(s.place)})`).join(', ');
    throw new ConfigError(
      `${unsupported.length === 1 ? 'section' : 'sections'} ${list} ${unsupported.length === 1 ? 'is' : 'are'} not supported yet: remove or comment them out to use Tether now`,
      undefined,
      unsupported.map((s) => s.place),
    );
  }
  // Objects every printer has, whatever its config (Klipper's built-ins).
  printer.addObject('pins', new PinRegistry());
  printer.addObject('gcode_move', new GCodeMove(printer, gcode));
  printer.addObject('stepper_enable', new StepperEnable(printer, gcode));
  printer.addObject('shutdown', new ShutdownHandler(printer, gcode));
  const respond = config.getOrNull('respond');
  const r = respond?.read(RESPOND_OPTIONS);
  const prefixes: Record<string, string> = { echo: 'echo:', echo_no_space: 'echo:', command: '//', error: '!!' };
  printer.addObject('respond', new Respond(gcode, r?.default_prefix ?? prefixes[r?.default_type ?? 'echo']));
  // Status objects every printer has (issue 7): what the UI, macros and API clients read.
  printer.addObject('print_stats', new PrintStats(printer));
  printer.addObject('display_status', new DisplayStatus(printer, gcode));
  // 'configfile' also owns SAVE_CONFIG (as in Klipper): its status lists what is pending.
  printer.addObject('configfile', new SaveConfig(printer, gcode, config, new ConfigFileStatus(config), ctx.requestRestart ?? null));
  printer.addObject('webhooks', new WebhooksStatus(printer));
  printer.addObject('system_stats', new SystemStats());
  printer.addObject('motion_report', ctx.mcuFileOutput ? new MotionReport(printer, null) : new MotionReport(printer));
  printer.addObject('tuning_tower', new TuningTower(printer, gcode));
  printer.addObject('manual_probe', new ManualProbeCommands(printer, gcode));
  printer.addObject('query_adc', new QueryAdc(printer, gcode));
  // Every printer turns its heaters and motors off when left alone (Klipper's default too).
  printer.addObject('idle_timeout', new IdleTimeout(printer, gcode, config.getOrNull('idle_timeout'), ctx.mcuFileOutput === null));

  for (const name of ['mcu', 'printer']) {
    // These two must exist; reading options of a missing section names the first required one.
    if (!config.has(name))
      throw new ConfigError(
        `Section [${name}] is missing from ${formatPlace({ file: config.raw.mainPath, line: 1 }).replace(/:1$/, '')}: every printer needs one`,
      );
  }
  const loaded = new Set<string>(unsupported.map((s) => s.name));
  for (const entry of SECTION_CATALOG) {
    const load = LOADERS[entry.name];
    if (!load) continue;
    // The main [mcu] first: secondary MCUs take their print time from it.
    const sections = config.sections().filter((s) => catalogEntryOf(s.name) === entry);
    if (entry.name === 'mcu') sections.sort((a, b) => Number(b.name === 'mcu') - Number(a.name === 'mcu'));
    for (const s of sections) {
      load(ctx, s);
      loaded.add(s.name);
    }
  }
  // endstop_pin: tmcXXXX_stepper_x:virtual_endstop without that driver section.
  checkTmcVirtualEndstops(printer);
  // Sections of a handled type nobody read (stepper_a on a cartesian printer) are mistakes.
  for (const s of config.sections()) {
    if (!loaded.has(s.name) && s.unreadOptions().length === s.optionNames().length && s.optionNames().length > 0) {
      throw new ConfigError(`Section '${s.name}' is not a valid config section for this printer`, s.place);
    }
  }
  config.checkUnread(new Set(unsupported.map((s) => s.name)));
}
