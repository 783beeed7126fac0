// Stepper driver enable pins (Klipper's stepper_enable, always present): a motor is enabled just
// before its first step and disabled by M84/M18/SET_STEPPER_ENABLE. Steppers may share a pin.
import type { PinDesc } from '../config/options';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Mcu } from '../mcu/mcu';
import type { Printer } from '../printer';

/** Klipper waits this long (s) around disabling motors so the last steps finish first. */
const DISABLE_STALL_TIME_S = 0.1;

interface ToolheadForEnable {
  dwell(delayS: number): void;
  flushStepGeneration(): void;
  getLastMoveTime(): number;
  kinematics: { clearHomingState(axes: string): void };
}

/** One enable pin (maybe shared by several steppers). */
class EnablePin {
  readonly oid: number;
  private send: ((clock: number, onTicks: number) => void) | null = null;
  private lastClock = 0;
  enabledCount = 0;

  constructor(
    readonly pin: PinDesc,
    readonly mcu: Mcu,
  ) {
    this.oid = mcu.createOid();
    mcu.registerConfigCallback(() => {
      const disabledLevel = pin.invert ? 1 : 0;
      mcu.addConfigCmd(
        `config_digital_out oid=${this.oid} pin=${pin.pin} value=${disabledLevel} default_value=${disabledLevel} max_duration=0`,
      );
      const cmd = mcu.lookupCommand('queue_digital_out oid=%c clock=%u on_ticks=%u', mcu.allocCommandQueue());
      // The MCU takes the low 32 bits of the 64-bit clock.
      this.send = (clock, onTicks) => cmd.send([this.oid, clock % 0x100000000, onTicks], { minClock: this.lastClock, reqClock: clock });
    });
  }

  set(clock: number, enabled: boolean): void {
    if (!this.send) throw new Error('Enable pin used before its MCU was configured');
    const c = Math.max(clock, this.lastClock);
    this.send(c, (enabled ? 1 : 0) ^ (this.pin.invert ? 1 : 0));
    this.lastClock = c;
  }
}

/** One stepper's enable line: tracks whether that motor is on. */
export class StepperEnableLine {
  isEnabled = false;
  /** Clock of the last disable: steps before it were planned before the disable (the step
   * compressor may hand them over later) and must not switch the driver back on. */
  private disabledAtClock = -1;
  /** `mcu` is the stepper's MCU: clocks passed in are its clocks (the enable pin may be elsewhere). */
  constructor(
    readonly stepperName: string,
    private readonly pin: EnablePin | null,
    readonly mcu: Mcu,
  ) {}

  /** The stepper MCU's clock at a print time (what motorEnable/motorDisable take). */
  clockAt(printTimeS: number): number {
    return Math.round(this.mcu.printTimeToClock(printTimeS));
  }

  /** A clock of the stepper's MCU on the enable pin's MCU (the same instant). */
  private pinClock(pin: EnablePin, clock: number): number {
    return pin.mcu === this.mcu ? clock : pin.mcu.printTimeToClock(this.mcu.clockToPrintTime(clock));
  }

  /** Before the first step of a run: switch the driver on shortly before that step. */
  motorEnable(firstStepClock: number): void {
    if (this.isEnabled || firstStepClock <= this.disabledAtClock) return;
    this.isEnabled = true;
    if (!this.pin) return;
    if (this.pin.enabledCount++ === 0) {
      const leadTicks = Math.round(this.mcu.secondsToClock(0.001));
      this.pin.set(this.pinClock(this.pin, Math.max(0, firstStepClock - leadTicks)), true);
    }
  }

  motorDisable(clock: number): void {
    if (!this.isEnabled) return;
    this.isEnabled = false;
    this.disabledAtClock = clock;
    if (!this.pin) return;
    if (--this.pin.enabledCount === 0) this.pin.set(this.pinClock(this.pin, clock), false);
  }
}

export class StepperEnable {
  private readonly lines = new Map<string, StepperEnableLine>();
  private readonly pins = new Map<string, EnablePin>();

  constructor(
    private readonly printer: Printer,
    gcode: GCodeDispatcher,
  ) {
    gcode.register('M84', () => this.motorsOff(), { help: 'Disable all stepper motors' });
    gcode.register('M18', () => this.motorsOff(), { help: 'Disable all stepper motors' });
    gcode.register('SET_STEPPER_ENABLE', (c) => this.cmdSetStepperEnable(c), {
      help: 'Enable or disable one stepper motor',
      params: { STEPPER: 'stepper name (stepper_x, extruder, ...)', ENABLE: '1 on, 0 off' },
    });
  }

  /** `mcu`: the stepper's MCU; `pinMcu`: the enable pin's (default the same). */
  addStepper(name: string, pin: PinDesc | null, mcu: Mcu, pinMcu: Mcu = mcu): StepperEnableLine {
    let shared: EnablePin | null = null;
    if (pin) {
      const key = `${pin.chip}:${pin.pin}`;
      shared = this.pins.get(key) ?? null;
      if (!shared) {
        shared = new EnablePin(pin, pinMcu);
        this.pins.set(key, shared);
      }
    }
    const line = new StepperEnableLine(name, shared, mcu);
    this.lines.set(name, line);
    return line;
  }

  /** That stepper's enable line (FORCE_MOVE switches it on for its move), or null. */
  lookupLine(name: string): StepperEnableLine | null {
    return this.lines.get(name) ?? null;
  }

  stepperNames(): string[] {
    return [...this.lines.keys()];
  }

  /** Whether that stepper's driver is on (controller_fan, status). */
  isEnabled(name: string): boolean {
    return this.lines.get(name)?.isEnabled ?? false;
  }

  /** Klipper's stepper_enable status: each stepper's enable state. */
  getStatus(): Record<string, unknown> {
    return { steppers: Object.fromEntries([...this.lines].map(([n, l]) => [n, l.isEnabled])) };
  }

  private toolhead(): ToolheadForEnable {
    return this.printer.lookupObject<ToolheadForEnable>('toolhead');
  }


  /** M84 (also after a failed G28): every motor off, homing forgotten. */
  motorsOff(): void {
    const th = this.toolhead();
    th.dwell(DISABLE_STALL_TIME_S);
    // Drivers are switched on by their first step as it reaches the MCU queue; send every
    // planned step now so each motor's on/off state is known before it is switched off.
    th.flushStepGeneration();
    const printTimeS = th.getLastMoveTime();
    for (const line of this.lines.values()) line.motorDisable(line.clockAt(printTimeS));
    th.kinematics.clearHomingState('xyz');
    th.dwell(DISABLE_STALL_TIME_S);
  }

  private cmdSetStepperEnable(cmd: GCodeCommand): void {
    const name = cmd.get('STEPPER');
    const line = this.lines.get(name);
    if (!line) throw cmd.error(`SET_STEPPER_ENABLE: unknown stepper '${name}' (known: ${this.stepperNames().join(', ')})`);
    const enable = cmd.getInt('ENABLE', 1, { minval: 0, maxval: 1 }) === 1;
    const th = this.toolhead();
    th.dwell(DISABLE_STALL_TIME_S);
    // Drivers are switched on by their first step as it reaches the MCU queue; send every
    // planned step now so each motor's on/off state is known before it is switched off.
    th.flushStepGeneration();
    const clock = line.clockAt(th.getLastMoveTime());
    if (enable) line.motorEnable(clock + Math.round(line.mcu.secondsToClock(0.001)));
    else {
      line.motorDisable(clock);
      th.kinematics.clearHomingState('xyz');
    }
    th.dwell(DISABLE_STALL_TIME_S);
  }
}
