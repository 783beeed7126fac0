// G28: homing through the MCU's endstops, as Klipper does it. Each axis is homed on its own:
// the toolhead is told it sits 1.5 x the travel away from the endstop, approaches at
// homing_speed until the endstop's trsync halts the steppers on the MCU, backs off
// homing_retract_dist, approaches again at second_homing_speed, and finally takes the position
// the MCU reports (the endstop position plus any steps taken after the trigger).
import { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import { parseLine } from '../gcode/parser';
import type { Toolhead, TrapQ } from '../motion/index';
import type { Printer } from '../printer';
import type { McuEndstop } from '../mcu/endstop';
import type { HomingRail } from './endstop';
import type { GCodeMove } from './gcode-move';
import { homeKinematics } from './homing-delta';
import type { PrinterStepper } from './stepper';
import type { StepperEnable } from './stepper-enable';
import { setHomingCurrents } from './tmc';

/** Time between arming the endstops and the start of the move (s). */
const HOMING_START_DELAY_S = 0.001;
/** A homing move's MCU replies may take this long past the move's planned end (s). */
const HOMING_REPLY_GRACE_S = 5;

export class HomingError extends Error {
  override name = 'HomingError';
}

/** One switch of a homing move and the steppers it halts (a rail's endstop, or an extra
 * stepper's own endstop such as [stepper_z1]'s). */
interface HomingEndstop {
  name: string;
  endstop: McuEndstop;
  steppers: PrinterStepper[];
}

interface StepperTrack {
  switch: HomingEndstop;
  stepper: PrinterStepper;
  startSteps: number;
  startMm: number;
  trigSteps: number;
}

/** Every switch of these rails (checked non-null by homeRails). */
function homingEndstopsOf(rails: HomingRail[]): HomingEndstop[] {
  return rails.flatMap((r) => [{ name: r.name, endstop: r.endstop!, steppers: r.steppers }, ...r.extraEndstops]);
}

/** Told about each homing or probing move and the steppers it moves ([homing_heaters]). */
export interface HomingMoveWatcher {
  homingMoveBegin(stepperNames: string[]): void;
  homingMoveEnd(): void;
}

/** What an endstop may do around each homing move on it (a TMC virtual endstop: StallGuard). */
interface EndstopMoveHooks {
  homingMoveBegin?(): Promise<void>;
  homingMoveEnd?(): Promise<void>;
}

export class Homing {
  private shutdownWaiters: ((reason: string) => void)[] = [];
  /** Axes homed by another object ([dual_carriage]: both carriages, each with homeRail). */
  private readonly axisHomers = new Map<number, (homeRail: (rail: HomingRail) => Promise<void>) => Promise<void>>();

  constructor(
    private readonly printer: Printer,
    gcode: GCodeDispatcher,
    private readonly toolhead: Toolhead,
    readonly rails: HomingRail[],
    private readonly estimatedPrintTimeS: () => number,
  ) {
    gcode.register('G28', (c) => this.cmdG28(c), {
      help: 'Home axes (all when none given)',
      params: { X: 'home X', Y: 'home Y', Z: 'home Z' },
    });
    printer.on('printer:shutdown', (reason) => {
      for (const w of this.shutdownWaiters.splice(0)) w(reason);
    });
  }

  async cmdG28(cmd: GCodeCommand): Promise<void> {
    let axes = [0, 1, 2].filter((i) => cmd.has('XYZ'[i]!));
    if (!axes.length) axes = [0, 1, 2];
    try {
      await this.homeAxes(axes);
    } catch (e) {
      if (this.printer.state === 'shutdown') throw new HomingError('Homing failed due to printer shutdown');
      // A half-homed machine must not be trusted: motors off, homing forgotten (Klipper does so).
      this.printer.lookupObjectOrNull<StepperEnable>('stepper_enable')?.motorsOff();
      throw e;
    }
  }

  /** Homes the given axes (0 = X, 1 = Y, 2 = Z) one after the other. */
  async homeAxes(axes: number[]): Promise<void> {
    // Delta, deltesian, polar, winch: towers together, the arm only, or no switches at all.
    const special = await homeKinematics(
      this.toolhead,
      axes,
      this.rails,
      (r, f, h, a) => this.homeRails(r, f, h, a),
      (r) => this.homeRail(r),
    );
    if (special) {
      this.printer.lookupObjectOrNull<GCodeMove>('gcode_move')?.noteHomed(special);
      return;
    }
    for (const i of axes) {
      const homer = this.axisHomers.get(i);
      if (homer) {
        await homer((r) => this.homeRail(r));
        continue;
      }
      const rail = this.rails.find((r) => r.axisIndex === i);
      if (!rail) continue;
      await this.homeRail(rail);
    }
    this.printer.lookupObjectOrNull<GCodeMove>('gcode_move')?.noteHomed(axes);
  }

  setAxisHomer(axisIndex: number, homer: (homeRail: (rail: HomingRail) => Promise<void>) => Promise<void>): void {
    this.axisHomers.set(axisIndex, homer);
  }

  private async homeRail(rail: HomingRail): Promise<void> {
    const th = this.toolhead;
    const s = rail.settings;
    const i = rail.axisIndex;
    const endstopMm = s.position_endstop!;
    const homePos = th.getPosition().slice();
    homePos[i] = endstopMm;
    const forcePos = homePos.slice();
    forcePos[i]! += s.homing_positive_dir ? -1.5 * (endstopMm - s.positionMinMm) : 1.5 * (s.positionMaxMm - endstopMm);
    await this.homeRails([rail], forcePos, homePos, rail.axis);
  }

  /**
   * Homes rails together: pretend to be at forcePos (beyond the other end of the travel), move
   * to homePos until every endstop fires, back off homing_retract_dist and approach again at
   * second_homing_speed. Speeds and distances are the first rail's (as Klipper). `axes` are
   * marked homed while moving so the homing moves pass the range checks.
   */
  private async homeRails(rails: HomingRail[], forcePos: number[], homePos: number[], axes: string): Promise<void> {
    const th = this.toolhead;
    for (const rail of rails) {
      if (!rail.endstop) {
        throw new HomingError(
          `G28: endstop_pin '${rail.settings.endstop_pin.text}' of [${rail.steppers[0]!.name}] is not an MCU pin; such endstops are not supported yet`,
        );
      }
    }
    th.setPosition(forcePos, axes);
    // [tmcXXXX] home_current: the drivers of every stepper homed switch to it for the homing.
    const homed = homingEndstopsOf(rails).flatMap((sw) => sw.steppers.map((st) => st.name));
    await setHomingCurrents(this.printer, homed, true, th);
    try {
      await this.homeApproaches(rails, forcePos, homePos);
    } finally {
      await setHomingCurrents(this.printer, homed, false, th);
    }
    th.flushStepGeneration();
  }

  /** The first approach, and after a retract the second (homeRails' steps). */
  private async homeApproaches(rails: HomingRail[], forcePos: number[], homePos: number[]): Promise<void> {
    const th = this.toolhead;
    const s = rails[0]!.settings;
    await this.homingMove(rails, homePos, s.homing_speed);
    if (s.homing_retract_dist > 0) {
      const d = homePos.map((h, k) => h - forcePos[k]!);
      const moveD = Math.hypot(d[0]!, d[1]!, d[2]!);
      const r = Math.min(1, s.homing_retract_dist / moveD);
      const retractPos = homePos.map((h, k) => h - d[k]! * r);
      th.move(retractPos, s.homing_retract_speed ?? s.homing_speed);
      // Approach again from twice the retract distance: the switch should fire half way.
      th.setPosition(retractPos.map((p, k) => p - d[k]! * r));
      const noMove = await this.homingMove(rails, homePos, s.second_homing_speed ?? s.homing_speed / 2);
      if (noMove) throw new HomingError(`Endstop ${noMove} still triggered after retract`);
    }
  }

  /**
   * One approach: arm every switch of the rails, drip the move until all fired (each halts only
   * its own steppers: a second Z motor with its own switch stops there), and take the steppers'
   * positions from the MCU. Returns the name of a switch that fired before its steppers moved
   * at all (null if none), for the "still triggered" check.
   */
  private async homingMove(rails: HomingRail[], movePos: number[], speedMmS: number): Promise<string | null> {
    // [homing_heaters] switches heaters off for the move (flaky endstops near heater wiring).
    const watcher = this.printer.lookupObjectOrNull<HomingMoveWatcher>('homing_heaters');
    watcher?.homingMoveBegin(homingEndstopsOf(rails).flatMap((sw) => sw.steppers.map((s) => s.name)));
    // A driver's virtual endstop switches its stall detection on for the move (and off after).
    const hooked = homingEndstopsOf(rails).map((sw) => sw.endstop as McuEndstop & EndstopMoveHooks);
    try {
      for (const e of hooked) await e.homingMoveBegin?.();
      return await this.runHomingMove(rails, movePos, speedMmS);
    } finally {
      watcher?.homingMoveEnd();
      for (const e of hooked) await e.homingMoveEnd?.();
    }
  }

  private async runHomingMove(rails: HomingRail[], movePos: number[], speedMmS: number): Promise<string | null> {
    const th = this.toolhead;
    th.flushStepGeneration();
    const startPos = th.getPosition();
    const switches = homingEndstopsOf(rails);
    const tracks: StepperTrack[] = switches.flatMap((sw) =>
      sw.steppers.map((stepper) => ({
        switch: sw,
        stepper,
        startSteps: stepper.motion.mcuPositionSteps,
        startMm: stepper.motion.commandedPositionMm,
        trigSteps: 0,
      })),
    );
    const printTimeS = th.getLastMoveTime();
    for (const sw of switches) sw.endstop.homeStart(printTimeS, this.pollIntervalS(sw.steppers, startPos, movePos, speedMmS));
    th.dwell(HOMING_START_DELAY_S);
    let error: string | null = null;
    let path: TrapQ | null = null;
    try {
      path = await th.dripMove(movePos, speedMmS, () => switches.every((sw) => sw.endstop.trsync.triggered));
    } catch (e) {
      error = `Error during homing move: ${(e as Error).message}`;
    }
    const moveEndS = th.getLastMoveTime();
    const giveUp = this.giveUpAfter(moveEndS);
    const trigTimes = new Map<HomingEndstop, number>();
    try {
      for (const sw of switches) {
        try {
          const onStopped = async () => {
            for (const s of sw.steppers) await s.noteHomingEnd();
          };
          const t = await sw.endstop.homeWait(moveEndS, onStopped, giveUp.promise);
          if (t > 0) trigTimes.set(sw, t);
          else if (error === null) error = `No trigger on ${sw.name} after full movement`;
        } catch (e) {
          error ??= `Error during homing ${sw.name}: ${(e as Error).message}`;
        }
      }
    } finally {
      giveUp.cancel();
    }
    th.flushStepGeneration();
    // Where each stepper was at its switch's trigger (from the planned path) and where the MCU halted it.
    const pos = [0, 0, 0];
    for (const t of tracks) {
      const tt = trigTimes.get(t.switch) ?? moveEndS;
      path?.positionAt(tt, pos);
      const m = t.stepper.motion;
      const railMm = path ? m.railPosition(pos[0]!, pos[1]!, pos[2]!) : t.startMm;
      t.trigSteps = t.startSteps + Math.round((railMm - t.startMm) / m.stepDistMm);
    }
    // The trigger is at movePos by definition; steps the rail's main stepper took after it
    // (before the halt) move on. Extra steppers keep whatever offset their own switches gave
    // them (that is the squaring); the toolhead follows each rail's main stepper, as Klipper.
    let haltPos = movePos.slice();
    const kin = th.kinematics;
    const railMm = kin.railPositions(movePos[0]!, movePos[1]!, movePos[2]!);
    let over = false;
    for (const t of tracks) {
      const overSteps = t.stepper.motion.mcuPositionSteps - t.trigSteps;
      let k = this.rails.findIndex((r) => r.steppers[0] === t.stepper);
      // A rail past the kinematics' own ([dual_carriage]'s carriage) drives its axis's; when the
      // axis's own motor halted on the same switch (hybrid's Y/Z homing moves both carriages
      // alike), that one already counts the overrun.
      if (k >= railMm.length) {
        k = this.rails[k]!.axisIndex;
        if (tracks.some((o) => o.stepper === this.rails[k]!.steppers[0])) continue;
      }
      if (!overSteps || k < 0) continue;
      over = true;
      railMm[k]! += overSteps * t.stepper.motion.stepDistMm;
    }
    if (over) haltPos = [...kin.cartesianPosition(railMm), movePos[3]!];
    th.setPosition(haltPos);
    if (error !== null) throw new HomingError(error);
    const still = tracks.find((t) => t.trigSteps === t.startSteps);
    return still ? still.switch.name : null;
  }

  /** Poll the endstop about once per step of the move (Klipper's rate). */
  private pollIntervalS(steppers: PrinterStepper[], startPos: number[], movePos: number[], speedMmS: number): number {
    const moveT = Math.hypot(movePos[0]! - startPos[0]!, movePos[1]! - startPos[1]!, movePos[2]! - startPos[2]!) / speedMmS;
    let maxSteps = 0;
    for (const s of steppers) {
      const m = s.motion;
      const d = Math.abs(m.railPosition(startPos[0]!, startPos[1]!, startPos[2]!) - m.railPosition(movePos[0]!, movePos[1]!, movePos[2]!));
      maxSteps = Math.max(maxSteps, d / m.stepDistMm);
    }
    return maxSteps > 0 ? moveT / maxSteps : 0.001;
  }

  /**
   * A probing move ([probe]'s PROBE, bed tools): from where the toolhead is, straight towards
   * movePos at speedMmS until `endstop` (which stops `steppers`) fires. Resolves to the toolhead
   * position at the trigger; the toolhead is left where the MCU halted the steppers. Klipper's
   * errors: "No trigger on probe after full movement", "Probe triggered prior to movement".
   */
  async probingMove(
    endstop: NonNullable<HomingRail['endstop']>,
    steppers: HomingRail['steppers'],
    movePos: number[],
    speedMmS: number,
  ): Promise<number[]> {
    const th = this.toolhead;
    const kin = th.kinematics;
    const z = this.rails.find((r) => r.axisIndex === 2);
    if (!z) throw new HomingError('Probing needs a Z axis');
    th.flushStepGeneration();
    const startPos = th.getPosition().slice();
    // Each rail's main stepper, indexed like kin.railPositions (homingMove's convention).
    const main = this.rails.map((r) => r.steppers[0]!.motion);
    const startSteps = main.map((m) => m.mcuPositionSteps);
    // A rail of its own named 'probe', so homingMove's messages read as Klipper's.
    const rail: HomingRail = { ...z, name: 'probe', endstop, steppers, extraEndstops: [] };
    const early = await this.homingMove([rail], movePos, speedMmS);
    // homingMove puts the trigger at movePos (homing's rule) plus the steps run after it; a
    // probe triggers wherever the bed is: count the MCU's steps from the start instead.
    const railsOf = (p: ArrayLike<number>) => kin.railPositions(p[0]!, p[1]!, p[2]!);
    const [start, after, target] = [railsOf(startPos), railsOf(th.getPosition()), railsOf(movePos)];
    const halt = start.map((s, k) => s + (main[k]!.mcuPositionSteps - startSteps[k]!) * main[k]!.stepDistMm);
    const trigger = halt.map((h, k) => h - (after[k]! - target[k]!));
    th.setPosition([...kin.cartesianPosition(halt), startPos[3]!]);
    if (early) throw new HomingError('Probe triggered prior to movement');
    return kin.cartesianPosition(trigger);
  }

  /** Resolves with a reason when the printer shuts down or the MCU stays silent too long. */
  private giveUpAfter(moveEndS: number): { promise: Promise<string>; cancel: () => void } {
    let timer: NodeJS.Timeout | null = null;
    let waiter: ((reason: string) => void) | null = null;
    const promise = new Promise<string>((resolve) => {
      waiter = (reason) => resolve(`printer shut down (${reason})`);
      this.shutdownWaiters.push(waiter);
      const waitS = Math.max(0, moveEndS - this.estimatedPrintTimeS()) + HOMING_REPLY_GRACE_S;
      timer = setTimeout(() => resolve(`no reply from the MCU within ${waitS.toFixed(1)} s of the homing move's end`), waitS * 1000);
    });
    return {
      promise,
      cancel: () => {
        if (timer) clearTimeout(timer);
        this.shutdownWaiters = this.shutdownWaiters.filter((w) => w !== waiter);
      },
    };
  }
}

/** A G28 command built in code (safe_z_home, homing_override call the real G28 with it). */
export function g28Command(axes: string): GCodeCommand {
  const line = `G28${[...axes.toUpperCase()].map((a) => ` ${a}0`).join('')}`;
  return new GCodeCommand(parseLine(line), line);
}
