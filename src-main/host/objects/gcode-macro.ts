// [gcode_macro NAME] and [delayed_gcode NAME]: user commands written in Klipper's template
// language. Templates come from printer.cfg files people download, so they run in our own
// interpreter (src-main/host/template), which has no path to JavaScript, Node or the disk.
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import { GCodeError } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer, PrinterObject } from '../printer';
import { Template, TemplateError, parseLiteral, toHost } from '../template';
import { DELAYED_GCODE_OPTIONS, GCODE_MACRO_OPTIONS } from './macro-options';
import { printerTree } from './status-objects';

/** Renders a template with the printer tree and runs the resulting lines inside the caller. */
export class MacroTemplate {
  private readonly template: Template;
  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    readonly name: string,
    source: string,
  ) {
    this.template = new Template(name, source);
  }

  render(extra: Record<string, unknown> = {}): string {
    return this.template.render(
      { printer: printerTree(this.printer), ...extra },
      {
        respondInfo: (msg) => this.gcode.respondInfo(msg),
        emergencyStop: (msg) => void this.printer.invokeShutdown(`Shutdown due to ${msg}`),
      },
    );
  }

  async run(extra: Record<string, unknown> = {}): Promise<void> {
    let script: string;
    try {
      script = this.render(extra);
    } catch (e) {
      // A template error stops the macro before any of its lines ran.
      if (e instanceof TemplateError) throw new GCodeError(e.message);
      throw e;
    }
    await this.gcode.runLines(script.split('\n'));
  }
}

export class GCodeMacro implements PrinterObject {
  readonly alias: string;
  readonly description: string;
  readonly renameExisting: string | undefined;
  /** variable_* values (parsed Python literals), changed by SET_GCODE_VARIABLE. */
  readonly variables = new Map<string, unknown>();
  private readonly template: MacroTemplate;
  private running = false;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    section: ConfigSection,
  ) {
    this.alias = section.suffix.toUpperCase();
    if (/\s/.test(this.alias)) throw section.error('gcode', `Name of section '${section.name}' contains illegal whitespace`);
    const o = section.read(GCODE_MACRO_OPTIONS);
    this.description = o.description;
    this.renameExisting = o.rename_existing?.toUpperCase();
    for (const opt of section.optionNames().filter((n) => n.startsWith('variable_'))) {
      const raw = section.getString(opt);
      try {
        this.variables.set(opt.slice('variable_'.length), toHost(parseLiteral(raw)));
      } catch (e) {
        throw section.error(opt, `Option '${opt}' in section '${section.name}' is not a valid literal: ${(e as Error).message}`);
      }
    }
    try {
      this.template = new MacroTemplate(printer, gcode, `${section.name}:gcode`, o.gcode);
    } catch (e) {
      if (e instanceof TemplateError) throw section.error('gcode', e.message);
      throw e;
    }
    const info = { help: this.description };
    if (this.renameExisting === undefined) {
      if (gcode.lookup(this.alias)) throw section.error('gcode', `gcode_macro ${this.alias}: command ${this.alias} already exists (use rename_existing)`);
      gcode.register(this.alias, (c) => this.cmd(c), info);
    } else {
      // Rename once every object has registered its commands (the one renamed may come later).
      const rename = this.renameExisting;
      const place = section.placeOf('rename_existing');
      printer.on('printer:connect', () => {
        const prev = gcode.lookup(this.alias);
        if (!prev) throw new GCodeError(`Existing command '${this.alias}' not found in gcode_macro rename (${place.file}:${place.line})`);
        if (gcode.lookup(rename)) throw new GCodeError(`gcode_macro ${this.alias}: rename_existing '${rename}' is already a command (${place.file}:${place.line})`);
        gcode.register(rename, prev.handler, { help: `Renamed builtin of '${this.alias}'`, ...(prev.params ? { params: prev.params } : {}) });
        gcode.replace(this.alias, (c) => this.cmd(c), info);
      });
    }
  }

  getStatus(): Record<string, unknown> {
    return Object.fromEntries(this.variables);
  }

  private async cmd(c: GCodeCommand): Promise<void> {
    if (this.running) throw c.error(`Macro ${this.alias} called recursively`);
    const params: Record<string, string> = { ...c.params };
    const context: Record<string, unknown> = { ...Object.fromEntries(this.variables), params, rawparams: c.rawParams };
    this.running = true;
    try {
      await this.template.run(context);
    } finally {
      this.running = false;
    }
  }
}

