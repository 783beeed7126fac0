// [bltouch]: a Z probe whose pin a servo signal lowers and raises (Klipper's [bltouch]). It is a
// [probe] (PrinterProbe: PROBE, QUERY_PROBE, probe:z_virtual_endstop, the bed tools) whose
// deploy/stow are servo pulses on control_pin, with the switch on sensor_pin. Before a descent it
// lowers the pin and checks the sensor reads open (one reset and retry, then "BLTouch failed to
// deploy"); after, it raises the pin and checks the sensor reads open again (pin_up_reports_not_triggered).
// BLTOUCH_DEBUG sends one signal, BLTOUCH_STORE stores an output mode.
import { ConfigError } from '../config/errors';
import type { ConfigSection } from '../config/section';
import { GCodeError, type GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import { McuEndstop } from '../mcu/endstop';
import type { Toolhead } from '../motion/index';
import type { Printer } from '../printer';
import { BLTOUCH_OPTIONS } from './bltouch-options';
import { mcuForPin } from './mcu';
import { McuOutputPwm } from './output-pwm';
import type { PinRegistry } from './pins';
import { PROBE_OBJECT } from './probe-api';
import { PrinterProbe, type ProbeHardware } from './probe';

/** The servo signal's period (s): a pulse every 20 ms. */
export const SERVO_CYCLE_S = 0.02;
/** Pulse widths (s) of the BLTouch signals (the BLTouch protocol). */
export const BLTOUCH_PULSE_S = {
  pin_down: 0.00065,
  touch_mode: 0.001162,
  pin_up: 0.001475,
  self_test: 0.00178,
  reset: 0.00219,
  set_5V_output_mode: 0.001988,
  set_OD_output_mode: 0.002091,
  output_mode_store: 0.001802,
} as const;
export type BLTouchSignal = keyof typeof BLTOUCH_PULSE_S;

/** How long (s) a mode signal is held: the BLTouch reads it within a few pulses. */
const MODE_SIGNAL_S = 0.1;
/** Raising the pin is retried this many times (with a reset before each) before giving up. */
const RAISE_ATTEMPTS = 3;
/** The touch-mode sensor test runs at most this often (s of print time): it costs a pin move. */
const SENSOR_TEST_INTERVAL_S = 5 * 60;

/**
 * What the BLTouch logic needs from the machine: the servo, the sensor and time. The printer's
 * is ServoLink over the MCU; tests drive the sequence through their own.
 */
export interface BLTouchLink {
  /** Holds `signal` on the servo wire for `durationS`, then the signal stops (the pin stays). */
  signal(signal: BLTouchSignal, durationS: number): void;
  /** The sensor after everything queued so far. */
  sensorTriggered(): Promise<boolean>;
  /** Print time (s) of the end of everything queued. */
  printTimeS(): number;
  respondInfo(msg: string): void;
}

export interface BLTouchSettings {
  pinMoveTimeS: number;
  probeWithTouchMode: boolean;
  pinUpReportsNotTriggered: boolean;
  pinUpTouchModeReportsTriggered: boolean;
}

/** The deploy/verify/stow sequence (Klipper's bltouch behaviour), apart from the MCU. */
export class BLTouchSequence {
  /** The pin is (believed) down: homing on the virtual endstop lowers it only if not. */
  deployed = false;
  private nextSensorTestS = -Infinity;

  constructor(
    private readonly link: BLTouchLink,
    private readonly s: BLTouchSettings,
  ) {}

  /** Lowers the pin and checks the sensor is open (reset and one retry first). */
  async deploy(): Promise<void> {
    await this.testSensor();
    for (let attempt = 0; ; attempt++) {
      this.lower();
      if (!(await this.link.sensorTriggered())) break;
      if (attempt >= 1) {
        this.raiseQuietly();
        throw new GCodeError('BLTouch failed to deploy');
      }
      this.link.respondInfo('BLTouch reads triggered after deploying; resetting and retrying.');
      this.link.signal('reset', this.s.pinMoveTimeS);
    }
    this.deployed = true;
  }

  /** Servo signals only: lower the pin (and touch mode) and wait for it. */
  lower(): void {
    if (this.s.probeWithTouchMode) {
      this.link.signal('pin_down', this.s.pinMoveTimeS);
      this.link.signal('touch_mode', MODE_SIGNAL_S);
    } else {
      this.link.signal('pin_down', this.s.pinMoveTimeS);
    }
  }

  /** Raises the pin and (pin_up_reports_not_triggered) checks the sensor reads open. */
  async stow(): Promise<void> {
    this.deployed = false;
    for (let attempt = 1; ; attempt++) {
      this.link.signal('pin_up', this.s.pinMoveTimeS);
      if (!this.s.pinUpReportsNotTriggered || !(await this.link.sensorTriggered())) return;
      if (attempt >= RAISE_ATTEMPTS)
        throw new GCodeError('BLTouch failed to raise probe (the sensor still reads triggered with the pin up)');
      this.link.respondInfo('Failed to verify BLTouch probe is raised; retrying.');
      this.link.signal('reset', this.s.pinMoveTimeS);
    }
  }

  raiseQuietly(): void {
    this.deployed = false;
    this.link.signal('pin_up', this.s.pinMoveTimeS);
  }

  /**
   * pin_up_touch_mode_reports_triggered: with the pin up, touch mode reads triggered on a
   * working BLTouch; open means its sensor or wiring is broken.
   */
  private async testSensor(): Promise<void> {
    if (!this.s.pinUpTouchModeReportsTriggered || this.link.printTimeS() < this.nextSensorTestS) return;
    this.link.signal('pin_up', this.s.pinMoveTimeS);
    this.link.signal('touch_mode', MODE_SIGNAL_S);
    const triggered = await this.link.sensorTriggered();
    this.link.signal('pin_up', MODE_SIGNAL_S);
    if (!triggered) {
      throw new GCodeError(
        'BLTouch failed to verify sensor state (touch mode with the pin up should read triggered; check the sensor wire and pin_up_touch_mode_reports_triggered)',
      );
    }
    this.nextSensorTestS = this.link.printTimeS() + SENSOR_TEST_INTERVAL_S;
  }

  /** BLTOUCH_STORE: write 5V or OD output mode into the BLTouch's memory. */
  storeOutputMode(mode: '5V' | 'OD'): void {
    this.link.signal('pin_down', this.s.pinMoveTimeS);
    this.link.signal('output_mode_store', MODE_SIGNAL_S);
    this.link.signal(`set_${mode}_output_mode`, MODE_SIGNAL_S);
    this.raiseQuietly();
  }
}

/** The servo signal on control_pin and the sensor, scheduled on the toolhead's print time. */
class ServoLink implements BLTouchLink {
  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    private readonly servo: McuOutputPwm,
    private readonly sensor: McuEndstop,
  ) {}

  private toolhead(): Toolhead {
    return this.printer.lookupObject<Toolhead>('toolhead');
  }

  signal(signal: BLTouchSignal, durationS: number): void {
    const th = this.toolhead();
    const t = th.getLastMoveTime();
    this.servo.setValue(t, BLTOUCH_PULSE_S[signal] / SERVO_CYCLE_S);
    this.servo.setValue(t + durationS, 0);
    th.dwell(durationS);
  }

  sensorTriggered(): Promise<boolean> {
    return this.sensor.queryTriggered(this.toolhead().getLastMoveTime());
  }

  printTimeS(): number {
    return this.toolhead().getLastMoveTime();
  }

  respondInfo(msg: string): void {
    this.gcode.respondInfo(msg);
  }
}

