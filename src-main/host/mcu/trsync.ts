// Trigger synchronisation (the MCU's trsync, PROTOCOL.md 1.8): one trsync per homing endstop.
// Armed for a homing move, it stops the listed steppers the moment its endstop fires. The MCU
// reports every report_ticks; each report extends the MCU's timeout, so if the host goes quiet
// the MCU fires the trsync itself (comms timeout) and the carriage stops instead of crashing.

import type { Mcu, McuCommand, McuQueryCommand } from './mcu';
import { watchHostStalls } from './host-stalls';

/** Why a trsync fired (the MCU sends these back in trsync_state). */
export const TRSYNC_REASON = {
  ENDSTOP_HIT: 1,
  HOST_REQUEST: 2,
  PAST_END_TIME: 3,
  COMMS_TIMEOUT: 4,
} as const;

/**
 * How long the MCU waits for the host to extend a homing trsync before it stops the steppers
 * itself ("Communication timeout during homing"). Klipper uses 0.25 s with one MCU; we allow
 * 0.5 s because hosts share loaded machines (tests, the app). Safety is unchanged: a homing move
 * has only DRIP_AHEAD_S (0.25 s) of steps queued on the MCU beyond "now" anyway.
 */
export const TRSYNC_SINGLE_MCU_TIMEOUT_S = 0.5;
/**
 * The same for a homing move whose endstop and steppers sit on different MCUs: the host relays
 * the trigger, so every MCU stops its steppers on its own unless the host confirms in time.
 * Klipper uses 0.025 s. Here the host is a Node process on machines shared with other work:
 * with 0.05 s, host stalls of ~60 ms on a loaded 2-core box failed 2 homings in 3 with
 * "Communication timeout during homing". 0.25 s (Klipper's single-MCU value) bounds the
 * overtravel when the host really dies to 0.25 s x homing speed (2.5 mm at 10 mm/s); a normal
 * relay still arrives within a few ms (the relay time, not this timeout, sets the precision).
 */
export const TRSYNC_MULTI_MCU_TIMEOUT_S = 0.25;
/** Reports come this often, as a fraction of the timeout. */
const REPORT_FRACTION = 0.3;

export class McuTrsync {
  readonly oid: number;
  /** Stepper oids stopped by this trsync. */
  private readonly stepperOids: number[] = [];
  private startCmd: McuCommand | null = null;
  private setTimeoutCmd: McuCommand | null = null;
  private triggerCmd: McuCommand | null = null;
  private stopOnTriggerCmd: McuCommand | null = null;
  private queryCmd: McuQueryCommand | null = null;
  private expireTicks = 0;
  /** Where the current arming starts (MCU clock): earlier reports are stale. */
  private startClock = 0;
  private homeEndClock: number | null = null;
  private completion: { promise: Promise<number>; resolve: (reason: number) => void } | null = null;
  /** Set once the trsync fired during this homing move. */
  triggered = false;
  /** Multi-MCU homing: the group that relays triggers and extends timeouts (null: on its own). */
  private dispatch: TriggerDispatch | null = null;
  /** Last timeout clock sent (multi-MCU: only ever extended). */
  expireClock = 0;

  constructor(readonly mcu: Mcu) {
    this.oid = mcu.createOid();
    mcu.registerConfigCallback(() => {
      mcu.addConfigCmd(`config_trsync oid=${this.oid}`);
      // After a host restart the MCU may still hold an armed trsync: disarm it.
      mcu.addConfigCmd(`trsync_start oid=${this.oid} report_clock=0 report_ticks=0 expire_reason=0`, { onRestart: true });
      const cq = mcu.allocCommandQueue();
      this.startCmd = mcu.lookupCommand('trsync_start oid=%c report_clock=%u report_ticks=%u expire_reason=%c', cq);
      this.setTimeoutCmd = mcu.lookupCommand('trsync_set_timeout oid=%c clock=%u', cq);
      this.triggerCmd = mcu.lookupCommand('trsync_trigger oid=%c reason=%c', cq);
      this.stopOnTriggerCmd = mcu.lookupCommand('stepper_stop_on_trigger oid=%c trsync_oid=%c', cq);
      this.queryCmd = mcu.lookupQueryCommand(
        'trsync_trigger oid=%c reason=%c',
        'trsync_state oid=%c can_trigger=%c trigger_reason=%c clock=%u',
        this.oid,
        cq,
      );
    });
  }

