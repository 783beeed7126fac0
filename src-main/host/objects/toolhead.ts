// [printer]: the toolhead and its kinematics. Like Klipper, the kinematics reads the stepper
// sections it needs (stepper_x/y/z or stepper_a/b/c), so those sections belong to [printer].
import type { ConfigSection, PrinterConfig } from '../config/section';
import {
  CartesianKinematics,
  CoreXYKinematics,
  CoreXZKinematics,
  DeltaKinematics,
  NoneKinematics,
  Toolhead,
  type DeltaTower,
} from '../motion/index';
import type { Printer } from '../printer';
import type { GCodeMove, MoveTarget, VelocityLimits } from './gcode-move';
import {
  DELTA_OPTIONS,
  DELTA_TOWER_OPTIONS,
  DELTESIAN_OPTIONS,
  DELTESIAN_TOWER_OPTIONS,
  POLAR_OPTIONS,
  PRINTER_OPTIONS,
  SUPPORTED_KINEMATICS,
  WINCH_ANCHOR_OPTIONS,
  UNSUPPORTED_KINEMATICS,
  Z_LIMIT_OPTIONS,
  type KinematicsName,
} from './printer-options';
import { loadRail, loadStepper, type PrinterStepper, type RailSettings } from './stepper';
import { addExtraStepper, coupleRails, createHomingRail, type HomingRail } from './endstop';
import { EXTRA_STEPPER_OPTIONS } from './stepper-options';
import { Homing } from './homing';
import { QueryEndstops } from './query-endstops';
import type { MotionStepper, RailConfig } from '../motion/index';
import { HybridCoreXYKinematics, HybridCoreXZKinematics } from '../motion/kinematics/hybrid';
import { WinchKinematics, type WinchAnchor } from '../motion/kinematics/winch';
import { PolarKinematics } from '../motion/kinematics/polar';
import { DeltesianKinematics } from '../motion/kinematics/deltesian';
import { withDualCarriage, type DualCarriage } from './dual-carriage';

export interface ToolheadContext {
  printer: Printer;
  config: PrinterConfig;
  /** Batch mode plans from print time 0 (no MCU clock to follow). */
  estimatedPrintTimeS: () => number;
  /** Batch mode: reproduce the one lookahead flush Klipper's batch output shows before the first
   * extruding move (see ToolheadOptions.klipperBatchPrimingFlush), so outputs compare step by step. */
  klipperBatchPrimingFlush: boolean;
  /** A real MCU clock runs (not file output): planned steps are streamed ahead on a timer. */
  live: boolean;
}

/** Live streaming (Klipper's toolhead flush timer): how often it runs, how far ahead of the
 * MCU's "now" steps are sent, and below how much planned motion the lookahead is flushed. */
const FLUSH_TIMER_MS = 50;
const SEND_AHEAD_S = 1.0;
const BUFFER_LOW_S = 1.0;

/** The [printer] object: owns the Toolhead and the axis steppers. */
export class PrinterToolhead {
  readonly steppers: PrinterStepper[] = [];
  /** Endstop, range and homing settings per stepper section, kept for the homing task. */
  readonly rails = new Map<string, RailSettings>();
  /** Cartesian-style rails with their endstops (homing, QUERY_ENDSTOPS). */
  readonly homingRails: HomingRail[] = [];
  readonly toolhead: Toolhead;
  readonly kinematicsName: KinematicsName;
  /** [dual_carriage] (IDEX), when the config has one. */
  private dualCarriage: DualCarriage | null = null;

