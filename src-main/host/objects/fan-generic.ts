// [fan_generic NAME]: a fan set by hand or by macros: SET_FAN_SPEED FAN=NAME SPEED=0..1 (after
// the queued moves, like M106), or TEMPLATE=<display_template> [PARAM_x=literal]: the template
// is rendered twice a second and its output (a number) is the speed; TEMPLATE= (empty) or a
// SPEED stops it. Status {speed, rpm}.
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import { parseLiteral } from '../template';
import type { DisplayAssets } from './display-templates';
import { FAN_OPTIONS } from './fan-options';
import { Fan } from './fan';
import { backgroundPrintTime } from './output-pwm';
import { printerTree } from './status-objects';

/** How often a TEMPLATE speed is rendered again (s), as Klipper's template evaluator. */
export const TEMPLATE_RENDER_TIME_S = 0.5;

/** A fan_generic and the template driving it, if any. */
export class GenericFan {
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Set when the template's output was not a number: said once, not twice a second. */
  private badOutput = false;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    readonly fan: Fan,
  ) {
    printer.on('printer:shutdown', () => this.stopTemplate());
    printer.on('printer:disconnect', () => this.stopTemplate());
  }

  cmdSetFanSpeed(c: GCodeCommand): void {
    if (!c.has('TEMPLATE')) {
      this.stopTemplate();
      this.fan.setSpeed(c.getFloat('SPEED', 0));
      return;
    }
    const name = c.get('TEMPLATE', '');
    this.stopTemplate();
    if (!name) return;
    const tpl = this.printer.lookupObjectOrNull<DisplayAssets>('display_assets')?.templates.get(name);
    if (!tpl) throw c.error(`Unknown display_template '${name}'`);
    // Defaults from the section's param_* options, overridden by the command's PARAM_* values.
    const params: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(tpl.params)) params[`param_${k}`] = parseLiteral(v);
    for (const [k, v] of Object.entries(c.params)) {
      const key = k.toLowerCase();
      if (!key.startsWith('param_')) continue;
      if (!(key.slice(6) in tpl.params)) throw c.error(`Invalid display_template parameter: ${key}`);
      try {
        params[key] = parseLiteral(v);
      } catch {
        throw c.error(`Unable to parse '${v}' as a literal`);
      }
    }
    const render = () => this.applyTemplateOutput(tpl.template.render({ printer: printerTree(this.printer), ...params }));
    render();
    this.timer = setInterval(render, TEMPLATE_RENDER_TIME_S * 1000);
    this.timer.unref?.();
  }

  /** A rendered template: its text as the speed (a non-number is reported once and ignored). */
  applyTemplateOutput(text: string): void {
    const v = Number(text.trim());
    if (text.trim() === '' || !Number.isFinite(v)) {
      if (!this.badOutput) this.gcode.respondRaw(`!! fan_generic template output '${text.trim().slice(0, 40)}' is not a speed (0..1)`);
      this.badOutput = true;
      return;
    }
    this.badOutput = false;
    this.fan.setSpeed(v, backgroundPrintTime(this.printer));
  }

  stopTemplate(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  getStatus(): Record<string, unknown> {
    return this.fan.getStatus();
  }
}

/** The fans SET_FAN_SPEED knows, by short name (the command is registered once). */
function genericFansOf(printer: Printer, gcode: GCodeDispatcher): Map<string, GenericFan> {
  let fans = printer.lookupObjectOrNull<Map<string, GenericFan>>('fan_generics');
  if (fans) return fans;
  fans = new Map();
  printer.addObject('fan_generics', fans);
  const all = fans;
  gcode.register(
    'SET_FAN_SPEED',
    (c) => {
      const name = c.get('FAN');
      const fan = all.get(name);
      if (!fan) throw c.error(`Unknown fan '${name}' (fan_generic fans: ${[...all.keys()].join(', ')})`);
      fan.cmdSetFanSpeed(c);
    },
    {
      help: 'Sets the speed of a fan',
      params: { FAN: 'fan_generic name', SPEED: '0..1', TEMPLATE: 'display_template computing the speed', PARAM_x: 'template parameter' },
    },
  );
  return fans;
}

/** [fan_generic NAME] on a live printer; batch mode only checks the options. */
export function loadFanGeneric(printer: Printer, gcode: GCodeDispatcher, section: ConfigSection, live: boolean): GenericFan | null {
  if (!live) return (void section.read(FAN_OPTIONS), null);
  const fan = new GenericFan(printer, gcode, new Fan(printer, section));
  const name = section.name.split(' ').pop()!;
  genericFansOf(printer, gcode).set(name, fan);
  printer.addObject(section.name, fan);
  return fan;
}