  addStepper(stepperOid: number): void {
    if (!this.stepperOids.includes(stepperOid)) this.stepperOids.push(stepperOid);
  }

  /**
   * Arms the trsync at printTimeS: reports every 0.3 x timeout, and the MCU fires it with
   * 'comms timeout' unless the host keeps extending. Resolves with the reason it fired.
   */
  start(printTimeS: number, expireTimeoutS = TRSYNC_SINGLE_MCU_TIMEOUT_S, dispatch: TriggerDispatch | null = null): Promise<number> {
    if (!this.startCmd) throw new Error(`trsync ${this.oid} used before its MCU was configured`);
    watchHostStalls(); // so a communication timeout can say whether this host stalled
    const mcu = this.mcu;
    let resolve!: (reason: number) => void;
    const promise = new Promise<number>((r) => (resolve = r));
    this.completion = { promise, resolve };
    this.triggered = false;
    this.homeEndClock = null;
    this.dispatch = dispatch;
    const clock = mcu.printTimeToClock(printTimeS);
    this.startClock = clock;
    this.expireTicks = mcu.secondsToClock(expireTimeoutS);
    const expireClock = clock + this.expireTicks;
    this.expireClock = expireClock;
    const reportTicks = mcu.secondsToClock(expireTimeoutS * REPORT_FRACTION);
    mcu.registerResponse(
      (p) => this.handleState(p.can_trigger as number, p.trigger_reason as number, p.clock as number),
      'trsync_state',
      this.oid,
    );
    this.startCmd.send([this.oid, clock, reportTicks, TRSYNC_REASON.COMMS_TIMEOUT], { reqClock: clock });
    for (const s of this.stepperOids) this.stopOnTriggerCmd!.send([s, this.oid]);
    this.setTimeoutCmd!.send([this.oid, expireClock], { reqClock: expireClock });
    if (mcu.isFileOutput()) this.fire(TRSYNC_REASON.ENDSTOP_HIT);
    return promise;
  }

  private handleState(canTrigger: number, reason: number, clock32: number): void {
    const clock = this.mcu.clock32ToClock64(clock32);
    // A report from before this arming belongs to the previous homing move (the answer to its
    // stop query, or its trigger report, still on the wire when the next phase armed): it must
    // not end this move. Every report of this arming is at or after its start clock.
    if (clock < this.startClock) return;
    if (this.dispatch) {
      this.dispatch.handleState(this, canTrigger, reason, clock);
      return;
    }
    if (!canTrigger) {
      this.fire(reason);
      return;
    }
    if (this.homeEndClock !== null && clock >= this.homeEndClock) {
      // The move is over and nothing fired: end it as "past end time" (no trigger).
      this.homeEndClock = null;
      this.triggerCmd!.send([this.oid, TRSYNC_REASON.PAST_END_TIME]);
      return;
    }
    // The host is alive: push the MCU's deadline on.
    this.setTimeoutCmd!.send([this.oid, clock + this.expireTicks]);
  }

  /** @internal multi-MCU: whether a report at `clock` is past the homing move's end. */
  pastHomeEnd(clock: number): boolean {
    if (this.homeEndClock === null || clock < this.homeEndClock) return false;
    this.homeEndClock = null;
    return true;
  }

  /** @internal asks the MCU to fire now with `reason` (end of move, relayed trigger). */
  sendTrigger(reason: number): void {
    this.triggerCmd!.send([this.oid, reason]);
  }

  /** @internal multi-MCU: pushes the MCU's deadline to `clock` (never backwards). */
  extendTimeout(clock: number): void {
    if (clock <= this.expireClock) return;
    this.expireClock = clock;
    this.setTimeoutCmd!.send([this.oid, clock]);
  }

  /** @internal */
  fire(reason: number): void {
    this.triggered = true;
    const c = this.completion;
    if (c) c.resolve(reason);
  }