/** SET_GCODE_VARIABLE MACRO=name VARIABLE=var VALUE=literal, registered once for all macros. */
export function registerSetGCodeVariable(printer: Printer, gcode: GCodeDispatcher): void {
  if (gcode.lookup('SET_GCODE_VARIABLE')) return;
  gcode.register(
    'SET_GCODE_VARIABLE',
    (c) => {
      const name = c.get('MACRO');
      const macro = printer.lookupObjectOrNull<GCodeMacro>(`gcode_macro ${name}`) ?? printer.lookupObjectOrNull<GCodeMacro>(`gcode_macro ${name.toLowerCase()}`);
      if (!macro) throw c.error(`Unknown gcode_macro '${name}'`);
      const variable = c.get('VARIABLE').toLowerCase();
      if (!macro.variables.has(variable)) throw c.error(`Unknown gcode_macro variable '${variable}'`);
      let value: unknown;
      try {
        value = toHost(parseLiteral(c.get('VALUE')));
      } catch (e) {
        throw c.error(`Unable to parse '${c.get('VALUE')}' as a literal: ${(e as Error).message}`);
      }
      macro.variables.set(variable, value);
    },
    { help: 'Set the value of a G-Code macro variable', params: { MACRO: 'macro name', VARIABLE: 'variable name', VALUE: 'Python literal' } },
  );
}

/** [delayed_gcode NAME]: a template run once after a delay (initial_duration or UPDATE_DELAYED_GCODE). */
export class DelayedGCode implements PrinterObject {
  readonly name: string;
  private readonly template: MacroTemplate;
  private timer: NodeJS.Timeout | null = null;
  private readonly initialDurationS: number;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    section: ConfigSection,
  ) {
    this.name = section.suffix;
    const o = section.read(DELAYED_GCODE_OPTIONS);
    this.initialDurationS = o.initial_duration;
    try {
      this.template = new MacroTemplate(printer, gcode, `${section.name}:gcode`, o.gcode);
    } catch (e) {
      if (e instanceof TemplateError) throw section.error('gcode', e.message);
      throw e;
    }
    printer.on('printer:ready', () => {
      if (this.initialDurationS > 0) this.schedule(this.initialDurationS);
    });
    printer.on('printer:disconnect', () => this.schedule(0));
    printer.on('printer:shutdown', () => this.schedule(0));
  }

  /** 0 cancels. */
  schedule(durationS: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (durationS <= 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // Runs through the queue like a typed command; errors were reported as '!!' lines.
      let script: string;
      try {
        script = this.template.render();
      } catch (e) {
        this.gcode.respondError(`delayed_gcode ${this.name}: ${(e as Error).message}`);
        return;
      }
      this.gcode.run(script).catch(() => undefined);
    }, durationS * 1000);
    this.timer.unref?.();
  }

  getStatus(): Record<string, unknown> {
    return { scheduled: this.timer !== null };
  }
}

export function registerUpdateDelayedGCode(printer: Printer, gcode: GCodeDispatcher): void {
  if (gcode.lookup('UPDATE_DELAYED_GCODE')) return;
  gcode.register(
    'UPDATE_DELAYED_GCODE',
    (c) => {
      const id = c.get('ID');
      const d = printer.lookupObjectOrNull<DelayedGCode>(`delayed_gcode ${id}`);
      if (!d) throw c.error(`Unknown delayed_gcode '${id}'`);
      d.schedule(c.getFloat('DURATION', undefined, { minval: 0 }));
    },
    { help: 'Schedule (DURATION>0) or cancel (0) a delayed_gcode', params: { ID: 'delayed_gcode name', DURATION: 'seconds' } },
  );
}