  constructor(ctx: ToolheadContext, section: ConfigSection) {
    const { printer, config } = ctx;
    const kin = section.readSpec('kinematics', PRINTER_OPTIONS.kinematics) as string;
    if (UNSUPPORTED_KINEMATICS.includes(kin))
      throw section.error('kinematics', `kinematics '${kin}' is not supported yet (supported: ${SUPPORTED_KINEMATICS.join(', ')})`);
    if (!(SUPPORTED_KINEMATICS as readonly string[]).includes(kin)) {
      throw section.error(
        'kinematics',
        `Unknown kinematics '${kin}' in section 'printer' (use one of: ${SUPPORTED_KINEMATICS.join(', ')})`,
      );
    }
    this.kinematicsName = kin as KinematicsName;
    const p = section.read(PRINTER_OPTIONS);
    let minimumCruiseRatio = p.minimum_cruise_ratio;
    if (p.max_accel_to_decel !== undefined && !section.has('minimum_cruise_ratio')) {
      // Older configs: max_accel_to_decel = max_accel * (1 - minimum_cruise_ratio).
      minimumCruiseRatio = 1 - Math.min(1, p.max_accel_to_decel / p.max_accel);
    }
    const kinematics = this.buildKinematics(printer, config, section, p.max_velocity, p.max_accel);
    this.toolhead = new Toolhead({
      kinematics,
      maxVelocityMmS: p.max_velocity,
      maxAccelMmS2: p.max_accel,
      minimumCruiseRatio,
      squareCornerVelocityMmS: p.square_corner_velocity,
      estimatedPrintTimeS: ctx.estimatedPrintTimeS,
      klipperBatchPrimingFlush: ctx.klipperBatchPrimingFlush,
      streamSteps: ctx.live,
    });
    printer.addObject('toolhead', this.toolhead);
    if (ctx.live) this.startStreaming(ctx);
    printer.lookupObject<GCodeMove>('gcode_move').setMoveTarget(toolheadMoveTarget(this.toolhead));
    if (this.kinematicsName === 'corexy') coupleRails(this.homingRails[0]!, this.homingRails[1]!);
    if (this.kinematicsName === 'corexz') coupleRails(this.homingRails[0]!, this.homingRails[2]!);
    // hybrid_corexy / hybrid_corexz: homing Y (Z) turns stepper_x too, so that switch halts it.
    if (this.kinematicsName === 'hybrid_corexy') haltAlso(this.homingRails[1]!, this.homingRails[0]!);
    if (this.kinematicsName === 'hybrid_corexz') haltAlso(this.homingRails[2]!, this.homingRails[0]!);
    // ...and [dual_carriage]'s motor, which turns x - y (x - z) too.
    const hybridCoupled = { hybrid_corexy: 1, hybrid_corexz: 2 }[this.kinematicsName as string];
    if (hybridCoupled !== undefined && this.dualCarriage) haltAlso(this.homingRails[hybridCoupled]!, this.dualCarriage.carriageRails[1]);
    const gcode = printer.lookupObject<GCodeMove>('gcode_move').dispatcher;
    const homing = new Homing(printer, gcode, this.toolhead, this.homingRails, ctx.estimatedPrintTimeS);
    const queryEndstops = new QueryEndstops(gcode, this.toolhead, this.homingRails);
    printer.addObject('homing', homing);
    printer.addObject('query_endstops', queryEndstops);
    this.dualCarriage?.connect(this.toolhead, gcode, homing, queryEndstops);
  }

  /**
   * Keeps the MCU fed: moves wait in the lookahead and compressed runs wait until they cannot
   * grow, so without this the MCU would get steps only when the next G-code arrives (too late:
   * "Stepper too far in past"). Every tick sends all steps due within SEND_AHEAD_S and, when
   * less than BUFFER_LOW_S of planned motion is left, plans every queued move (the head stops
   * after them unless more G-code arrives, as in Klipper).
   */
  private startStreaming(ctx: ToolheadContext): void {
    const { printer } = ctx;
    let timer: NodeJS.Timeout | null = null;
    const tick = () => {
      if (printer.state !== 'ready') return;
      const estS = ctx.estimatedPrintTimeS();
      if (!(estS > 0)) return;
      const th = this.toolhead;
      try {
        if (th.printTimeS - estS < BUFFER_LOW_S) th.flushLookahead();
        th.sendStepsUntil(Math.min(th.printTimeS, estS + SEND_AHEAD_S));
      } catch (e) {
        // A timer has no caller to report to: a failed send (e.g. the serial link closed) must
        // not crash the host process; the printer shuts down with the reason instead.
        stop();
        void printer.invokeShutdown(`Motion streaming failed: ${(e as Error).message}`);
      }
    };
    printer.on('printer:ready', () => {
      timer ??= setInterval(tick, FLUSH_TIMER_MS);
      timer.unref?.();
    });
    const stop = () => {
      if (timer) clearInterval(timer);
      timer = null;
    };
    printer.on('printer:disconnect', stop);
    printer.on('printer:shutdown', stop);
    // M400 and homing moves must not wait for a clock that no longer matters.
    printer.on('printer:shutdown', () => this.toolhead.abortWaits());
    printer.on('printer:disconnect', () => this.toolhead.abortWaits());
  }