/**
 * The sensor as probe:z_virtual_endstop: G28 Z lowers the pin before the homing move (arming
 * the switch once the pin is down) and raises it after, unless a probe session has it down.
 */
class BLTouchEndstop extends McuEndstop {
  seq: BLTouchSequence | null = null;
  pinMoveTimeS = 0;
  private loweredForHoming = false;

  override homeStart(printTimeS: number, restTimeS: number, triggered = true): Promise<number> {
    if (this.seq && !this.seq.deployed) {
      // homingMove asks at the toolhead's last move time: the pulse goes there, the pin's
      // travel is dwelt, and the switch is armed once the pin is down.
      this.seq.lower();
      this.loweredForHoming = true;
      printTimeS += this.pinMoveTimeS;
    }
    return super.homeStart(printTimeS, restTimeS, triggered);
  }

  override async homeWait(homeEndPrintTimeS: number, onStopped: () => Promise<void>, giveUp: Promise<string>): Promise<number> {
    try {
      return await super.homeWait(homeEndPrintTimeS, onStopped, giveUp);
    } finally {
      if (this.loweredForHoming) {
        this.loweredForHoming = false;
        this.seq?.raiseQuietly();
      }
    }
  }
}

export class BLTouch extends PrinterProbe {
  readonly seq: BLTouchSequence;
  readonly servo: McuOutputPwm;
  private readonly link: ServoLink;
  private readonly pinMoveTimeS: number;

