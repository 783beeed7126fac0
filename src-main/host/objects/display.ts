// [display] and [display NAME]: an LCD on the MCU. The driver for lcd_type keeps a framebuffer
// and sends only what changed; twice a second (and at once after a key) the screen is drawn:
// the open menu, or the display_data group (our status screen by default). Keys (encoder and
// buttons, through the 'buttons' object) drive the menu of the main [display].
// SET_DISPLAY_GROUP [DISPLAY=name] GROUP=name picks the group a display shows.
import type { PinDesc } from '../config/options';
import type { ConfigSection } from '../config/section';
import { parsePin } from '../config/section';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Mcu } from '../mcu/mcu';
import type { Printer, PrinterObject } from '../printer';
import { buttonsOf, type ButtonCallback } from './buttons';
import { registerAdcButton } from './display-adc-buttons';
import {
  AIP31068_SPI_OPTIONS,
  DISPLAY_OPTIONS,
  EMULATED_ST7920_OPTIONS,
  HD44780_OPTIONS,
  HD44780_SPI_OPTIONS,
  ST7920_OPTIONS,
  SSD1306_OPTIONS,
  UC1701_OPTIONS,
  type LcdType,
} from './display-options';
import { displayAssetsOf, renderGroup, type DisplayAssets } from './display-templates';
import type { LcdDriver } from './lcd-driver';
import { GraphicDriver } from './lcd-graphic';
import { Hd44780Driver } from './lcd-hd44780';
import {
  Aip31068SpiLink,
  configureResetPin,
  Hd44780Link,
  Hd44780ShiftRegisterLink,
  I2cLink,
  SpiBus,
  SpiDcLink,
  St7920Link,
  St7920SpiLink,
} from './lcd-link';
import { St7920Driver } from './lcd-st7920';
import { mcuForPin } from './mcu';
import { DEFAULT_MENU } from './menu-default';
import { EncoderDecoder, type MenuKey } from './menu-keys';
import { buildMenuTree, MenuSession, type MenuItem, type MenuItemSpec } from './menu';
import type { PinRegistry } from './pins';
import { printerTree } from './status-objects';
import type { VirtualSdcard } from './virtual-sdcard';

/** Screen refresh period: Klipper's displays also redraw about twice a second. */
export const DISPLAY_REFRESH_S = 0.5;
/** Software SPI speed of shift-register and emulated displays (Hz). */
const SOFTWARE_SPI_HZ = 100000;

/** The [menu ...] specs of printer.cfg, in file order (loaded before any display). */
export function userMenuSpecsOf(printer: Printer): MenuItemSpec[] {
  let specs = printer.lookupObjectOrNull<MenuItemSpec[]>('menu_specs');
  if (!specs) {
    specs = [];
    printer.addObject('menu_specs', specs);
  }
  return specs;
}

/** Claims the pins of a display and checks they are all on one MCU, which it returns. */
class DisplayPins {
  mcu: Mcu | null = null;
  constructor(
    private readonly printer: Printer,
    private readonly section: ConfigSection,
  ) {}
  claim<P extends PinDesc | undefined>(pin: P, option: string): P {
    if (!pin) return pin;
    this.printer.lookupObject<PinRegistry>('pins').claim(pin, `[${this.section.name}] ${option}`, this.section.placeOf(option));
    const mcu = mcuForPin(this.printer, pin, this.section, option);
    if (this.mcu && mcu !== this.mcu)
      throw this.section.error(option, `All pins of [${this.section.name}] must be on the same MCU (${option} is not)`);
    this.mcu = mcu;
    return pin;
  }
}

/** Builds the driver for lcd_type, reading that type's own options. */
function createDriver(printer: Printer, section: ConfigSection, type: LcdType, assets: DisplayAssets): { driver: LcdDriver; mcu: Mcu } {
  const pins = new DisplayPins(printer, section);
  const driver = createDriverOn(printer, section, type, assets, pins);
  return { driver, mcu: pins.mcu! };
}

