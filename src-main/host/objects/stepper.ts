// One stepper motor ([stepper_x] or the stepper half of [extruder]): its pins and geometry, the
// MCU config commands Klipper's host sends for it (config_stepper, reset_step_clock on restart),
// and the StepSink that turns compressed steps into queue_step / set_next_step_dir messages.
import type { ConfigSection } from '../config/section';
import type { OptionValues, PinDesc } from '../config/options';
import { MotionStepper, stepDistanceMm, parseGearRatio, type StepSink } from '../motion/index';
import type { Mcu, McuCommand, McuQueryCommand } from '../mcu/mcu';
import type { Printer } from '../printer';
import type { PinRegistry } from './pins';
import { RAIL_OPTIONS, RAIL_RANGE_OPTIONS, STEPPER_MOTOR_OPTIONS } from './stepper-options';
import type { StepperEnable } from './stepper-enable';

/** Default minimum step pulse (s) when step_pulse_duration is not set. */
const DEFAULT_STEP_PULSE_S = 0.000002;
/** Gaps at least this long are sent as a lone queue_step whose req_clock is the step itself. */
const CLOCK_DIFF_MAX = 3 << 28;

/** Sends one stepper's compressed steps to its MCU command queue. */
class McuStepSink implements StepSink {
  sendStep: ((oid: number, interval: number, count: number, add: number, reqClock: number) => void) | null = null;
  sendDir: ((dir: 0 | 1, reqClock: number) => void) | null = null;
  lastClock = 0;
  stepCount = 0;
  queueStepCount = 0;
  /** Called before the first step run after the motor was disabled (enable pin). */
  onFirstStep: ((firstStepClock: number) => void) | null = null;

  constructor(private readonly oid: number) {}

  queueStep(interval: number, count: number, add: number, startClock: number, endClock: number): void {
    if (!this.sendStep) throw new Error('Stepper used before its MCU was configured');
    if (this.onFirstStep) this.onFirstStep(startClock + interval);
    const reqClock = count === 1 && interval >= CLOCK_DIFF_MAX ? startClock + interval : startClock;
    this.sendStep(this.oid, interval, count, add, reqClock);
    this.lastClock = endClock;
    this.stepCount += count;
    this.queueStepCount++;
  }

  setNextStepDir(dir: 0 | 1): void {
    if (!this.sendDir) throw new Error('Stepper used before its MCU was configured');
    this.sendDir(dir, this.lastClock);
  }
}

export class PrinterStepper {
  readonly oid: number;
  readonly stepPin: PinDesc;
  readonly dirPin: PinDesc;
  readonly stepDistMm: number;
  readonly motion: MotionStepper;
  private readonly sink: McuStepSink;
  /** step_pulse_duration as configured (undefined = default). */
  private readonly stepPulseS: number | undefined;
  /** Set by drivers that step on both edges (TMC in step-both-edge mode); none yet. */
  requestStepBothEdge = false;
  private resetClockCmd: McuCommand | null = null;
  private positionQuery: McuQueryCommand | null = null;

  constructor(
    readonly name: string,
    motor: OptionValues<typeof STEPPER_MOTOR_OPTIONS>,
    section: ConfigSection,
    private readonly mcu: Mcu,
    pins: PinRegistry,
    enable: StepperEnable,
  ) {
    this.stepPin = motor.step_pin;
    this.dirPin = motor.dir_pin;
    for (const [opt, pin] of [
      ['step_pin', motor.step_pin],
      ['dir_pin', motor.dir_pin],
    ] as const) {
      pins.claim(pin, `[${name}] ${opt}`, section.placeOf(opt));
    }
    if (motor.full_steps_per_rotation % 4 !== 0) {
      throw section.error(
        'full_steps_per_rotation',
        `full_steps_per_rotation invalid in section '${name}': use a multiple of 4 (200 or 400)`,
      );
    }
    let gearRatio: number;
    try {
      gearRatio = parseGearRatio(motor.gear_ratio);
    } catch (e) {
      throw section.error('gear_ratio', `${(e as Error).message} in section '${name}'`);
    }
    this.stepDistMm = stepDistanceMm({
      rotationDistanceMm: motor.rotation_distance,
      microsteps: motor.microsteps,
      fullStepsPerRotation: motor.full_steps_per_rotation,
      gearRatio,
    });
    this.stepPulseS = motor.step_pulse_duration;
    this.oid = mcu.createOid();
    this.sink = new McuStepSink(this.oid);
    // The clock frequency comes from the MCU's dictionary; it is set in the config callback.
    this.motion = new MotionStepper({
      name,
      stepDistMm: this.stepDistMm,
      invertDir: motor.dir_pin.invert,
      clockFreqHz: 1,
      sink: this.sink,
    });
    // Klipper's order: config_stepper, then the stepper's enable pin.
    mcu.registerConfigCallback(() => this.buildConfig());
    if (motor.enable_pin) pins.claim(motor.enable_pin, `[${name}] enable_pin`, section.placeOf('enable_pin'), 'stepper_enable');
    const line = enable.addStepper(name, motor.enable_pin ?? null, mcu);
    this.sink.onFirstStep = (clock) => line.motorEnable(clock);
  }

  /** Steps sent so far and queue_step messages, for batch figures. */
  get stepCount(): number {
    return this.sink.stepCount;
  }
  get queueStepCount(): number {
    return this.sink.queueStepCount;
  }

