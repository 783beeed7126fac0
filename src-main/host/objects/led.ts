// What every LED section shares (Klipper's LED helper): each LED's colour as [red, green, blue,
// white] in 0..1, SET_LED LED=<name> RED= GREEN= BLUE= WHITE= INDEX= TRANSMIT= SYNC=, and the
// status `color_data`. The section ([led], [neopixel], [dotstar]) supplies how a colour change
// reaches its hardware (an update function called with every LED's colour).
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer, PrinterObject } from '../printer';
import { LED_INITIAL_OPTIONS } from './led-options';
import { LedTemplates } from './led-template';
import { outputPrintTime } from './output-pwm';

export type LedColor = [red: number, green: number, blue: number, white: number];

/** Sends the colours to the hardware; printTimeS null = as soon as possible (SYNC=0, start-up). */
export type LedUpdate = (colors: readonly LedColor[], printTimeS: number | null) => void;

export class LedHelper implements PrinterObject {
  colors: LedColor[];
  private needTransmit = false;

  constructor(
    /** The section's name without its type ('chamber' for [neopixel chamber]). */
    readonly name: string,
    readonly count: number,
    initial: LedColor,
    private readonly update: LedUpdate,
  ) {
    this.colors = Array.from({ length: count }, () => [...initial] as LedColor);
  }

  /** Sets one LED (index 1..count) or all (null); a change waits for the next transmit. */
  setColor(index: number | null, color: LedColor): void {
    const targets = index === null ? this.colors.map((_c, i) => i) : [index - 1];
    for (const i of targets) {
      if (this.colors[i].every((v, k) => v === color[k])) continue;
      this.colors[i] = [...color] as LedColor;
      this.needTransmit = true;
    }
  }

  /** Sends the colours if anything changed since the last transmit. */
  transmit(printTimeS: number | null): void {
    if (!this.needTransmit) return;
    this.needTransmit = false;
    this.update(this.colors, printTimeS);
  }

  /** SET_LED for this LED section (the registry picked it by LED=). */
  setLed(c: GCodeCommand, printer: Printer): void {
    const limits = { minval: 0, maxval: 1 };
    const color: LedColor = [
      c.getFloat('RED', 0, limits),
      c.getFloat('GREEN', 0, limits),
      c.getFloat('BLUE', 0, limits),
      c.getFloat('WHITE', 0, limits),
    ];
    const index = c.has('INDEX') ? c.getInt('INDEX', undefined, { minval: 1, maxval: this.count }) : null;
    const transmit = c.getInt('TRANSMIT', 1) !== 0;
    // SYNC=1 (default): the change happens after the moves already queued; SYNC=0: now.
    const sync = c.getInt('SYNC', 1) !== 0;
    this.setColor(index, color);
    if (transmit) this.transmit(sync ? outputPrintTime(printer) : null);
  }

  getStatus(): Record<string, unknown> {
    return { color_data: this.colors.map((c) => [...c]) };
  }
}

/** The LED sections by name, and SET_LED (registered with the first one). */
export function ledsOf(printer: Printer, gcode: GCodeDispatcher): Map<string, LedHelper> {
  const existing = printer.lookupObjectOrNull<Map<string, LedHelper>>('leds');
  if (existing) return existing;
  const leds = new Map<string, LedHelper>();
  printer.addObject('leds', leds);
  printer.addObject('led_templates', new LedTemplates(printer, gcode, leds));
  gcode.register(
    'SET_LED',
    (c) => {
      const name = c.get('LED');
      const led = leds.get(name);
      if (!led) throw c.error(`The value '${name}' is not valid for LED (LEDs: ${[...leds.keys()].join(', ')})`);
      led.setLed(c, printer);
    },
    {
      help: 'Set the color of an LED',
      params: {
        LED: 'name of the [led]/[neopixel]/[dotstar] section',
        RED: '0..1',
        GREEN: '0..1',
        BLUE: '0..1',
        WHITE: '0..1',
        INDEX: 'one LED of the chain (1..chain_count); default all',
        TRANSMIT: '0 = change the colour but send it with the next SET_LED',
        SYNC: '0 = now, instead of after the queued moves',
      },
    },
  );
  return leds;
}

/** A section's LED helper: its initial colour from the section, SET_LED LED=<name>. */
export function addLedHelper(
  printer: Printer,
  gcode: GCodeDispatcher,
  section: ConfigSection,
  count: number,
  update: LedUpdate,
): LedHelper {
  const o = section.read(LED_INITIAL_OPTIONS);
  const name = section.suffix;
  const leds = ledsOf(printer, gcode);
  if (leds.has(name)) throw section.error('', `LED name '${name}' is used by another LED section: SET_LED LED=${name} must name one`);
  const helper = new LedHelper(name, count, [o.initial_RED, o.initial_GREEN, o.initial_BLUE, o.initial_WHITE], update);
  leds.set(name, helper);
  printer.addObject(section.name, helper);
  return helper;
}