  constructor(printer: Printer, gcode: GCodeDispatcher, section: ConfigSection) {
    if (printer.lookupObjectOrNull(PROBE_OBJECT)) {
      throw new ConfigError(`[${section.name}] and [probe] are both in printer.cfg: a BLTouch is the printer's probe, remove one of them`);
    }
    const o = section.read(BLTOUCH_OPTIONS);
    const pins = printer.lookupObject<PinRegistry>('pins');
    pins.claim(o.sensor_pin, `[${section.name}] sensor_pin`, section.placeOf('sensor_pin'));
    pins.claim(o.control_pin, `[${section.name}] control_pin`, section.placeOf('control_pin'));
    const sensorMcu = mcuForPin(printer, o.sensor_pin, section, 'sensor_pin');
    const endstop = new BLTouchEndstop(sensorMcu, o.sensor_pin.pin, o.sensor_pin.invert, o.sensor_pin.pullup);
    const servo = new McuOutputPwm(mcuForPin(printer, o.control_pin, section, 'control_pin'), {
      pin: o.control_pin,
      cycleTimeS: SERVO_CYCLE_S,
      startValue: 0,
      shutdownValue: 0,
    });
    const link = new ServoLink(printer, gcode, servo, endstop);
    const seq = new BLTouchSequence(link, {
      pinMoveTimeS: o.pin_move_time,
      probeWithTouchMode: o.probe_with_touch_mode,
      pinUpReportsNotTriggered: o.pin_up_reports_not_triggered,
      pinUpTouchModeReportsTriggered: o.pin_up_touch_mode_reports_triggered,
    });
    endstop.seq = seq;
    endstop.pinMoveTimeS = o.pin_move_time;
    const hardware: ProbeHardware = {
      endstop,
      stowOnEachSample: o.stow_on_each_sample,
      deploy: () => seq.deploy(),
      stow: () => seq.stow(),
    };
    super(printer, gcode, section, hardware);
    this.seq = seq;
    this.servo = servo;
    this.link = link;
    this.pinMoveTimeS = o.pin_move_time;
    printer.on('printer:ready', () => void this.atReady(o.set_output_mode as '5V' | 'OD' | undefined));
    gcode.register('BLTOUCH_DEBUG', (c) => this.cmdDebug(c), {
      help: 'Send a command to the bltouch for debugging',
      params: { COMMAND: Object.keys(BLTOUCH_PULSE_S).join('|') },
    });
    gcode.register('BLTOUCH_STORE', (c) => this.cmdStore(c), {
      help: 'Store an output mode in the BLTouch EEPROM',
      params: { MODE: '5V|OD' },
    });
  }

  /** Start-up: store the configured output mode, then make sure the pin is up. */
  private async atReady(mode: '5V' | 'OD' | undefined): Promise<void> {
    try {
      if (mode) this.seq.storeOutputMode(mode);
      await this.seq.stow();
    } catch (e) {
      this.link.respondInfo(`BLTouch raise probe error: ${(e as Error).message}`);
    }
  }

  private cmdDebug(cmd: GCodeCommand): void {
    const name = cmd.get('COMMAND', '');
    if (!(name in BLTOUCH_PULSE_S)) {
      this.link.respondInfo(`BLTOUCH_DEBUG COMMAND= takes one of: ${Object.keys(BLTOUCH_PULSE_S).join(', ')}`);
      return;
    }
    this.link.respondInfo(`Sending BLTOUCH_DEBUG COMMAND=${name}`);
    const signal = name as BLTouchSignal;
    const move = signal === 'pin_down' || signal === 'pin_up' || signal === 'reset';
    this.seq.deployed = signal === 'pin_down' || (signal === 'touch_mode' && this.seq.deployed);
    this.link.signal(signal, move ? this.pinMoveTimeS : MODE_SIGNAL_S);
  }

  private cmdStore(cmd: GCodeCommand): void {
    const mode = cmd.get('MODE', '').toUpperCase();
    if (mode !== '5V' && mode !== 'OD') throw cmd.error('BLTOUCH_STORE MODE= must be 5V or OD');
    this.link.respondInfo(`Storing BLTouch output mode: ${mode}`);
    this.seq.storeOutputMode(mode === '5V' ? '5V' : 'OD');
  }
}
