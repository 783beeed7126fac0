// [gcode_button NAME]: runs press_gcode when the pin becomes active and release_gcode when it
// goes back (buttons.ts watches the pin). QUERY_BUTTON BUTTON=NAME reports PRESSED / RELEASED.
import type { ConfigSection } from '../config/section';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer, PrinterObject } from '../printer';
import { TemplateError } from '../template';
import { buttonsOf, debounceButton } from './buttons';
import { GCODE_BUTTON_OPTIONS } from './gcode-button-options';
import { MacroTemplate } from './gcode-macro';

export class GCodeButton implements PrinterObject {
  readonly name: string;
  pressed = false;
  private readonly press: MacroTemplate;
  private readonly release: MacroTemplate;

  constructor(
    printer: Printer,
    private readonly gcode: GCodeDispatcher,
    section: ConfigSection,
  ) {
    const o = section.read(GCODE_BUTTON_OPTIONS);
    if (o.analog_range) throw section.error('analog_range', 'analog_range (an ADC button) is not supported yet: use a digital pin');
    this.name = section.suffix;
    const template = (option: 'press_gcode' | 'release_gcode', text: string) => {
      try {
        return new MacroTemplate(printer, gcode, `${section.name}:${option}`, text);
      } catch (e) {
        if (e instanceof TemplateError) throw section.error(option, e.message);
        throw e;
      }
    };
    this.press = template('press_gcode', o.press_gcode);
    this.release = template('release_gcode', o.release_gcode);
    buttonsOf(printer).registerButton(
      section,
      'pin',
      o.pin,
      debounceButton(o.debounce_delay, (_t, pressed) => this.onChange(pressed)),
    );
    gcodeButtonsOf(printer, gcode).set(this.name, this);
  }

  /** Runs the template through the G-code queue like a typed command; errors were reported as '!!'. */
  private onChange(pressed: boolean): void {
    this.pressed = pressed;
    const template = pressed ? this.press : this.release;
    let script: string;
    try {
      script = template.render();
    } catch (e) {
      this.gcode.respondError(`gcode_button ${this.name}: ${(e as Error).message}`);
      return;
    }
    this.gcode.run(script).catch(() => undefined);
  }

  get state(): 'PRESSED' | 'RELEASED' {
    return this.pressed ? 'PRESSED' : 'RELEASED';
  }

  getStatus(): Record<string, unknown> {
    return { state: this.state };
  }
}

/** Buttons by name, with QUERY_BUTTON registered once for all. */
function gcodeButtonsOf(printer: Printer, gcode: GCodeDispatcher): Map<string, GCodeButton> {
  let buttons = printer.lookupObjectOrNull<Map<string, GCodeButton>>('gcode_buttons');
  if (buttons) return buttons;
  const all = new Map<string, GCodeButton>();
  buttons = all;
  printer.addObject('gcode_buttons', all);
  gcode.register(
    'QUERY_BUTTON',
    (c) => {
      const name = c.get('BUTTON');
      const b = all.get(name);
      if (!b) throw c.error(`Unknown button '${name}' (buttons: ${[...all.keys()].join(', ')})`);
      gcode.respondInfo(`${b.name}: ${b.state}`);
    },
    { help: 'Report on the state of a button', params: { BUTTON: 'gcode_button name' } },
  );
  return buttons;
}
