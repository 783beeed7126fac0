// [neopixel NAME]: a chain of WS2812-style LEDs on one data pin (firmware/core/neopixel.c).
// The host keeps the chain's bytes in the order the LEDs expect (color_order: GRB by default,
// RGBW/GRBW for 4-channel LEDs, or one order per LED), sends only the runs of bytes that changed
// (neopixel_update) and then asks the MCU to shift the whole frame out (neopixel_send), at the
// print time of the change. The MCU answers whether the bit timing held; a failed send is
// retried, up to 8 attempts as Klipper does.
import type { ConfigSection } from '../config/section';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Mcu, McuCommand, McuQueryCommand } from '../mcu/mcu';
import type { Printer } from '../printer';
import { addLedHelper, type LedColor, type LedHelper } from './led';
import { NEOPIXEL_OPTIONS } from './led-options';
import { mcuForPin } from './mcu';
import type { PinRegistry } from './pins';

/** Klipper's limits: the longest gap between bits, the latch time, the largest frame. */
export const NEOPIXEL_BIT_MAX_S = 4e-6;
export const NEOPIXEL_RESET_MIN_S = 50e-6;
export const NEOPIXEL_MAX_BYTES = 500;
const SEND_ATTEMPTS = 8;
/** Bytes per neopixel_update (a message must fit one 64-byte block). */
const UPDATE_MAX_BYTES = 32;
/** Unchanged bytes between two changed runs that are cheaper to resend than a second message. */
const UPDATE_MERGE_GAP = 5;

/** Per byte of the frame: which LED (0-based) and channel (0 red, 1 green, 2 blue, 3 white) it carries. */
export type NeopixelByteMap = { led: number; channel: number }[];

/**
 * The frame layout from color_order: one order for every LED, or one per LED. Throws `fail(why)`
 * with Klipper's messages.
 */
export function neopixelByteMap(colorOrder: readonly string[], chainCount: number, fail: (why: string) => Error): NeopixelByteMap {
  const orders = colorOrder.length === 1 ? Array<string>(chainCount).fill(colorOrder[0]) : [...colorOrder];
  if (orders.length !== chainCount) throw fail(`color_order does not match chain_count (${orders.length} orders for ${chainCount} LEDs)`);
  const map: NeopixelByteMap = [];
  orders.forEach((order, led) => {
    const sorted = [...order].sort().join('');
    if (sorted !== 'BGR' && sorted !== 'BGRW')
      throw fail(`Invalid color_order '${order}' (R, G, B and optionally W, each once: GRB, RGB, GRBW, ...)`);
    for (const ch of order) map.push({ led, channel: 'RGBW'.indexOf(ch) });
  });
  if (map.length > NEOPIXEL_MAX_BYTES) throw fail(`neopixel chain too long (${map.length} bytes, at most ${NEOPIXEL_MAX_BYTES})`);
  return map;
}

/** The frame bytes for these colours (0..1 -> 0..255, rounded). */
export function packNeopixelFrame(map: NeopixelByteMap, colors: readonly LedColor[]): Uint8Array {
  const out = new Uint8Array(map.length);
  map.forEach(({ led, channel }, i) => (out[i] = Math.floor(colors[led][channel] * 255 + 0.5)));
  return out;
}

/** Runs [pos, count] of bytes that differ, close runs merged, none longer than UPDATE_MAX_BYTES. */
export function changedRuns(before: Uint8Array, after: Uint8Array): [pos: number, count: number][] {
  const runs: [number, number][] = [];
  for (let i = 0; i < after.length; i++) {
    if (before[i] === after[i]) continue;
    const last = runs[runs.length - 1];
    if (last && i - (last[0] + last[1]) <= UPDATE_MERGE_GAP && i + 1 - last[0] <= UPDATE_MAX_BYTES) last[1] = i + 1 - last[0];
    else runs.push([i, 1]);
  }
  return runs;
}

export class Neopixel {
  readonly helper: LedHelper;
  private readonly map: NeopixelByteMap;
  private readonly mcu: Mcu;
  private readonly oid: number;
  private frame: Uint8Array;
  private sent: Uint8Array;
  private updateCmd: McuCommand | null = null;
  private sendCmd: McuQueryCommand | null = null;
  private chain: Promise<void> = Promise.resolve();
  /** Frames the MCU could not send in SEND_ATTEMPTS tries (bad timing every time). */
  failedFrames = 0;

  constructor(printer: Printer, gcode: GCodeDispatcher, section: ConfigSection) {
    const o = section.read(NEOPIXEL_OPTIONS);
    this.map = neopixelByteMap(o.color_order, o.chain_count, (why) => section.error('color_order', why));
    printer.lookupObject<PinRegistry>('pins').claim(o.pin, `[${section.name}] pin`, section.placeOf('pin'));
    const mcu = (this.mcu = mcuForPin(printer, o.pin, section, 'pin'));
    this.oid = mcu.createOid();
    this.helper = addLedHelper(printer, gcode, section, o.chain_count, (colors, t) => this.update(colors, t));
    this.frame = packNeopixelFrame(this.map, this.helper.colors);
    this.sent = this.frame.map((b) => b ^ 1); // every byte differs: the first send writes them all
    mcu.registerConfigCallback(() => {
      const bitMax = mcu.secondsToClock(NEOPIXEL_BIT_MAX_S);
      const resetMin = mcu.secondsToClock(NEOPIXEL_RESET_MIN_S);
      mcu.addConfigCmd(
        `config_neopixel oid=${this.oid} pin=${o.pin.pin} data_size=${this.map.length} bit_max_ticks=${bitMax} reset_min_ticks=${resetMin}`,
      );
      const cq = mcu.allocCommandQueue();
      this.updateCmd = mcu.lookupCommand('neopixel_update oid=%c pos=%hu data=%*s', cq);
      this.sendCmd = mcu.lookupQueryCommand('neopixel_send oid=%c', 'neopixel_result oid=%c success=%c', this.oid, cq);
    });
    // The initial colours once the MCU is configured (again after each restart).
    printer.on('printer:ready', () => {
      this.sent = this.frame.map((b) => b ^ 1);
      this.queueSend(this.frame, null);
    });
  }

  private update(colors: readonly LedColor[], printTimeS: number | null): void {
    this.frame = packNeopixelFrame(this.map, colors);
    this.queueSend(this.frame, printTimeS);
  }

  /** One frame at a time, each as it was when the colours changed: a send waits for the previous one's answers. */
  private queueSend(frame: Uint8Array, printTimeS: number | null): void {
    this.chain = this.chain.then(() => this.send(frame, printTimeS)).catch(() => undefined);
  }

  private async send(frame: Uint8Array, printTimeS: number | null): Promise<void> {
    const update = this.updateCmd;
    const send = this.sendCmd;
    if (!update || !send || this.mcu.isShutdown()) return;
    const runs = changedRuns(this.sent, frame);
    if (!runs.length) return;
    for (const [pos, count] of runs) update.send([this.oid, pos, frame.subarray(pos, pos + count)], { background: true });
    this.sent = frame;
    if (this.mcu.isFileOutput()) return; // batch output has no replies to wait for
    const minClock = printTimeS === null ? 0 : this.mcu.printTimeToClock(printTimeS);
    const reqClock = Math.max(minClock, this.mcu.backgroundReqClock());
    for (let i = 0; i < SEND_ATTEMPTS; i++) {
      const r = await send.send([this.oid], { minClock, reqClock });
      if (r.success) return;
    }
    this.failedFrames++;
  }

  getStatus(): Record<string, unknown> {
    return this.helper.getStatus();
  }
}