  private buildKinematics(printer: Printer, config: PrinterConfig, section: ConfigSection, maxVelocityMmS: number, maxAccelMmS2: number) {
    const stepperSection = (axis: string) => config.get(`stepper_${axis}`);
    const rail = (axis: 'x' | 'y' | 'z') => {
      const s = stepperSection(axis);
      const stepper = loadStepper(printer, s);
      this.steppers.push(stepper);
      const r = loadRail(printer, s, { hasRange: true });
      this.rails.set(s.name, r);
      const homingRail = createHomingRail(printer, axis, stepper, r);
      this.homingRails.push(homingRail);
      const steppers = [stepper.motion];
      // [stepper_z1], [stepper_z2], ...: more motors on the rail, each stepping from the same rail
      // position (Klipper looks them up in order and stops at the first missing number).
      for (let n = 1; config.has(`stepper_${axis}${n}`); n++) {
        const extraSection = config.get(`stepper_${axis}${n}`);
        const extra = loadStepper(printer, extraSection);
        this.steppers.push(extra);
        steppers.push(extra.motion);
        addExtraStepper(printer, homingRail, extra, extraSection.read(EXTRA_STEPPER_OPTIONS).endstop_pin, extraSection);
      }
      return { axis, steppers, positionMinMm: r.positionMinMm, positionMaxMm: r.positionMaxMm };
    };
    const other = this.buildOtherKinematics(printer, config, section, maxVelocityMmS, maxAccelMmS2, rail);
    if (other) return other;
    switch (this.kinematicsName) {
      case 'none':
        return new NoneKinematics();
      case 'delta': {
        const d = section.read(DELTA_OPTIONS);
        const towers: DeltaTower[] = [];
        let armA: number | undefined;
        let endstopA: number | undefined;
        const angles = [210, 330, 90];
        for (const [i, axis] of ['a', 'b', 'c'].entries()) {
          const s = stepperSection(axis);
          const stepper = loadStepper(printer, s);
          this.steppers.push(stepper);
          const r = loadRail(printer, s, { hasRange: false, defaultEndstopMm: endstopA });
          this.rails.set(s.name, r);
          // Each tower's endstop (homing-delta.ts homes the three together; 'z': they move vertically).
          this.homingRails.push(createHomingRail(printer, 'z', stepper, r));
          const t = s.read(DELTA_TOWER_OPTIONS, { arm_length: armA, angle: angles[i] });
          if (t.arm_length === undefined) throw s.error('arm_length', `Option 'arm_length' in section '${s.name}' must be specified`);
          armA ??= t.arm_length;
          endstopA ??= r.position_endstop;
          towers.push({
            steppers: [stepper.motion],
            armLengthMm: t.arm_length,
            positionEndstopMm: r.position_endstop as number,
            angleDeg: t.angle as number,
          });
        }
        return new DeltaKinematics({
          towers: towers as [DeltaTower, DeltaTower, DeltaTower],
          radiusMm: d.delta_radius,
          printRadiusMm: d.print_radius,
          minimumZPositionMm: d.minimum_z_position,
          maxZVelocityMmS: d.max_z_velocity,
          maxZAccelMmS2: d.max_z_accel,
          maxVelocityMmS,
          maxAccelMmS2,
        });
      }
      default: {
        const z = section.read(Z_LIMIT_OPTIONS);
        const rails = [rail('x'), rail('y'), rail('z')];
        const opts = { rails, maxZVelocityMmS: z.max_z_velocity ?? maxVelocityMmS, maxZAccelMmS2: z.max_z_accel ?? maxAccelMmS2 };
        const linear =
          this.kinematicsName === 'corexy'
            ? new CoreXYKinematics(opts)
            : this.kinematicsName === 'corexz'
              ? new CoreXZKinematics(opts)
              : new CartesianKinematics(opts);
        const dc = withDualCarriage(printer, config, this.kinematicsName, linear, this);
        this.dualCarriage = dc.dualCarriage;
        return dc.kinematics;
      }
    }
  }
  /** hybrid_corexy, hybrid_corexz, winch, polar, deltesian (null for the others). */
  private buildOtherKinematics(
    printer: Printer,
    config: PrinterConfig,
    section: ConfigSection,
    maxVelocityMmS: number,
    maxAccelMmS2: number,
    rail: (axis: 'x' | 'y' | 'z') => RailConfig,
  ) {
    const name = this.kinematicsName;
    const stepperOf = (s: ConfigSection, opts?: { unitsInRadians?: boolean }) => {
      const st = loadStepper(printer, s, opts);
      this.steppers.push(st);
      return st;
    };
    const zLimits = () => {
      const z = section.read(Z_LIMIT_OPTIONS);
      return { maxZVelocityMmS: z.max_z_velocity ?? maxVelocityMmS, maxZAccelMmS2: z.max_z_accel ?? maxAccelMmS2 };
    };
    if (name === 'hybrid_corexy' || name === 'hybrid_corexz') {
      const opts = { rails: [rail('x'), rail('y'), rail('z')], ...zLimits() };
      const hybrid = name === 'hybrid_corexy' ? new HybridCoreXYKinematics(opts) : new HybridCoreXZKinematics(opts);
      const dc = withDualCarriage(printer, config, name, hybrid, this);
      this.dualCarriage = dc.dualCarriage;
      return dc.kinematics;
    }
    if (name === 'winch') {
      // stepper_a, stepper_b, stepper_c, then stepper_d... while they exist (Klipper's order).
      const anchors: WinchAnchor[] = [];
      for (let i = 0; i < 26; i++) {
        const sectionName = `stepper_${String.fromCharCode(97 + i)}`;
        if (i >= 3 && !config.has(sectionName)) break;
        const s = config.get(sectionName);
        const a = s.read(WINCH_ANCHOR_OPTIONS);
        anchors.push({ steppers: [stepperOf(s).motion], x: a.anchor_x, y: a.anchor_y, z: a.anchor_z });
      }
      return new WinchKinematics(anchors);
    }
    if (name === 'polar') {
      const bed = stepperOf(config.get('stepper_bed'), { unitsInRadians: true });
      const axisRail = (sectionName: string, axis: 'x' | 'z') => {
        const s = config.get(sectionName);
        const st = stepperOf(s);
        const r = loadRail(printer, s, { hasRange: true });
        this.rails.set(s.name, r);
        this.homingRails.push(createHomingRail(printer, axis, st, r));
        return { st, r };
      };
      // Homing rails in the kinematics' rail order: the arm (homed with X/Y), then Z.
      const arm = axisRail('stepper_arm', 'x');
      const z = axisRail('stepper_z', 'z');
      const p = section.read(POLAR_OPTIONS);
      return new PolarKinematics({
        bed: [bed.motion],
        arm: [arm.st.motion],
        z: [z.st.motion],
        armMaxMm: arm.r.positionMaxMm,
        zMinMm: z.r.positionMinMm,
        zMaxMm: z.r.positionMaxMm,
        ...zLimits(),
        maxAngularVelocityRadS: p.max_angular_velocity,
        maxAngularAccelRadS2: p.max_angular_accel,
      });
    }
    if (name === 'deltesian') {
      const towers = [] as { steppers: MotionStepper[]; armLengthMm: number; armXLengthMm: number; positionEndstopMm: number }[];
      let left: { arm: number; armX: number; endstop: number } | undefined;
      for (const side of ['left', 'right']) {
        const s = config.get(`stepper_${side}`);
        const st = stepperOf(s);
        const r = loadRail(printer, s, { hasRange: false, defaultEndstopMm: left?.endstop });
        this.rails.set(s.name, r);
        // Both towers' carriages move vertically (homing-delta.ts homes them together).
        this.homingRails.push(createHomingRail(printer, 'z', st, r));
        const t = s.read(DELTESIAN_TOWER_OPTIONS, { arm_x_length: left?.armX, arm_length: left?.arm });
        for (const opt of ['arm_x_length', 'arm_length'] as const) {
          if (t[opt] === undefined) throw s.error(opt, `Option '${opt}' in section '${s.name}' must be specified`);
        }
        if (!(t.arm_length! > t.arm_x_length!))
          throw s.error('arm_length', `Option 'arm_length' in section '${s.name}' must be above arm_x_length (${t.arm_x_length})`);
        left ??= { arm: t.arm_length!, armX: t.arm_x_length!, endstop: r.position_endstop as number };
        towers.push({
          steppers: [st.motion],
          armLengthMm: t.arm_length!,
          armXLengthMm: t.arm_x_length!,
          positionEndstopMm: r.position_endstop as number,
        });
      }
      const y = rail('y');
      const d = section.read(DELTESIAN_OPTIONS);
      const [l, r] = towers as [(typeof towers)[0], (typeof towers)[0]];
      const widthMax = DeltesianKinematics.xRange(
        { arm: l.armLengthMm, armX: l.armXLengthMm },
        { arm: r.armLengthMm, armX: r.armXLengthMm },
        d.min_angle,
      );
      if (d.print_width !== undefined && d.print_width > widthMax) {
        throw section.error('print_width', `Option 'print_width' in section 'printer' must be at most ${widthMax} (what the arms reach)`);
      }
      try {
        return new DeltesianKinematics({
          left: l,
          right: r,
          y,
          minAngleDeg: d.min_angle,
          printWidthMm: d.print_width,
          minimumZPositionMm: d.minimum_z_position,
          ...zLimits(),
        });
      } catch (e) {
        throw section.error('minimum_z_position', `${(e as Error).message} in section 'printer'`);
      }
    }
    return null;
  }
}

/** Adds the steppers of `from` (its own and its extra steppers') to the steppers `rail`'s switch halts. */
function haltAlso(rail: HomingRail, from: HomingRail): void {
  for (const s of from.steppers) {
    if (rail.steppers.includes(s)) continue;
    rail.steppers.push(s);
    rail.endstop?.addStepper(s.oid, s.mcu);
  }
}

/** gcode_move's view of the toolhead. */
export function toolheadMoveTarget(th: Toolhead): MoveTarget {
  return {
    getPosition: () => Array.from(th.getPosition()),
    setPosition: (pos, homingAxes) => th.setPosition(pos, homingAxes),
    move: (pos, speed) => th.move(pos, speed),
    dwell: (s) => th.dwell(s),
    waitMoves: () => th.drainMoves(),
    getVelocityLimits: (): VelocityLimits => {
      const l = th.getVelocityLimits();
      return {
        maxVelocityMmS: l.maxVelocityMmS,
        maxAccelMmS2: l.maxAccelMmS2,
        squareCornerVelocityMmS: l.squareCornerVelocityMmS,
        minimumCruiseRatio: l.minimumCruiseRatio,
      };
    },
    setVelocityLimits: (l) => th.setVelocityLimit(l),
  };
}
