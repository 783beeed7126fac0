// One endstop switch on an MCU (PROTOCOL.md 1.8: config_endstop, endstop_home,
// endstop_query_state) with its trsync: homing arms it for a move, QUERY_ENDSTOPS reads it.

import type { Mcu, McuCommand, McuQueryCommand } from './mcu';
import { homingCommTimeoutMessage } from './host-stalls';
import { McuTrsync, TriggerDispatch, TRSYNC_REASON } from './trsync';

/** How the MCU confirms a trigger: 4 reads 15 us apart (Klipper's homing defaults). */
export const ENDSTOP_SAMPLE_TIME_S = 0.000015;
export const ENDSTOP_SAMPLE_COUNT = 4;

export class HomingCommError extends Error {
  override name = 'HomingCommError';
}

export class McuEndstop {
  readonly oid: number;
  /** The trsync on the endstop's own MCU (its steppers there, and the trigger). */
  readonly trsync: McuTrsync;
  /** Trsyncs on other MCUs whose steppers this endstop also stops (multi-MCU homing). */
  private readonly otherTrsyncs = new Map<Mcu, McuTrsync>();
  private dispatch: TriggerDispatch | null = null;
  private homeCmd: McuCommand | null = null;
  private queryCmd: McuQueryCommand | null = null;
  private restTicks = 0;

  /** pin: MCU pin name; invert: '!' (a triggered switch reads low); pullup from '^'. */
  constructor(
    readonly mcu: Mcu,
    readonly pin: string,
    readonly invert: boolean,
    pullup: number,
  ) {
    this.oid = mcu.createOid();
    this.trsync = new McuTrsync(mcu);
    mcu.registerConfigCallback(() => {
      mcu.addConfigCmd(`config_endstop oid=${this.oid} pin=${pin} pull_up=${pullup}`);
      // A host restart must not leave the MCU polling for an old homing move.
      mcu.addConfigCmd(
        `endstop_home oid=${this.oid} clock=0 sample_ticks=0 sample_count=0 rest_ticks=0 pin_value=0 trsync_oid=0 trigger_reason=0`,
        { onRestart: true },
      );
      const cq = mcu.allocCommandQueue();
      this.homeCmd = mcu.lookupCommand(
        'endstop_home oid=%c clock=%u sample_ticks=%u sample_count=%c rest_ticks=%u pin_value=%c trsync_oid=%c trigger_reason=%c',
        cq,
      );
      this.queryCmd = mcu.lookupQueryCommand(
        'endstop_query_state oid=%c',
        'endstop_state oid=%c homing=%c next_clock=%u pin_value=%c',
        this.oid,
        cq,
      );
    });
  }

  /**
   * A stepper this endstop stops when it fires. A stepper on another MCU gets a trsync there
   * (config time only: it needs an oid), and homing relays the trigger to it.
   */
  addStepper(stepperOid: number, stepperMcu: Mcu = this.mcu): void {
    if (stepperMcu === this.mcu) {
      this.trsync.addStepper(stepperOid);
      return;
    }
    let t = this.otherTrsyncs.get(stepperMcu);
    if (!t) {
      t = new McuTrsync(stepperMcu);
      this.otherTrsyncs.set(stepperMcu, t);
    }
    t.addStepper(stepperOid);
  }

  /** True when homing with this endstop involves more than its own MCU. */
  get isMultiMcu(): boolean {
    return this.otherTrsyncs.size > 0;
  }

  /**
   * Arms the trsync and starts polling at printTimeS, every restTimeS. Resolves with the
   * trsync's reason when it fires (trigger, timeout or host request).
   */
  homeStart(printTimeS: number, restTimeS: number, triggered = true): Promise<number> {
    if (!this.homeCmd) throw new Error(`endstop ${this.oid} used before its MCU was configured`);
    const mcu = this.mcu;
    const clock = mcu.printTimeToClock(printTimeS);
    this.restTicks = Math.max(1, mcu.printTimeToClock(printTimeS + restTimeS) - clock);
    let done: Promise<number>;
    if (this.otherTrsyncs.size) {
      this.dispatch = new TriggerDispatch([this.trsync, ...this.otherTrsyncs.values()]);
      done = this.dispatch.start(printTimeS);
    } else {
      this.dispatch = null;
      done = this.trsync.start(printTimeS);
    }
    const pinValue = (triggered ? 1 : 0) ^ (this.invert ? 1 : 0);
    this.homeCmd.send(
      [
        this.oid,
        clock,
        mcu.secondsToClock(ENDSTOP_SAMPLE_TIME_S),
        ENDSTOP_SAMPLE_COUNT,
        this.restTicks,
        pinValue,
        this.trsync.oid,
        TRSYNC_REASON.ENDSTOP_HIT,
      ],
      { reqClock: clock },
    );
    return done;
  }

  /**
   * After the move: waits for the trsync (a report past homeEndPrintTimeS ends it as "no
   * trigger"), disarms, and returns the print time the switch triggered, or 0 if it did not.
   * `onStopped` runs once the MCU confirmed the stop (steppers are reset there).
   */
  async homeWait(homeEndPrintTimeS: number, onStopped: () => Promise<void>, giveUp: Promise<string>): Promise<number> {
    this.trsync.setHomeEndTime(homeEndPrintTimeS);
    const failed = await Promise.race([this.trsync.waitTriggered().then(() => null), giveUp]);
    if (failed !== null) throw new HomingCommError(failed);
    this.homeCmd!.send([this.oid, 0, 0, 0, 0, 0, 0, 0]);
    const reason = this.dispatch ? await this.dispatch.stop() : await this.trsync.stop();
    this.dispatch = null;
    await onStopped();
    if (reason >= TRSYNC_REASON.COMMS_TIMEOUT) throw new HomingCommError(homingCommTimeoutMessage());
    if (reason !== TRSYNC_REASON.ENDSTOP_HIT) return 0;
    if (this.mcu.isFileOutput()) return homeEndPrintTimeS;
    const p = await this.queryCmd!.send([this.oid]);
    const nextClock = this.mcu.clock32ToClock64(p.next_clock as number);
    return this.mcu.clockToPrintTime(nextClock - this.restTicks);
  }

  /** Whether the switch reads triggered once the MCU reaches printTimeS (QUERY_ENDSTOPS). */
  async queryTriggered(printTimeS: number): Promise<boolean> {
    if (!this.queryCmd) throw new Error(`endstop ${this.oid} used before its MCU was configured`);
    if (this.mcu.isFileOutput()) return false;
    const p = await this.queryCmd.send([this.oid], { minClock: this.mcu.printTimeToClock(printTimeS) });
    return ((p.pin_value as number) ^ (this.invert ? 1 : 0)) === 1;
  }
}
