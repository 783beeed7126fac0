// [pca9533 NAME] and [pca9632 NAME]: I2C LED driver chips (one RGBW LED each), set by SET_LED
// like any LED. PCA9533: each channel off, on, or one of two blink/PWM registers set to 1/3
// and 2/3 brightness (register LS0 picks per channel), so a colour is quantised to 4 levels as
// Klipper does. PCA9632: one 8-bit PWM register per channel (in color_order), LEDOUT switching
// the lit channels to PWM. Registers are written with i2c_transfer (read_len 0); unchanged
// PCA9632 registers are not written again.
import type { ConfigSection } from '../config/section';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Mcu, McuCommand } from '../mcu/mcu';
import type { Printer } from '../printer';
import { addLedHelper, type LedColor } from './led';
import { LED_INITIAL_OPTIONS, PCA_I2C_OPTIONS, PCA9632_OPTIONS } from './led-options';
import type { PinRegistry } from './pins';
import { addI2cBusConfig } from './i2c-bus';

const PCA9533_PWM0 = 0x02;
const PCA9533_PWM1 = 0x04;
const PCA9533_LS0 = 0x05;
const PCA9632_MODE1 = 0x00;
const PCA9632_MODE2 = 0x01;
const PCA9632_PWM0 = 0x02;
const PCA9632_LEDOUT = 0x08;

/** PCA9533's LS0 for a colour: per channel (red = bits 0-1 ... white = bits 6-7) 0 off, 2 PWM0 (1/3), 3 PWM1 (2/3), 1 on. */
export function pca9533Ls0(color: LedColor): number {
  const level = [0, 2, 3, 1, 1];
  return color.reduce((ls0, v, i) => ls0 | (level[Math.floor(v * 4)] << (2 * i)), 0);
}

/** PCA9632's PWM0..PWM3 and LEDOUT for a colour; `map[k]` = the channel (0 red .. 3 white) output k drives. */
export function pca9632Registers(color: LedColor, map: readonly number[]): { pwm: number[]; ledout: number } {
  const pwm = map.map((ch) => Math.floor(color[ch] * 255 + 0.5));
  return { pwm, ledout: pwm.reduce((out, v, k) => out | (v ? 0x02 << (2 * k) : 0), 0) };
}

/** One I2C device's register writes (config_i2c + i2c_set_bus / i2c_set_sw_bus, i2c_transfer). */
class I2cRegisters {
  private readonly oid: number;
  private cmd: McuCommand | null = null;

  constructor(
    readonly mcu: Mcu,
    section: ConfigSection,
    o: { i2c_address: number; i2c_bus?: string; i2c_speed: number },
    software: { scl: { pin: string }; sda: { pin: string } } | null,
  ) {
    this.oid = mcu.createOid();
    mcu.registerConfigCallback(() => {
      addI2cBusConfig(mcu, section, this.oid, { address: o.i2c_address, speedHz: o.i2c_speed, bus: o.i2c_bus, software });
      this.cmd = mcu.lookupCommand('i2c_transfer oid=%c write=%*s read_len=%u', mcu.allocCommandQueue());
    });
  }

  write(reg: number, value: number, printTimeS: number | null): void {
    if (!this.cmd || this.mcu.isShutdown()) return;
    const minClock = printTimeS === null ? 0 : this.mcu.printTimeToClock(printTimeS);
    this.cmd.send([this.oid, Uint8Array.of(reg, value), 0], { minClock, reqClock: Math.max(minClock, this.mcu.backgroundReqClock()) });
  }
}

function i2cOf(printer: Printer, section: ConfigSection): I2cRegisters {
  const o = section.read(PCA_I2C_OPTIONS);
  const scl = o.i2c_software_scl_pin;
  const sda = o.i2c_software_sda_pin;
  if (!!scl !== !!sda)
    throw section.error('i2c_software_scl_pin', `[${section.name}] needs both i2c_software_scl_pin and i2c_software_sda_pin`);
  const mcu = printer.lookupObjectOrNull<Mcu>(o.i2c_mcu === 'mcu' ? 'mcu' : `mcu ${o.i2c_mcu}`);
  if (!mcu) throw section.error('i2c_mcu', `Unknown i2c_mcu '${o.i2c_mcu}' in section '${section.name}'`);
  const pins = printer.lookupObject<PinRegistry>('pins');
  if (scl && sda) {
    pins.claim(scl, `[${section.name}] i2c_software_scl_pin`, section.placeOf('i2c_software_scl_pin'));
    pins.claim(sda, `[${section.name}] i2c_software_sda_pin`, section.placeOf('i2c_software_sda_pin'));
  }
  return new I2cRegisters(mcu, section, o, scl && sda ? { scl, sda } : null);
}

export function loadPca9533(printer: Printer, gcode: GCodeDispatcher, section: ConfigSection): void {
  const i2c = i2cOf(printer, section);
  section.read(LED_INITIAL_OPTIONS);
  const helper = addLedHelper(printer, gcode, section, 1, (colors, t) => i2c.write(PCA9533_LS0, pca9533Ls0(colors[0]), t));
  printer.on('printer:ready', () => {
    i2c.write(PCA9533_PWM0, 85, null);
    i2c.write(PCA9533_PWM1, 170, null);
    i2c.write(PCA9533_LS0, pca9533Ls0(helper.colors[0]), null);
  });
}

export function loadPca9632(printer: Printer, gcode: GCodeDispatcher, section: ConfigSection): void {
  const order = section.read(PCA9632_OPTIONS).color_order;
  if ([...order].sort().join('') !== 'BGRW')
    throw section.error('color_order', `Invalid color_order '${order}' (R, G, B and W, each once)`);
  const map = [...order].map((c) => 'RGBW'.indexOf(c));
  const i2c = i2cOf(printer, section);
  let written = new Map<number, number>();
  const write = (reg: number, value: number, t: number | null) => {
    if (written.get(reg) === value) return;
    written.set(reg, value);
    i2c.write(reg, value, t);
  };
  const update = (color: LedColor, t: number | null) => {
    const r = pca9632Registers(color, map);
    r.pwm.forEach((v, k) => write(PCA9632_PWM0 + k, v, t));
    write(PCA9632_LEDOUT, r.ledout, t);
  };
  const helper = addLedHelper(printer, gcode, section, 1, (colors, t) => update(colors[0], t));
  printer.on('printer:ready', () => {
    written = new Map();
    write(PCA9632_MODE1, 0x00, null);
    write(PCA9632_MODE2, 0x15, null); // Klipper's value: outputs inverted (INVRT), totem pole (OUTDRV)
    update(helper.colors[0], null);
  });
}
