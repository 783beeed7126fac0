// SET_LED_TEMPLATE LED=<name> TEMPLATE=<display_template> [PARAM_X=<literal>] [INDEX=<n>]: a
// [display_template] drives an LED. Every 0.5 s (Klipper's render period) each assigned
// template is rendered with the printer's status and its parameters; the text is "red, green,
// blue, white" in 0..1 (missing values 0, out-of-range clamped, unparsable text = off), and
// the LEDs whose colour changed are sent as SET_LED SYNC=0 would. TEMPLATE= (empty) removes it.
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import { parseLiteral, TemplateError, type Template } from '../template';
import { displayAssetsOf } from './display-templates';
import type { LedColor, LedHelper } from './led';
import { printerTree } from './status-objects';

export const LED_TEMPLATE_RENDER_S = 0.5;

interface Assignment {
  template: Template;
  params: Record<string, unknown>;
}

/** The colour a template's text asks for (Klipper's parsing: up to 4 floats, clamped). */
export function parseTemplateColor(text: string): LedColor {
  const parts = text.split(',', 4).map((p) => Number(p.trim()));
  if (parts.some((v) => !Number.isFinite(v)) || text.trim() === '') return [0, 0, 0, 0];
  const c = parts.map((v) => Math.max(0, Math.min(1, v)));
  while (c.length < 4) c.push(0);
  return c as LedColor;
}

export class LedTemplates {
  /** Per LED section: its LEDs' assignments (index 0 = LED 1). */
  private readonly assigned = new Map<LedHelper, (Assignment | null)[]>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly printer: Printer,
    gcode: GCodeDispatcher,
    private readonly leds: Map<string, LedHelper>,
  ) {
    gcode.register('SET_LED_TEMPLATE', (c) => this.cmdSetLedTemplate(c), {
      help: 'Assign a display_template to an LED',
      params: { LED: 'LED section name', TEMPLATE: 'display_template name (empty: remove)', INDEX: 'one LED of the chain' },
    });
    const stop = () => this.stop();
    printer.on('printer:shutdown', stop);
    printer.on('printer:disconnect', stop);
  }

  private cmdSetLedTemplate(c: GCodeCommand): void {
    const name = c.get('LED');
    const led = this.leds.get(name);
    if (!led) throw c.error(`The value '${name}' is not valid for LED (LEDs: ${[...this.leds.keys()].join(', ')})`);
    const index = c.has('INDEX') ? c.getInt('INDEX', undefined, { minval: 1, maxval: led.count }) : null;
    const templateName = c.get('TEMPLATE');
    let assignment: Assignment | null = null;
    if (templateName) {
      const t = displayAssetsOf(this.printer).templates.get(templateName);
      if (!t) throw c.error(`Unknown display_template '${templateName}'`);
      const params: Record<string, unknown> = {};
      const literal = (text: string) => {
        try {
          return parseLiteral(text);
        } catch (e) {
          if (e instanceof TemplateError) throw c.error(`Unable to parse '${text}' as a literal`);
          throw e;
        }
      };
      for (const [p, v] of Object.entries(t.params)) params[`param_${p}`] = literal(v);
      for (const [p, v] of Object.entries(c.params)) {
        if (!p.startsWith('PARAM_')) continue;
        const key = p.toLowerCase();
        if (!(key in params)) throw c.error(`Invalid display_template parameter: ${key}`);
        params[key] = literal(v);
      }
      assignment = { template: t.template, params };
    }
    const slots = this.assigned.get(led) ?? Array<Assignment | null>(led.count).fill(null);
    for (let i = 0; i < led.count; i++) if (index === null || i === index - 1) slots[i] = assignment;
    if (slots.some((s) => s)) this.assigned.set(led, slots);
    else this.assigned.delete(led);
    if (!this.assigned.size) return this.stop();
    if (!this.timer) {
      this.timer = setInterval(() => this.renderAll(), LED_TEMPLATE_RENDER_S * 1000);
      this.timer.unref();
    }
    this.renderAll(); // the new assignment shows at once
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Renders every assignment and sends the LEDs that changed. */
  renderAll(): void {
    const tree = printerTree(this.printer);
    for (const [led, slots] of this.assigned) {
      slots.forEach((a, i) => {
        if (!a) return;
        let text = '';
        try {
          text = a.template.render({ printer: tree, ...a.params });
        } catch {
          text = ''; // a failing template turns its LED off, as in Klipper
        }
        led.setColor(i + 1, parseTemplateColor(text));
      });
      led.transmit(null);
    }
  }
}