  /** The homing move ends at printTimeS: after that the next report ends the wait. */
  setHomeEndTime(printTimeS: number): void {
    this.homeEndClock = this.mcu.printTimeToClock(printTimeS);
  }

  /** Resolves when the trsync fired (or at once when no start() is pending). */
  waitTriggered(): Promise<number> {
    return this.completion?.promise ?? Promise.resolve(TRSYNC_REASON.HOST_REQUEST);
  }

  /** Disarms: asks the MCU to fire (if it has not) and returns the reason it first fired with. */
  async stop(): Promise<number> {
    this.mcu.registerResponse(null, 'trsync_state', this.oid);
    this.completion = null;
    this.dispatch = null;
    this.homeEndClock = null;
    if (this.mcu.isFileOutput()) return TRSYNC_REASON.ENDSTOP_HIT;
    const p = await this.queryCmd!.send([this.oid, TRSYNC_REASON.HOST_REQUEST]);
    return p.trigger_reason as number;
  }
}

/**
 * Multi-MCU homing (Klipper's "trigger dispatch"): one trsync on each MCU taking part, the
 * endstop's first. When any of them fires, the host relays it to the others at once (the
 * endstop's MCU halts its own steppers itself; the others wait for the relay). Every MCU's
 * deadline is extended only up to the oldest report of all of them plus the timeout, so if any
 * MCU or the host goes quiet, every MCU stops its steppers by itself.
 */
export class TriggerDispatch {
  private readonly lastReportS = new Map<McuTrsync, number>();
  private relayed = false;

  /** trsyncs[0] is the endstop's (its reason is the homing result). */
  constructor(
    readonly trsyncs: McuTrsync[],
    private readonly timeoutS = TRSYNC_MULTI_MCU_TIMEOUT_S,
  ) {
    if (trsyncs.length < 2) throw new Error('TriggerDispatch needs trsyncs on at least two MCUs');
  }

  /** Arms every trsync at printTimeS; resolves with the endstop trsync's reason when it fires. */
  start(printTimeS: number): Promise<number> {
    this.relayed = false;
    this.lastReportS.clear();
    const [primary, ...others] = this.trsyncs;
    for (const t of this.trsyncs) this.lastReportS.set(t, printTimeS);
    for (const t of others) void t.start(printTimeS, this.timeoutS, this);
    return primary!.start(printTimeS, this.timeoutS, this);
  }

  /** @internal a trsync_state report from one of the MCUs (clock already 64-bit). */
  handleState(from: McuTrsync, canTrigger: number, reason: number, clock: number): void {
    if (!canTrigger) {
      from.fire(reason);
      if (!this.relayed) {
        this.relayed = true;
        for (const t of this.trsyncs) if (t !== from && !t.triggered) t.sendTrigger(TRSYNC_REASON.HOST_REQUEST);
      }
      return;
    }
    if (this.relayed) return;
    if (from === this.trsyncs[0] && from.pastHomeEnd(clock)) {
      // The move is over and nothing fired: end it as "past end time" (no trigger) on every MCU
      // at once, so none waits for a relay (and times out) after the move.
      this.relayed = true;
      for (const t of this.trsyncs) t.sendTrigger(TRSYNC_REASON.PAST_END_TIME);
      return;
    }
    this.lastReportS.set(from, from.mcu.clockToPrintTime(clock));
    let oldestS = Infinity;
    for (const s of this.lastReportS.values()) oldestS = Math.min(oldestS, s);
    const expireS = oldestS + this.timeoutS;
    for (const t of this.trsyncs) t.extendTimeout(t.mcu.printTimeToClock(expireS));
  }

  /** Disarms every trsync; returns the endstop's reason, or COMMS_TIMEOUT if any MCU timed out. */
  async stop(): Promise<number> {
    const reasons = await Promise.all(this.trsyncs.map((t) => t.stop()));
    if (reasons.some((r) => r === TRSYNC_REASON.COMMS_TIMEOUT)) return TRSYNC_REASON.COMMS_TIMEOUT;
    return reasons[0]!;
  }
}
