// The 'buttons' object: input pins watched by the MCU (firmware/core/buttons.c). Sections that
// react to a switch ([filament_switch_sensor], [gcode_button]) register a pin and a callback;
// pins are grouped per MCU, up to 8 a group (one state byte). The MCU polls every 2 ms, reports
// each debounced change in buttons_state and resends until we ack, so presses are never lost;
// we ack each new report once and call back per pin that changed.
import type { PinDesc } from '../config/options';
import type { ConfigSection } from '../config/section';
import type { MessageParams } from '../mcu/codec';
import type { Mcu, McuCommand, ResponseMeta } from '../mcu/mcu';
import type { Printer } from '../printer';
import { mcuForPin } from './mcu';
import type { PinRegistry } from './pins';

/** Poll period and resend period (in polls), as Klipper's host asks. */
export const BUTTONS_QUERY_S = 0.002;
export const BUTTONS_RETRANSMIT_COUNT = 50;
const BUTTONS_PER_GROUP = 8;
/** Batch output: the first poll 1 s into print time, groups 10 ms apart by oid (Klipper's query slot). */
const FILE_FIRST_QUERY_S = 1.0;
const QUERY_SLOT_S = 0.01;
/** Live: the first poll this far after the MCU is ready (a loaded host must not make it "Timer too close"). */
const LIVE_FIRST_QUERY_S = 0.5;

/** Called with the host time the change arrived and the pin's new state (after its '!'). */
export type ButtonCallback = (eventTimeS: number, pressed: boolean) => void;

interface GroupPin {
  pin: PinDesc;
  callback: ButtonCallback;
}

/** One config_buttons object on one MCU. */
export class McuButtonGroup {
  readonly pins: GroupPin[] = [];
  private oid = -1;
  private ackCmd: McuCommand | null = null;
  /** Reports acknowledged so far (the MCU counts the same, mod 256). */
  ackCount = 0;
  /** The last state byte reported (bit i = pin i, after inversion). */
  lastState = 0;

  constructor(readonly mcu: Mcu) {
    mcu.registerConfigCallback(() => this.buildConfig());
  }

  private invertMask(): number {
    return this.pins.reduce((m, p, i) => m | (p.pin.invert ? 1 << i : 0), 0);
  }

  private buildConfig(): void {
    const mcu = this.mcu;
    this.oid = mcu.createOid();
    mcu.addConfigCmd(`config_buttons oid=${this.oid} button_count=${this.pins.length}`);
    this.pins.forEach((p, i) =>
      mcu.addConfigCmd(`buttons_add oid=${this.oid} pos=${i} pin=${p.pin.pin} pull_up=${p.pin.pullup}`, { isInit: true }),
    );
    this.ackCmd = mcu.lookupCommand('buttons_ack oid=%c count=%c', mcu.allocCommandQueue());
    mcu.registerResponse((params, meta) => this.onState(params, meta), 'buttons_state', this.oid);
    const restTicks = mcu.secondsToClock(BUTTONS_QUERY_S);
    const slotTicks = mcu.secondsToClock(this.oid * QUERY_SLOT_S);
    const query = (clock: number) =>
      `buttons_query oid=${this.oid} clock=${clock} rest_ticks=${restTicks} retransmit_count=${BUTTONS_RETRANSMIT_COUNT} invert=${this.invertMask()}`;
    if (mcu.isFileOutput()) {
      mcu.addConfigCmd(query(mcu.printTimeToClock(FILE_FIRST_QUERY_S) + slotTicks), { isInit: true });
      return;
    }
    // Live: start polling once the MCU is ready; the MCU starts a new ack count with each query.
    mcu.on('ready', () => {
      this.ackCount = 0;
      this.lastState = 0;
      const clock = mcu.getClockAt(mcu.monotonic() + LIVE_FIRST_QUERY_S) + slotTicks;
      const cmd = mcu.lookupCommand('buttons_query oid=%c clock=%u rest_ticks=%u retransmit_count=%c invert=%c');
      cmd.send([this.oid, clock >>> 0, restTicks, BUTTONS_RETRANSMIT_COUNT, this.invertMask()]);
    });
  }

  /**
   * buttons_state carries the reports not acked yet, the first one numbered ack_count. Reports
   * we already took are dropped by their number; the new ones are acked and delivered in order.
   */
  onState(params: MessageParams, meta: Pick<ResponseMeta, 'receiveTimeS'>): void {
    const state = params.state as Uint8Array;
    let diff = ((params.ack_count as number) - this.ackCount) & 0xff;
    if (diff & 0x80) diff -= 0x100;
    const newCount = diff + state.length;
    if (newCount <= 0) return;
    const fresh = state.subarray(Math.max(0, state.length - newCount));
    this.ackCmd?.send([this.oid, fresh.length]);
    this.ackCount += fresh.length;
    for (const s of fresh) {
      const changed = s ^ this.lastState;
      this.lastState = s;
      this.pins.forEach((p, i) => {
        if (changed & (1 << i)) p.callback(meta.receiveTimeS, (s & (1 << i)) !== 0);
      });
    }
  }
}

/** 'buttons': hands out MCU button groups to the sections that watch input pins. */
export class PrinterButtons {
  readonly groups: McuButtonGroup[] = [];

  constructor(private readonly printer: Printer) {}

  /** Watches `pin` (claimed for `section`'s `option`); `callback` gets every change. */
  registerButton(section: ConfigSection, option: string, pin: PinDesc, callback: ButtonCallback): void {
    this.printer.lookupObject<PinRegistry>('pins').claim(pin, `[${section.name}] ${option}`, section.placeOf(option));
    const mcu = mcuForPin(this.printer, pin, section, option);
    let group = this.groups.find((g) => g.mcu === mcu && g.pins.length < BUTTONS_PER_GROUP);
    if (!group) {
      group = new McuButtonGroup(mcu);
      this.groups.push(group);
    }
    group.pins.push({ pin, callback });
  }
}

/** The printer's 'buttons' object, created by the first section that needs one. */
export function buttonsOf(printer: Printer): PrinterButtons {
  let b = printer.lookupObjectOrNull<PrinterButtons>('buttons');
  if (!b) {
    b = new PrinterButtons(printer);
    printer.addObject('buttons', b);
  }
  return b;
}

/**
 * A callback that only hears a state held for `delayS` (0: every change at once). The state
 * delivered is the latest one when the delay ends, and only if it differs from the last delivered.
 */
export function debounceButton(delayS: number, callback: ButtonCallback): ButtonCallback {
  if (delayS <= 0) return callback;
  let timer: NodeJS.Timeout | null = null;
  let latest = false;
  let delivered: boolean | null = null;
  return (eventTimeS, pressed) => {
    latest = pressed;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      if (latest === delivered) return;
      delivered = latest;
      callback(eventTimeS + delayS, latest);
    }, delayS * 1000);
    timer.unref?.();
  };
}
