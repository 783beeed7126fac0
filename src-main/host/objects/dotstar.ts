// [dotstar NAME]: a chain of APA102-style LEDs on a data and a clock pin, driven by the MCU's
// software SPI (config_spi_without_cs, spi_set_sw_bus, spi_send) at 500 kHz, mode 0, as
// Klipper does. A frame is a 32-bit zero start frame, one 32-bit frame per LED (0xff: full
// global brightness, then blue, green, red) and an end frame of ones that clocks the last
// LEDs' data through the chain (one bit per two LEDs).
import type { ConfigSection } from '../config/section';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Mcu, McuCommand } from '../mcu/mcu';
import type { Printer } from '../printer';
import { addLedHelper, type LedColor, type LedHelper } from './led';
import { DOTSTAR_OPTIONS } from './led-options';
import { mcuForPin } from './mcu';
import type { PinRegistry } from './pins';

export const DOTSTAR_SPI_HZ = 500_000;
/** Bytes per spi_send (the MCU's buffer is 64; a message must fit one block). */
const SEND_MAX_BYTES = 32;

/** The whole SPI frame for these colours (0..1 each; white has no APA102 channel). */
export function dotstarFrame(colors: readonly LedColor[]): Uint8Array {
  const byte = (v: number) => Math.floor(v * 255 + 0.5);
  const endBytes = Math.max(4, Math.ceil(colors.length / 16));
  const out = new Uint8Array(4 + colors.length * 4 + endBytes);
  colors.forEach(([r, g, b], i) => out.set([0xff, byte(b), byte(g), byte(r)], 4 + i * 4));
  out.fill(0xff, 4 + colors.length * 4);
  return out;
}

export class Dotstar {
  readonly helper: LedHelper;
  private readonly mcu: Mcu;
  private readonly oid: number;
  private sendCmd: McuCommand | null = null;

  constructor(printer: Printer, gcode: GCodeDispatcher, section: ConfigSection) {
    const o = section.read(DOTSTAR_OPTIONS);
    if (o.data_pin.chip !== o.clock_pin.chip) throw section.error('clock_pin', 'Dotstar pins must be on same mcu');
    const pins = printer.lookupObject<PinRegistry>('pins');
    pins.claim(o.data_pin, `[${section.name}] data_pin`, section.placeOf('data_pin'));
    pins.claim(o.clock_pin, `[${section.name}] clock_pin`, section.placeOf('clock_pin'));
    const mcu = (this.mcu = mcuForPin(printer, o.data_pin, section, 'data_pin'));
    this.oid = mcu.createOid();
    mcu.registerConfigCallback(() => {
      // Half a clock period per level. MISO is the data pin too (Klipper's choice: the chain
      // answers nothing, and it needs no third pin).
      const pulseTicks = Math.max(1, Math.round(mcu.getConstantFloat('CLOCK_FREQ') / DOTSTAR_SPI_HZ / 2));
      mcu.addConfigCmd(`config_spi_without_cs oid=${this.oid}`);
      mcu.addConfigCmd(
        `spi_set_sw_bus oid=${this.oid} miso_pin=${o.data_pin.pin} mosi_pin=${o.data_pin.pin} sclk_pin=${o.clock_pin.pin} mode=0 pulse_ticks=${pulseTicks}`,
      );
      this.sendCmd = mcu.lookupCommand('spi_send oid=%c data=%*s', mcu.allocCommandQueue());
    });
    this.helper = addLedHelper(printer, gcode, section, o.chain_count, (colors, t) => this.send(colors, t));
    printer.on('printer:ready', () => this.send(this.helper.colors, null));
  }

  private send(colors: readonly LedColor[], printTimeS: number | null): void {
    const cmd = this.sendCmd;
    if (!cmd || this.mcu.isShutdown()) return;
    const frame = dotstarFrame(colors);
    const minClock = printTimeS === null ? 0 : this.mcu.printTimeToClock(printTimeS);
    const reqClock = Math.max(minClock, this.mcu.backgroundReqClock());
    // No chip select: the chunks join into one continuous bit stream.
    for (let i = 0; i < frame.length; i += SEND_MAX_BYTES)
      cmd.send([this.oid, frame.subarray(i, i + SEND_MAX_BYTES)], { minClock, reqClock });
  }

  getStatus(): Record<string, unknown> {
    return this.helper.getStatus();
  }
}
