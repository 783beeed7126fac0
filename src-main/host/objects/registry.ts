// The table of config sections Tether handles: name -> option tables + factory. Loading a
// printer.cfg walks this table; the editor's option catalog is derived from the same table.
import { ConfigError, formatPlace } from '../config/errors';
import { catalogOptions, type CatalogOption, type OptionTable } from '../config/options';
import type { ConfigSection, PrinterConfig } from '../config/section';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import { Respond } from './respond';
import { PrinterExtruder } from './extruder';
import { EXTRUDER_OPTIONS } from './extruder-options';
import { ForceMove } from './force-move';
import { GCodeArcs } from './gcode-arcs';
import { GCodeMove } from './gcode-move';
import { HeaterBed } from './heater-bed';
import { HEATER_OPTIONS } from './heater-options';
import { isKnownUnsupportedSection } from './known-sections';
import { loadMcu, type McuFileOutput } from './mcu';
import type { Mcu } from '../mcu/mcu';
import { PinRegistry } from './pins';
import {
  DELTA_OPTIONS,
  DELTA_TOWER_OPTIONS,
  FORCE_MOVE_OPTIONS,
  GCODE_ARCS_OPTIONS,
  MCU_OPTIONS,
  PRINTER_OPTIONS,
  RESPOND_OPTIONS,
  SUPPORTED_KINEMATICS,
  UNSUPPORTED_KINEMATICS,
  Z_LIMIT_OPTIONS,
} from './printer-options';
import { StepperEnable } from './stepper-enable';
import { RAIL_OPTIONS, RAIL_RANGE_OPTIONS, STEPPER_MOTOR_OPTIONS } from './stepper-options';
import { PrinterToolhead } from './toolhead';

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
}

export interface SectionType {
  /** Section name ('printer') or, for `prefix` types, the name start ('stepper_'). */
  name: string;
  /** One line for the editor. */
  doc: string;
  /** Options by group; the catalog lists them all. */
  options: OptionTable[];
  /** Section names this type covers when it is not a single fixed name. */
  matches?: (sectionName: string) => boolean;
  /** Builds the object; absent when another object reads the section ([printer] reads the steppers). */
  load?: (ctx: LoadContext, section: ConfigSection) => void;
}

const STEPPER_AXES = new Set(['stepper_x', 'stepper_y', 'stepper_z', 'stepper_a', 'stepper_b', 'stepper_c']);

/** In load order: the MCU first, then the toolhead (which reads the steppers), then the rest. */
export const SECTION_TYPES: SectionType[] = [
  {
    name: 'mcu',
    doc: 'The main micro-controller and how to reach it',
    options: [MCU_OPTIONS],
    load: (ctx, s) => ctx.printer.addObject('mcu', loadMcu(s, ctx.mcuFileOutput).mcu),
  },
  {
    name: 'printer',
    doc: 'Kinematics and toolhead speed limits',
    options: [PRINTER_OPTIONS, Z_LIMIT_OPTIONS, DELTA_OPTIONS],
    load: (ctx, s) => {
      const batch = ctx.mcuFileOutput !== null;
      const mcu = ctx.printer.lookupObject<Mcu>('mcu');
      // Batch mode has no MCU clock to follow: planning starts at print time 0.
      const estimatedPrintTimeS = batch ? () => 0 : () => mcu.estimatedPrintTime(mcu.monotonic());
      ctx.printer.addObject(
        'printer_toolhead',
        new PrinterToolhead({ printer: ctx.printer, config: ctx.config, estimatedPrintTimeS, klipperBatchPrimingFlush: batch }, s),
      );
    },
  },
  {
    name: 'stepper_',
    doc: 'A stepper motor driving an axis (stepper_x/y/z; stepper_a/b/c on a delta)',
    options: [STEPPER_MOTOR_OPTIONS, RAIL_RANGE_OPTIONS, RAIL_OPTIONS, DELTA_TOWER_OPTIONS],
    matches: (n) => STEPPER_AXES.has(n),
  },
  {
    name: 'extruder',
    doc: 'The extruder: its stepper, filament limits and (stored for later) heater',
    options: [STEPPER_MOTOR_OPTIONS, EXTRUDER_OPTIONS, HEATER_OPTIONS],
    load: (ctx, s) =>
      ctx.printer.addObject('extruder', new PrinterExtruder(ctx.printer, s, { allowColdExtrude: ctx.mcuFileOutput !== null })),
  },
  {
    name: 'heater_bed',
    doc: 'The heated bed (options stored; heating comes with the heater task)',
    options: [HEATER_OPTIONS],
    load: (ctx, s) => ctx.printer.addObject('heater_bed', new HeaterBed(ctx.printer, s)),
  },
  {
    name: 'force_move',
    doc: 'SET_KINEMATIC_POSITION and FORCE_MOVE for debugging',
    options: [FORCE_MOVE_OPTIONS],
    load: (ctx, s) => ctx.printer.addObject('force_move', new ForceMove(ctx.printer, ctx.gcode, s)),
  },
  {
    name: 'gcode_arcs',
    doc: 'G2/G3 arc moves',
    options: [GCODE_ARCS_OPTIONS],
    load: (ctx, s) => ctx.printer.addObject('gcode_arcs', new GCodeArcs(ctx.printer, ctx.gcode, s)),
  },
  {
    name: 'respond',
    doc: 'Defaults of RESPOND and M118',
    options: [RESPOND_OPTIONS],
    // The Respond object always exists; this section only sets its defaults (see loadPrinterObjects).
    load: () => undefined,
  },
];

function sectionTypeOf(name: string): SectionType | null {
  for (const t of SECTION_TYPES) if (t.matches ? t.matches(name) : t.name === name) return t;
  return null;
}

export interface CatalogSection {
  name: string;
  doc: string;
  options: CatalogOption[];
}

/** The option catalog for the config editor: every handled section with its options. */
export function configCatalog(): CatalogSection[] {
  return SECTION_TYPES.map((t) => {
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
    if (sectionTypeOf(s.name)) continue;
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
  const respond = config.getOrNull('respond');
  const r = respond?.read(RESPOND_OPTIONS);
  const prefixes: Record<string, string> = { echo: 'echo:', echo_no_space: 'echo:', command: '//', error: '!!' };
  printer.addObject('respond', new Respond(gcode, r?.default_prefix ?? prefixes[r?.default_type ?? 'echo']));

  for (const name of ['mcu', 'printer']) {
    // These two must exist; reading options of a missing section names the first required one.
    if (!config.has(name))
      throw new ConfigError(
        `Section [${name}] is missing from ${formatPlace({ file: config.raw.mainPath, line: 1 }).replace(/:1$/, '')}: every printer needs one`,
      );
  }
  const loaded = new Set<string>(unsupported.map((s) => s.name));
  for (const t of SECTION_TYPES) {
    if (!t.load) continue;
    for (const s of config.sections()) {
      if (sectionTypeOf(s.name) !== t) continue;
      t.load(ctx, s);
      loaded.add(s.name);
    }
  }
  // Sections of a handled type nobody read (stepper_a on a cartesian printer) are mistakes.
  for (const s of config.sections()) {
    if (!loaded.has(s.name) && s.unreadOptions().length === s.optionNames().length && s.optionNames().length > 0) {
      throw new ConfigError(`Section '${s.name}' is not a valid config section for this printer`, s.place);
    }
  }
  config.checkUnread(new Set(unsupported.map((s) => s.name)));
}