function createDriverOn(printer: Printer, section: ConfigSection, type: LcdType, assets: DisplayAssets, pins: DisplayPins): LcdDriver {
  const glyphs = [...assets.glyphs.values()];
  const softwareSpi = (o: { spi_software_sclk_pin?: PinDesc; spi_software_mosi_pin?: PinDesc; spi_software_miso_pin?: PinDesc }) => {
    const given = [o.spi_software_sclk_pin, o.spi_software_mosi_pin, o.spi_software_miso_pin].filter(Boolean).length;
    if (given === 0) return undefined;
    if (given !== 3) throw section.error('spi_software_sclk_pin', `[${section.name}] needs all three spi_software_*_pin options or none`);
    return {
      sclk: pins.claim(o.spi_software_sclk_pin!, 'spi_software_sclk_pin'),
      mosi: pins.claim(o.spi_software_mosi_pin!, 'spi_software_mosi_pin'),
      miso: pins.claim(o.spi_software_miso_pin!, 'spi_software_miso_pin'),
    };
  };
  const hd44780Settings = (o: { line_length: number; hd44780_protocol_init?: boolean }, fourBit: boolean) => {
    if (o.line_length !== 16 && o.line_length !== 20)
      throw section.error('line_length', `Option 'line_length' in section '${section.name}' must be 16 or 20`);
    return { columns: o.line_length, protocolInit: o.hd44780_protocol_init ?? true, fourBit, glyphs };
  };
  switch (type) {
    case 'st7920': {
      const o = section.read(ST7920_OPTIONS);
      const p = { cs: pins.claim(o.cs_pin, 'cs_pin'), sclk: pins.claim(o.sclk_pin, 'sclk_pin'), sid: pins.claim(o.sid_pin, 'sid_pin') };
      return new St7920Driver(new St7920Link(pins.mcu!, p));
    }
    case 'emulated_st7920': {
      const o = section.read(EMULATED_ST7920_OPTIONS);
      const cs = pins.claim(o.en_pin, 'en_pin');
      const software = softwareSpi(o)!;
      return new St7920Driver(new St7920SpiLink(new SpiBus(pins.mcu!, { cs, software, speedHz: SOFTWARE_SPI_HZ, mode: 0 })));
    }
    case 'hd44780': {
      const o = section.read(HD44780_OPTIONS);
      const p = {
        rs: pins.claim(o.rs_pin, 'rs_pin'),
        e: pins.claim(o.e_pin, 'e_pin'),
        d4: pins.claim(o.d4_pin, 'd4_pin'),
        d5: pins.claim(o.d5_pin, 'd5_pin'),
        d6: pins.claim(o.d6_pin, 'd6_pin'),
        d7: pins.claim(o.d7_pin, 'd7_pin'),
      };
      return new Hd44780Driver(new Hd44780Link(pins.mcu!, p), hd44780Settings(o, true));
    }
    case 'hd44780_spi': {
      const o = section.read(HD44780_SPI_OPTIONS);
      const cs = pins.claim(o.latch_pin, 'latch_pin');
      const spi = new SpiBus(pins.mcu!, { cs, software: softwareSpi(o)!, speedHz: SOFTWARE_SPI_HZ, mode: 0 });
      return new Hd44780Driver(new Hd44780ShiftRegisterLink(spi), hd44780Settings(o, true));
    }
    case 'aip31068_spi': {
      const o = section.read(AIP31068_SPI_OPTIONS);
      const cs = pins.claim(o.latch_pin, 'latch_pin');
      const spi = new SpiBus(pins.mcu!, { cs, software: softwareSpi(o)!, speedHz: SOFTWARE_SPI_HZ, mode: 0 });
      return new Hd44780Driver(new Aip31068SpiLink(spi), hd44780Settings({ ...o, hd44780_protocol_init: false }, false));
    }
    case 'uc1701': {
      const o = section.read(UC1701_OPTIONS);
      const cs = pins.claim(o.cs_pin, 'cs_pin');
      const a0 = pins.claim(o.a0_pin, 'a0_pin');
      const rst = pins.claim(o.rst_pin, 'rst_pin');
      const spi = new SpiBus(pins.mcu!, { cs, bus: o.spi_bus, software: softwareSpi(o), speedHz: o.spi_speed, mode: 0 });
      if (rst) configureResetPin(pins.mcu!, rst);
      return new GraphicDriver(new SpiDcLink(spi, a0), { chip: 'uc1701', contrast: o.contrast });
    }
    case 'ssd1306':
    case 'sh1106': {
      const o = section.read(SSD1306_OPTIONS);
      const settings = { chip: type, contrast: o.contrast, vcomh: o.vcomh, invert: o.invert, xOffset: o.x_offset };
      const reset = pins.claim(o.reset_pin, 'reset_pin');
      let driver: GraphicDriver;
      if (o.cs_pin || o.dc_pin) {
        if (!o.cs_pin || !o.dc_pin)
          throw section.error(o.cs_pin ? 'cs_pin' : 'dc_pin', `[${section.name}] on SPI needs both cs_pin and dc_pin`);
        const cs = pins.claim(o.cs_pin, 'cs_pin');
        const dc = pins.claim(o.dc_pin, 'dc_pin');
        const spi = new SpiBus(pins.mcu!, { cs, bus: o.spi_bus, software: softwareSpi(o), speedHz: o.spi_speed, mode: 0 });
        driver = new GraphicDriver(new SpiDcLink(spi, dc), settings);
      } else {
        const scl = pins.claim(o.i2c_software_scl_pin, 'i2c_software_scl_pin');
        const sda = pins.claim(o.i2c_software_sda_pin, 'i2c_software_sda_pin');
        if (!!scl !== !!sda)
          throw section.error('i2c_software_scl_pin', `[${section.name}] needs both i2c_software_scl_pin and i2c_software_sda_pin`);
        const mcu = pins.mcu ?? printer.lookupObjectOrNull<Mcu>(o.i2c_mcu === 'mcu' ? 'mcu' : `mcu ${o.i2c_mcu}`);
        if (!mcu) throw section.error('i2c_mcu', `Unknown i2c_mcu '${o.i2c_mcu}' in section '${section.name}'`);
        pins.mcu = mcu;
        const software = scl && sda ? { scl, sda } : undefined;
        driver = new GraphicDriver(new I2cLink(mcu, { address: o.i2c_address, speedHz: o.i2c_speed, bus: o.i2c_bus, software }), settings);
      }
      if (reset) configureResetPin(pins.mcu!, reset);
      return driver;
    }
  }
}

