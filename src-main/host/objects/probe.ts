// [probe]: a Z probe switch under the toolhead (Klipper's [probe]). PROBE lowers the nozzle
// until the switch fires and reports the height; the samples settings probe a point several
// times. QUERY_PROBE reads the switch, PROBE_ACCURACY repeats a probe and reports the spread,
// PROBE_CALIBRATE finds z_offset with the paper test (manual-probe.ts), Z_OFFSET_APPLY_PROBE
// folds a babystepped Z offset into it. [stepper_z] endstop_pin: probe:z_virtual_endstop homes
// Z on the probe (its position_endstop is then z_offset). Bed tools use it through ZProbe.
import { ConfigError } from '../config/errors';
import type { ConfigSection } from '../config/section';
import { GCodeError, type GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import { McuEndstop } from '../mcu/endstop';
import type { AxisName, Toolhead } from '../motion/index';
import type { Printer, PrinterObject } from '../printer';
import { TemplateError } from '../template';
import { MacroTemplate } from './gcode-macro';
import { manualMove, type GCodeMove } from './gcode-move';
import type { Homing } from './homing';
import { ManualProbe } from './manual-probe';
import { mcuForPin } from './mcu';
import type { PinRegistry } from './pins';
import { PROBE_OBJECT, type ZProbe } from './probe-api';
import { PROBE_OPTIONS, PROBE_SAMPLE_OPTIONS } from './probe-options';
import type { OptionValues } from '../config/options';
import { accuracyStats, combineSamples, formatAccuracy, probeSamples, type ProbeSampleSettings, type SamplesResult } from './probe-samples';
import type { SaveConfig } from './save-config';
import type { PrinterStepper, RailSettings } from './stepper';
import type { PrinterToolhead } from './toolhead';

/** PROBE_CALIBRATE lifts this far (mm) above the trigger before moving the nozzle over the point. */
const CALIBRATE_LIFT_MM = 5;
/** Default speed (mm/s) of the paper test's Z moves (Klipper's manual probe speed). */
const MANUAL_PROBE_SPEED_MMS = 5;
/** Activate/deactivate templates must not move the toolhead further than this (mm). */
const TEMPLATE_MOVE_TOLERANCE_MM = 0.000001;

const SAVE_CONFIG_NOTE = 'The SAVE_CONFIG command will update the printer config file\nwith the above and restart the printer.';

/**
 * What is under the probe's switch: [probe] runs activate_gcode/deactivate_gcode around a
 * descent, [bltouch] moves its pin with a servo. PrinterProbe does the probing around these.
 */
export interface ProbeHardware {
  /** The switch, stopping every stepper that moves Z. */
  readonly endstop: McuEndstop;
  /** False: deploy once before all samples of one probe and stow once after them. */
  readonly stowOnEachSample: boolean;
  /** Before a descent: make the switch ready; rejects if it can not. */
  deploy(): Promise<void>;
  /** After a descent (or the session): put the probe away. */
  stow(): Promise<void>;
}

export class PrinterProbe implements ZProbe, PrinterObject {
  readonly xOffsetMm: number;
  readonly yOffsetMm: number;
  readonly zOffsetMm: number;
  /** The switch, stopping every stepper that moves Z (added once the kinematics exist). */
  readonly endstop: McuEndstop;
  private readonly o: OptionValues<typeof PROBE_SAMPLE_OPTIONS>;
  private readonly hardware: ProbeHardware;
  /** Inside one runProbe with deactivate_on_each_sample off: activated once for all samples. */
  private multi: 'off' | 'first' | 'on' = 'off';
  private zSteppers: PrinterStepper[] = [];
  private lastQuery = false;
  private lastZResultMm = 0;
  private calibrateZMm = 0;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    private readonly section: ConfigSection,
    hardware?: ProbeHardware,
  ) {
    this.o = section.read(PROBE_SAMPLE_OPTIONS);
    this.xOffsetMm = this.o.x_offset;
    this.yOffsetMm = this.o.y_offset;
    this.zOffsetMm = this.o.z_offset;
    this.hardware = hardware ?? this.gcodeHardware();
    this.endstop = this.hardware.endstop;
    // Klipper's mcu_identify: the probe stops every stepper that moves Z, whichever endstop homes Z.
    printer.on('printer:connect', () => this.addZSteppers());
    this.registerCommands();
  }

  /** [probe]: a plain switch on `pin`, with activate_gcode/deactivate_gcode around each descent. */
  private gcodeHardware(): ProbeHardware {
    const { printer, gcode, section } = this;
    const o = section.read(PROBE_OPTIONS);
    const mcu = mcuForPin(printer, o.pin, section, 'pin');
    printer.lookupObject<PinRegistry>('pins').claim(o.pin, `[${section.name}] pin`, section.placeOf('pin'));
    const endstop = new McuEndstop(mcu, o.pin.pin, o.pin.invert, o.pin.pullup);
    const template = (option: 'activate_gcode' | 'deactivate_gcode') => {
      try {
        return new MacroTemplate(printer, gcode, `${section.name}:${option}`, o[option]);
      } catch (e) {
        if (e instanceof TemplateError) throw section.error(option, e.message);
        throw e;
      }
    };
    const activate = template('activate_gcode');
    const deactivate = template('deactivate_gcode');
    return {
      endstop,
      stowOnEachSample: o.deactivate_on_each_sample,
      deploy: () => this.runTemplate(activate, 'activate_gcode'),
      stow: () => this.runTemplate(deactivate, 'deactivate_gcode'),
    };
  }

  private registerCommands(): void {
    const overrides = {
      PROBE_SPEED: 'mm/s',
      LIFT_SPEED: 'mm/s',
      SAMPLES: 'count',
      SAMPLE_RETRACT_DIST: 'mm',
      SAMPLES_RESULT: 'average|median',
      SAMPLES_TOLERANCE: 'mm',
      SAMPLES_TOLERANCE_RETRIES: 'count',
    };
    const g = this.gcode;
    g.register('PROBE', (c) => this.cmdProbe(c), { help: 'Probe Z-height at current XY position', params: overrides });
    g.register('QUERY_PROBE', () => this.cmdQueryProbe(), { help: 'Return the status of the z-probe' });
    g.register('PROBE_ACCURACY', (c) => this.cmdProbeAccuracy(c), {
      help: 'Probe Z-height accuracy at current XY position',
      params: { PROBE_SPEED: 'mm/s', LIFT_SPEED: 'mm/s', SAMPLES: 'count (10)', SAMPLE_RETRACT_DIST: 'mm' },
    });
    g.register('PROBE_CALIBRATE', (c) => this.cmdProbeCalibrate(c), {
      help: "Calibrate the probe's z_offset",
      params: { ...overrides, SPEED: 'mm/s of the TESTZ moves' },
    });
    g.register('Z_OFFSET_APPLY_PROBE', () => this.cmdZOffsetApplyProbe(), { help: "Adjust the probe's z_offset" });
  }

  private toolhead(): Toolhead {
    return this.printer.lookupObject<Toolhead>('toolhead');
  }

  private addZSteppers(): void {
    const pt = this.printer.lookupObjectOrNull<PrinterToolhead>('printer_toolhead');
    if (!pt) return;
    this.zSteppers = pt.steppers.filter((s) => s.motion.railPosition(0, 0, 1) !== s.motion.railPosition(0, 0, 0));
    for (const s of this.zSteppers) this.endstop.addStepper(s.oid, s.mcu);
  }

  /**
   * [stepper_z] endstop_pin: probe:z_virtual_endstop (called by createHomingRail): Z homes on
   * this switch, whose position is z_offset (Klipper takes position_endstop from the probe).
   */
  useAsZEndstop(axis: AxisName, stepper: PrinterStepper, settings: RailSettings): McuEndstop {
    const pin = settings.endstop_pin;
    const where = `endstop_pin '${pin.text}' in section '${stepper.name}'`;
    if (pin.pin.trim() !== 'z_virtual_endstop') throw new ConfigError(`${where}: the probe offers only 'probe:z_virtual_endstop'`);
    if (axis !== 'z') throw new ConfigError(`${where}: the probe's virtual endstop can only home Z`);
    if (pin.invert || pin.pullup)
      throw new ConfigError(`${where}: can not pullup/invert the probe virtual endstop (set them on [probe] pin)`);
    if (this.zOffsetMm < settings.positionMinMm || this.zOffsetMm > settings.positionMaxMm) {
      throw this.section.error(
        'z_offset',
        `z_offset ${this.zOffsetMm} of [${this.section.name}] is the Z endstop position (probe:z_virtual_endstop) and must be between position_min and position_max of [${stepper.name}]`,
      );
    }
    settings.position_endstop = this.zOffsetMm;
    settings.homing_positive_dir = false;
    this.endstop.addStepper(stepper.oid, stepper.mcu);
    return this.endstop;
  }

  /** PROBE's overrides on top of the section's settings. */
  private sampleSettings(cmd: GCodeCommand | null): ProbeSampleSettings {
    const o = this.o;
    const f = (name: string, dflt: number, limits: object) => (cmd ? cmd.getFloat(name, dflt, limits) : dflt);
    const i = (name: string, dflt: number, limits: object) => (cmd ? cmd.getInt(name, dflt, limits) : dflt);
    const probeSpeedMmS = f('PROBE_SPEED', o.speed, { above: 0 });
    const samplesResult = (cmd?.get('SAMPLES_RESULT', o.samples_result) ?? o.samples_result).toLowerCase();
    if (samplesResult !== 'average' && samplesResult !== 'median') throw cmd!.error('SAMPLES_RESULT must be average or median');
    return {
      probeSpeedMmS,
      liftSpeedMmS: f('LIFT_SPEED', o.lift_speed ?? o.speed, { above: 0 }),
      samples: i('SAMPLES', o.samples, { minval: 1 }),
      sampleRetractDistMm: f('SAMPLE_RETRACT_DIST', o.sample_retract_dist, { above: 0 }),
      samplesResult: samplesResult as SamplesResult,
      samplesToleranceMm: f('SAMPLES_TOLERANCE', o.samples_tolerance, { minval: 0 }),
      samplesToleranceRetries: i('SAMPLES_TOLERANCE_RETRIES', o.samples_tolerance_retries, { minval: 0 }),
    };
  }

  async runProbe(cmd: GCodeCommand | null): Promise<[number, number, number]> {
    const s = this.sampleSettings(cmd);
    await this.beginSession();
    try {
      const positions = await probeSamples(
        s,
        () => this.probeOnce(s.probeSpeedMmS),
        (zMm) => this.moveZ(zMm, s.liftSpeedMmS),
        (msg) => this.gcode.respondInfo(msg),
      );
      const [x, y, z] = combineSamples(positions, s.samplesResult);
      return [x!, y!, z!];
    } finally {
      await this.endSession();
    }
  }

  private async beginSession(): Promise<void> {
    if (!this.hardware.stowOnEachSample) this.multi = 'first';
  }

  private async endSession(): Promise<void> {
    const was = this.multi;
    this.multi = 'off';
    if (was !== 'off' && was !== 'first') await this.hardware.stow();
  }

  /** One descent to position_min until the switch fires: the trigger position. */
  private async probeOnce(speedMmS: number): Promise<number[]> {
    const th = this.toolhead();
    if (!th.kinematics.homedAxes.includes('z')) throw new GCodeError('Must home before probe');
    if (this.multi !== 'on') await this.hardware.deploy();
    if (this.multi === 'first') this.multi = 'on';
    const target = th.getPosition().slice();
    target[2] = th.kinematics.axisMinimum()[2];
    let pos: number[];
    try {
      pos = await this.printer.lookupObject<Homing>('homing').probingMove(this.endstop, this.zSteppers, target, speedMmS);
    } catch (e) {
      // A failed descent still puts the probe away (a BLTouch pin left down would drag over the
      // bed); the descent's error is the one to report.
      if (this.multi === 'off') await this.hardware.stow().catch(() => undefined);
      throw e;
    } finally {
      this.printer.lookupObjectOrNull<GCodeMove>('gcode_move')?.resetFromToolhead();
    }
    if (this.multi === 'off') await this.hardware.stow();
    this.gcode.respondInfo(`probe at ${pos[0]!.toFixed(3)},${pos[1]!.toFixed(3)} is z=${pos[2]!.toFixed(6)}`);
    return pos;
  }

  /** Runs activate_gcode/deactivate_gcode; they may deploy the probe but must not move the head. */
  private async runTemplate(t: MacroTemplate, option: string): Promise<void> {
    const th = this.toolhead();
    const before = th.getPosition().slice(0, 3);
    await t.run();
    const after = th.getPosition().slice(0, 3);
    if (after.some((v, i) => Math.abs(v - before[i]!) > TEMPLATE_MOVE_TOLERANCE_MM)) {
      throw new GCodeError(`Toolhead moved during probe ${option} script`);
    }
  }

  private moveZ(zMm: number, speedMmS: number): void {
    manualMove(this.printer, [null, null, zMm], speedMmS);
  }

  private async cmdProbe(cmd: GCodeCommand): Promise<void> {
    const pos = await this.runProbe(cmd);
    this.gcode.respondInfo(`Result is z=${pos[2].toFixed(6)}`);
    this.lastZResultMm = pos[2];
  }

  private async cmdQueryProbe(): Promise<void> {
    const th = this.toolhead();
    this.lastQuery = await this.endstop.queryTriggered(th.getLastMoveTime());
    this.gcode.respondInfo(`probe: ${this.lastQuery ? 'TRIGGERED' : 'open'}`);
  }

  private async cmdProbeAccuracy(cmd: GCodeCommand): Promise<void> {
    const o = this.o;
    const speed = cmd.getFloat('PROBE_SPEED', o.speed, { above: 0 });
    const liftSpeed = cmd.getFloat('LIFT_SPEED', o.lift_speed ?? o.speed, { above: 0 });
    const samples = cmd.getInt('SAMPLES', 10, { minval: 1 });
    const retract = cmd.getFloat('SAMPLE_RETRACT_DIST', o.sample_retract_dist, { above: 0 });
    const [x, y, z] = this.toolhead().getPosition();
    this.gcode.respondInfo(
      `PROBE_ACCURACY at X:${x!.toFixed(3)} Y:${y!.toFixed(3)} Z:${z!.toFixed(3)} ` +
        `(samples=${samples} retract=${retract.toFixed(3)} speed=${speed.toFixed(1)} lift_speed=${liftSpeed.toFixed(1)})`,
    );
    const zs: number[] = [];
    await this.beginSession();
    try {
      while (zs.length < samples) {
        const pos = await this.probeOnce(speed);
        zs.push(pos[2]!);
        this.moveZ(pos[2]! + retract, liftSpeed);
      }
    } finally {
      await this.endSession();
    }
    this.gcode.respondInfo(formatAccuracy(accuracyStats(zs)));
  }

  private async cmdProbeCalibrate(cmd: GCodeCommand): Promise<void> {
    if (ManualProbe.isActive(this.printer)) throw cmd.error('Already in a manual Z probe. Use ABORT to abort it.');
    const speed = cmd.getFloat('SPEED', MANUAL_PROBE_SPEED_MMS, { above: 0 });
    const pos = await this.runProbe(cmd);
    this.calibrateZMm = pos[2];
    // Up, then the nozzle over the point the probe touched: the paper test starts there.
    this.moveZ(pos[2] + CALIBRATE_LIFT_MM, this.o.lift_speed ?? this.o.speed);
    manualMove(this.printer, [pos[0] + this.xOffsetMm, pos[1] + this.yOffsetMm], this.o.speed);
    ManualProbe.start(this.printer, this.gcode, speed, (kinPos) => this.calibrateFinalize(kinPos));
  }

  private calibrateFinalize(kinPos: number[] | null): void {
    if (!kinPos) return;
    const zOffset = this.calibrateZMm - kinPos[2]!;
    this.offerZOffset(zOffset);
  }

  private cmdZOffsetApplyProbe(): void {
    const gm = this.printer.lookupObject<GCodeMove>('gcode_move');
    const offset = gm.homingPosition[2]!;
    if (offset === 0) {
      this.gcode.respondInfo('Nothing to do: Z Offset is 0');
      return;
    }
    this.offerZOffset(this.zOffsetMm - offset);
  }

  private offerZOffset(zOffsetMm: number): void {
    const text = zOffsetMm.toFixed(3);
    this.gcode.respondInfo(`${this.section.name}: z_offset: ${text}\n${SAVE_CONFIG_NOTE}`);
    this.printer.lookupObject<SaveConfig>('configfile').set(this.section.name, 'z_offset', text);
  }

  getStatus(): Record<string, unknown> {
    return { name: this.section.name, last_query: this.lastQuery, last_z_result: this.lastZResultMm };
  }
}

/**
 * createHomingRail's hook for `probe:...` endstop pins: the [probe]'s (or [bltouch]'s) switch. [probe] loads before
 * [printer] (catalog order) so it exists here.
 */
export function probeVirtualEndstop(printer: Printer, axis: AxisName, stepper: PrinterStepper, settings: RailSettings): McuEndstop | null {
  const probe = printer.lookupObjectOrNull<PrinterProbe>(PROBE_OBJECT);
  // No [probe] nor [bltouch]: another probe section (not supported yet) may provide the chip;
  // Z is left without an endstop and G28 says so. (Klipper rejects an unknown chip at load; tests of other
  // features load such configs without the probe's section.)
  if (!probe) return null;
  return probe.useAsZEndstop(axis, stepper, settings);
}
