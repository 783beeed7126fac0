// One endstop switch on an MCU (PROTOCOL.md 1.8: config_endstop, endstop_home,
// endstop_query_state) with its trsync: homing arms it for a move, QUERY_ENDSTOPS reads it.

import type { Mcu, McuCommand, McuQueryCommand } from './mcu';
import { McuTrsync, TRSYNC_REASON } from './trsync';

/** How the MCU confirms a trigger: 4 reads 15 us apart (Klipper's homing defaults). */
export const ENDSTOP_SAMPLE_TIME_S = 0.000015;
export const ENDSTOP_SAMPLE_COUNT = 4;

export class HomingCommError extends Error {
  override name = 'HomingCommError';
}

export class McuEndstop {
  readonly oid: number;
  readonly trsync: McuTrsync;
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

  /** Steppers this endstop stops when it fires. */
  addStepper(stepperOid: number): void {
    this.trsync.addStepper(stepperOid);
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
    const done = this.trsync.start(printTimeS);
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
    const reason = await this.trsync.stop();
    await onStopped();
    if (reason >= TRSYNC_REASON.COMMS_TIMEOUT) throw new HomingCommError('Communication timeout during homing');
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