export class PrinterDisplay implements PrinterObject {
  readonly name: string;
  readonly driver: LcdDriver;
  group: string;
  private readonly assets: DisplayAssets;
  private menu: MenuSession | null = null;
  private menuRoot: MenuItem | null = null;
  private readonly menuTimeoutS: number;
  private lastKeyS = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly reportedErrors = new Set<string>();
  private readonly mcu: Mcu;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    section: ConfigSection,
    opts: { live: boolean; menuSpecs: MenuItemSpec[] },
  ) {
    const named = section.name.includes(' ');
    this.name = named ? section.suffix : 'display';
    const o = section.read(DISPLAY_OPTIONS);
    if (o.encoder_steps_per_detent !== 2 && o.encoder_steps_per_detent !== 4) {
      throw section.error('encoder_steps_per_detent', `Option 'encoder_steps_per_detent' in section '${section.name}' must be 2 or 4`);
    }
    this.assets = displayAssetsOf(printer);
    const { driver, mcu } = createDriver(printer, section, o.lcd_type as LcdType, this.assets);
    this.driver = driver;
    this.mcu = mcu;
    const lineLength = this.driver.columns;
    this.group = o.display_group ?? (lineLength === 20 ? '_default_20x4' : '_default_16x4');
    if (!this.assets.groups.has(this.group)) {
      throw section.error(
        'display_group',
        `Unknown display_data group '${this.group}' in section '${section.name}' (groups: ${[...this.assets.groups.keys()].join(', ')})`,
      );
    }
    this.menuTimeoutS = o.menu_timeout;
    const keysGiven = this.setupKeys(section, o);
    // The menu belongs to the display with keys (Klipper: the main [display]).
    if (keysGiven && !named) {
      const tree = buildMenuTree([...DEFAULT_MENU, ...opts.menuSpecs], (id, msg) => section.error('menu_root', `[menu ${id}]: ${msg}`));
      this.menuRoot = tree.get(o.menu_root) ?? null;
      if (!this.menuRoot || this.menuRoot.type !== 'list')
        throw section.error('menu_root', `menu_root '${o.menu_root}' is not a menu list`);
    }
    // The controller's set-up goes in the MCU config (init commands, after the link's config).
    mcu.registerConfigCallback(() => this.driver.init());
    if (opts.live) this.startRefresh();
  }

  /** Registers the encoder and buttons; true when there is any key. */
  private setupKeys(section: ConfigSection, o: ReturnType<ConfigSection['read']> & Record<string, unknown>): boolean {
    const buttons = buttonsOf(this.printer);
    const reverse = o.menu_reverse_navigation as boolean;
    let any = false;
    const encoderPins = o.encoder_pins as string[] | undefined;
    if (encoderPins) {
      if (encoderPins.length !== 2)
        throw section.error('encoder_pins', `Option 'encoder_pins' in section '${section.name}' must name two pins`);
      const decoder = new EncoderDecoder(
        o.encoder_steps_per_detent as 2 | 4,
        (dir, fast) => this.turn(dir > 0 !== reverse ? 1 : -1, fast),
        o.encoder_fast_rate as number,
      );
      encoderPins.forEach((text, i) => {
        const pin = parsePin(text, { canInvert: true, canPullup: true }, (why) =>
          section.error('encoder_pins', `${why} for option 'encoder_pins' in section '${section.name}'`),
        );
        buttons.registerButton(section, 'encoder_pins', pin, (t, pressed) => decoder.pinChanged(i as 0 | 1, pressed, t));
      });
      any = true;
    }
    for (const k of ['click', 'back', 'up', 'down', 'kill'] as const) {
      const pin = o[`${k}_pin`] as PinDesc | undefined;
      if (!pin) continue;
      let key: MenuKey = k;
      if (reverse && (k === 'up' || k === 'down')) key = k === 'up' ? 'down' : 'up';
      const onChange: ButtonCallback = (_t, pressed) => pressed && this.key(key);
      const range = o[`analog_range_${k}_pin`] as [number, number] | undefined;
      // A pin with an analog range is one of several ADC buttons on that pin.
      if (range) registerAdcButton(this.printer, section, `${k}_pin`, pin, range, o.analog_pullup_resistor as number, onChange);
      else buttons.registerButton(section, `${k}_pin`, pin, onChange);
      any = true;
    }
    return any;
  }

  private startRefresh(): void {
    this.mcu.on('ready', () => {
      this.driver.invalidate();
      this.timer ??= setInterval(() => this.refresh(), DISPLAY_REFRESH_S * 1000);
      this.timer.unref?.();
      this.refresh();
    });
    const stop = () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
    };
    this.printer.on('printer:shutdown', stop);
    this.printer.on('printer:disconnect', stop);
  }

  /**
   * An encoder detent: +1 (clockwise, 'A leads') moves the cursor down a list and raises a value
   * being edited, as on a radio's volume knob.
   */
  turn(direction: 1 | -1, fast: boolean): void {
    const raise = this.menu?.editingItem ? direction > 0 : direction < 0;
    this.key(raise ? (fast ? 'fast_up' : 'up') : fast ? 'fast_down' : 'down');
  }

  /** A key from the encoder or a button (in an input being edited, up raises the value). */
  key(key: MenuKey): void {
    this.lastKeyS = performance.now() / 1000;
    if (key === 'kill') {
      this.gcode.run('M112').catch(() => undefined);
      return;
    }
    if (!this.menuRoot) return;
    if (!this.menu) {
      if (key !== 'click') return;
      this.menu = new MenuSession(this.menuRoot, {
        context: () => ({ printer: printerTree(this.printer) }),
        runGcode: (script) => void this.gcode.run(script).catch(() => undefined),
        listFiles: () => (this.printer.lookupObjectOrNull<VirtualSdcard>('virtual_sdcard')?.listFiles() ?? []).map((f) => f.name),
        reportError: (msg) => this.reportOnce(msg),
      });
    } else if (!this.menu.key(key)) this.menu = null;
    if (this.timer) this.refresh();
  }

  get menuOpen(): boolean {
    return this.menu !== null;
  }

  private reportOnce(msg: string): void {
    if (this.reportedErrors.has(msg)) return;
    this.reportedErrors.add(msg);
    this.gcode.respondError(`display ${this.name}: ${msg}`);
  }

  /** Draws the screen into the framebuffer (no sending). */
  draw(): void {
    if (this.menu && this.menuTimeoutS > 0 && performance.now() / 1000 - this.lastKeyS > this.menuTimeoutS) this.menu = null;
    this.driver.clear();
    if (this.menu) this.menu.draw(this.driver);
    else {
      for (const e of renderGroup(this.driver, this.assets, this.group, { printer: printerTree(this.printer) })) this.reportOnce(e);
    }
  }

  /** Draws and sends the changes (live printers, twice a second). */
  refresh(): void {
    if (this.mcu.isShutdown()) return;
    // A timer callback: an error here must not take the host down, only be reported (once).
    try {
      this.draw();
      this.driver.flush();
    } catch (e) {
      this.reportOnce(`refresh failed: ${(e as Error).message}`);
    }
  }

  getStatus(): Record<string, unknown> {
    return { group: this.group, menu_open: this.menu !== null, lines: this.driver.textRows() };
  }
}

/** Every display by name, with SET_DISPLAY_GROUP registered once. */
export function addDisplay(printer: Printer, gcode: GCodeDispatcher, display: PrinterDisplay): void {
  let all = printer.lookupObjectOrNull<Map<string, PrinterDisplay>>('displays');
  if (!all) {
    const displays = new Map<string, PrinterDisplay>();
    all = displays;
    printer.addObject('displays', displays);
    gcode.register(
      'SET_DISPLAY_GROUP',
      (c) => {
        const name = c.get('DISPLAY', 'display');
        const d = displays.get(name);
        if (!d) throw c.error(`Unknown display '${name}' (displays: ${[...displays.keys()].join(', ')})`);
        const group = c.get('GROUP');
        if (!displayAssetsOf(printer).groups.has(group)) throw c.error(`Unknown display_data group '${group}'`);
        d.group = group;
      },
      {
        help: 'Set the display_data group a display shows',
        params: { DISPLAY: 'display name (default: display)', GROUP: 'display_data group' },
      },
    );
  }
  all.set(display.name, display);
  printer.addObject(display.name === 'display' ? 'display' : `display ${display.name}`, display);
}