  private buildConfig(): void {
    const mcu = this.mcu;
    const freq = mcu.getConstantFloat('CLOCK_FREQ');
    this.motion.setClockMapping(freq, mcu.clockToPrintTime(0));
    const pulseS = this.stepPulseS ?? DEFAULT_STEP_PULSE_S;
    let invertStep = this.stepPin.invert ? 1 : 0;
    // Step on both edges (invert_step=-1) only when a driver asks for it and the MCU can.
    const bothEdge = Number(mcu.getConstant('STEPPER_STEP_BOTH_EDGE', 0));
    if (this.requestStepBothEdge && bothEdge && !this.stepPin.invert) invertStep = -1;
    const pulseTicks = Math.round(pulseS * freq);
    mcu.addConfigCmd(
      `config_stepper oid=${this.oid} step_pin=${this.stepPin.pin} dir_pin=${this.dirPin.pin} invert_step=${invertStep} step_pulse_ticks=${pulseTicks}`,
    );
    mcu.addConfigCmd(`reset_step_clock oid=${this.oid} clock=0`, { onRestart: true });
    const cq = mcu.allocCommandQueue();
    const qs = mcu.queueStepSender(cq);
    this.sink.sendStep = (oid, interval, count, add, reqClock) => qs.send(oid, interval, count, add, reqClock);
    const dirCmd = mcu.lookupCommand('set_next_step_dir oid=%c dir=%c', cq);
    this.sink.sendDir = (dir, reqClock) => dirCmd.send([this.oid, dir], { minClock: reqClock, reqClock });
    // On the step queue, so it reaches the MCU after every queue_step sent before it.
    this.resetClockCmd = mcu.lookupCommand('reset_step_clock oid=%c clock=%u', cq);
    this.positionQuery = mcu.lookupQueryCommand('stepper_get_position oid=%c', 'stepper_position oid=%c pos=%i', this.oid);
  }

  /**
   * After a homing move the MCU has halted this stepper (trsync) and drops steps until its
   * step clock is reset: forget unsent steps, reset the clock, and take the MCU's step count
   * as the truth (Klipper's note_homing_end).
   */
  async noteHomingEnd(): Promise<void> {
    this.motion.discardUnsentSteps();
    this.sink.lastClock = 0;
    this.resetClockCmd!.send([this.oid, 0]);
    if (this.mcu.isFileOutput()) return;
    this.motion.mcuPositionSteps = await this.queryMcuPosition();
  }

  /** The MCU's net step count, in the host's sense (positive = towards position_max). */
  async queryMcuPosition(): Promise<number> {
    const p = await this.positionQuery!.send([this.oid]);
    const pos = p.pos as number;
    return this.motion.invertDir ? -pos : pos;
  }
}

/** Reads the motor options of a stepper section and builds the stepper. */
export function loadStepper(printer: Printer, section: ConfigSection): PrinterStepper {
  const motor = section.read(STEPPER_MOTOR_OPTIONS);
  const mcu = printer.lookupObject<Mcu>('mcu');
  return new PrinterStepper(
    section.name,
    motor,
    section,
    mcu,
    printer.lookupObject<PinRegistry>('pins'),
    printer.lookupObject<StepperEnable>('stepper_enable'),
  );
}

export interface RailSettings extends OptionValues<typeof RAIL_OPTIONS> {
  positionMinMm: number;
  positionMaxMm: number;
}

/**
 * Reads the rail options (range, endstop, homing) and checks them like Klipper does. Delta towers
 * have no range options: their range ends at the endstop (`defaultEndstopMm` from stepper_a).
 */
export function loadRail(printer: Printer, section: ConfigSection, opts: { hasRange: boolean; defaultEndstopMm?: number }): RailSettings {
  const rail = section.read(RAIL_OPTIONS, { position_endstop: opts.defaultEndstopMm });
  const pins = printer.lookupObject<PinRegistry>('pins');
  // A probe or driver virtual endstop ('probe:z_virtual_endstop') belongs to another object.
  if (rail.endstop_pin.chip === 'mcu')
    pins.claim(rail.endstop_pin, `[${section.name}] endstop_pin`, section.placeOf('endstop_pin'), 'endstop');
  const pe = rail.position_endstop;
  const isVirtual = rail.endstop_pin.chip !== 'mcu';
  if (pe === undefined && (!opts.hasRange || !isVirtual)) {
    throw section.error('position_endstop', `Option 'position_endstop' in section '${section.name}' must be specified`);
  }
  let min = 0;
  let max = pe ?? 0;
  if (opts.hasRange) {
    const range = section.read(RAIL_RANGE_OPTIONS);
    min = range.position_min;
    max = range.position_max;
    if (max <= min)
      throw section.error('position_max', `Option 'position_max' in section '${section.name}' must be above ${min} (position_min)`);
  }
  if (pe !== undefined && opts.hasRange && (pe < min || pe > max)) {
    throw section.error('position_endstop', `position_endstop in section '${section.name}' must be between position_min and position_max`);
  }
  if (rail.homing_positive_dir === undefined && pe !== undefined) {
    const span = max - min;
    if (pe <= min + span / 4) rail.homing_positive_dir = false;
    else if (pe >= max - span / 4) rail.homing_positive_dir = true;
    else
      throw section.error('position_endstop', `Unable to infer homing_positive_dir in section '${section.name}': set it to True or False`);
  }
  return { ...rail, positionMinMm: min, positionMaxMm: max };
}
