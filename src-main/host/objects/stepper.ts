// One stepper motor ([stepper_x] or the stepper half of [extruder]): its pins and geometry, the
// MCU config commands Klipper's host sends for it (config_stepper, reset_step_clock on restart),
// and its StepSink (mcu/step-queue.ts) bound to the stepper's command queue.
import type { ConfigSection } from '../config/section';
import type { OptionValues, PinDesc } from '../config/options';
import { MotionStepper, stepDistanceMm, parseGearRatio } from '../motion/index';
import type { Mcu, McuCommand, McuQueryCommand } from '../mcu/mcu';
import { McuStepSink, stepCommandIds } from '../mcu/step-queue';
import type { Printer } from '../printer';
import type { PinRegistry } from './pins';
import { RAIL_OPTIONS, RAIL_RANGE_OPTIONS, STEPPER_MOTOR_OPTIONS } from './stepper-options';
import type { StepperEnable } from './stepper-enable';
import { isMcuChip, mcuForPin } from './mcu';

/** Default minimum step pulse (s) when step_pulse_duration is not set. */
const DEFAULT_STEP_PULSE_S = 0.000002;
export class PrinterStepper {
  readonly oid: number;
  readonly stepPin: PinDesc;
  readonly dirPin: PinDesc;
  readonly stepDistMm: number;
  readonly motion: MotionStepper;
  private readonly sink: McuStepSink;
  /** step_pulse_duration as configured (undefined = default). */
  private readonly stepPulseS: number | undefined;
  /** Set by drivers that step on both edges (TMC in step-both-edge mode). */
  requestStepBothEdge = false;
  /** The pulse used when step_pulse_duration is not set: 100 ns behind a UART/SPI TMC driver (Klipper's default). */
  defaultStepPulseS = DEFAULT_STEP_PULSE_S;
  private resetClockCmd: McuCommand | null = null;
  private positionQuery: McuQueryCommand | null = null;

  constructor(
    readonly name: string,
    motor: OptionValues<typeof STEPPER_MOTOR_OPTIONS>,
    section: ConfigSection,
    readonly mcu: Mcu,
    pins: PinRegistry,
    enable: StepperEnable,
    enableMcu: Mcu = mcu,
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
    const line = enable.addStepper(name, motor.enable_pin ?? null, mcu, enableMcu);
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
    // Print time -> this MCU's clock; on a secondary MCU it follows that MCU's clock sync.
    const applyMapping = (): void => {
      const m = mcu.clockMapping();
      this.motion.setClockMapping(m.freqHz, m.printTimeAtClockZeroS);
    };
    applyMapping();
    if (!mcu.isClockReference()) mcu.on('clock-mapping', applyMapping);
    const pulseS = this.stepPulseS ?? this.defaultStepPulseS;
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
    // queue_step and set_next_step_dir are encoded straight into the queue (see step-queue.ts
    // for their clocks: set_next_step_dir must not wait for the MCU to reach the last step).
    this.sink.bind(cq, stepCommandIds(mcu.dictionary));
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

/**
 * Reads the motor options of a stepper section and builds the stepper. `unitsInRadians`: a
 * rotating axis (polar's stepper_bed) whose position is an angle; as in Klipper it has no
 * rotation_distance (one turn is 2 pi) and needs gear_ratio.
 */
export function loadStepper(printer: Printer, section: ConfigSection, opts: { unitsInRadians?: boolean } = {}): PrinterStepper {
  if (opts.unitsInRadians) {
    if (section.has('rotation_distance')) {
      throw section.error(
        'rotation_distance',
        `Option 'rotation_distance' is not used in section '${section.name}' (an angle: one turn is 2 pi; set gear_ratio)`,
      );
    }
    if (!section.has('gear_ratio')) throw section.error('gear_ratio', `Option 'gear_ratio' in section '${section.name}' must be specified`);
  }
  const motor = section.read(STEPPER_MOTOR_OPTIONS, opts.unitsInRadians ? { rotation_distance: 2 * Math.PI } : {});
  const mcu = mcuForPin(printer, motor.step_pin, section, 'step_pin');
  // step and dir are one MCU's outputs (its stepper timer drives both).
  if (motor.dir_pin.chip !== motor.step_pin.chip) {
    throw section.error(
      'dir_pin',
      `dir_pin '${motor.dir_pin.text}' must be on the same MCU as step_pin '${motor.step_pin.text}' in section '${section.name}'`,
    );
  }
  mcuForPin(printer, motor.dir_pin, section, 'dir_pin');
  const enableMcu = motor.enable_pin ? mcuForPin(printer, motor.enable_pin, section, 'enable_pin') : mcu;
  return new PrinterStepper(
    section.name,
    motor,
    section,
    mcu,
    printer.lookupObject<PinRegistry>('pins'),
    printer.lookupObject<StepperEnable>('stepper_enable'),
    enableMcu,
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
  const isVirtual = !isMcuChip(printer, rail.endstop_pin.chip);
  if (isVirtual && !/virtual_endstop$/.test(rail.endstop_pin.pin)) mcuForPin(printer, rail.endstop_pin, section, 'endstop_pin'); // unknown chip: says so
  if (!isVirtual) {
    mcuForPin(printer, rail.endstop_pin, section, 'endstop_pin');
    pins.claim(rail.endstop_pin, `[${section.name}] endstop_pin`, section.placeOf('endstop_pin'), 'endstop');
  }
  const pe = rail.position_endstop;
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
