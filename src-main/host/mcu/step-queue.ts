// One stepper's compressed steps on their way to the MCU: the StepSink that encodes queue_step
// and set_next_step_dir straight into the stepper's command queue, with the clocks the link
// schedules them by (PROTOCOL.md 1.4, 1.8):
// - queue_step: req_clock = the clock of the step before the run (the MCU loads the run then),
//   or the step itself for a lone far step; a move-queue entry held by the MCU until that clock,
//   so the link sends it only once the MCU has a free slot. No min_clock of its own.
// - set_next_step_dir: only sets a flag for the next queue_step in the MCU, so it may go out as
//   early as the run before it; req_clock = the last step sent, no min_clock. (Holding it until
//   the MCU reached that step delayed the next run of the same stepper past its first step.)
import { writeVlq } from './codec';
import type { CommandQueue } from './command-queue';
import type { Dictionary } from './dictionary';
import type { StepSink } from '../motion/step-sink';

/** Gaps at least this long are sent as a lone queue_step whose req_clock is the step itself. */
const CLOCK_DIFF_MAX = 3 << 28;

/** Message ids of the two step commands in the MCU's dictionary. */
export interface StepCommandIds {
  queueStep: number;
  setNextStepDir: number;
}

/** The step commands' ids in `dict` (they must exist: every stepper MCU has them). */
export function stepCommandIds(dict: Dictionary): StepCommandIds {
  return {
    queueStep: dict.lookupCommand('queue_step oid=%c interval=%u count=%hu add=%hi').id,
    setNextStepDir: dict.lookupCommand('set_next_step_dir oid=%c dir=%c').id,
  };
}

export class McuStepSink implements StepSink {
  private cq: CommandQueue | null = null;
  private ids: StepCommandIds | null = null;
  /** Clock of the last step sent (0 after a reset_step_clock). */
  lastClock = 0;
  stepCount = 0;
  queueStepCount = 0;
  /** Called before the first step run after the motor was disabled (enable pin). */
  onFirstStep: ((firstStepClock: number) => void) | null = null;

  constructor(readonly oid: number) {}

  /** Binds the sink to the stepper's command queue once the MCU's dictionary is known. */
  bind(cq: CommandQueue, ids: StepCommandIds): void {
    this.cq = cq;
    this.ids = ids;
  }

  queueStep(interval: number, count: number, add: number, startClock: number, endClock: number): void {
    const q = this.cq;
    if (!q) throw new Error('Stepper used before its MCU was configured');
    if (this.onFirstStep) this.onFirstStep(startClock + interval);
    const reqClock = count === 1 && interval >= CLOCK_DIFF_MAX ? startClock + interval : startClock;
    const pos = q.reserve(24);
    let p = writeVlq(q.bytes, pos, this.ids!.queueStep);
    p = writeVlq(q.bytes, p, this.oid);
    p = writeVlq(q.bytes, p, interval);
    p = writeVlq(q.bytes, p, count);
    p = writeVlq(q.bytes, p, add);
    q.commit(p, 0, reqClock, undefined, reqClock);
    this.lastClock = endClock;
    this.stepCount += count;
    this.queueStepCount++;
  }

  setNextStepDir(dir: 0 | 1): void {
    const q = this.cq;
    if (!q) throw new Error('Stepper used before its MCU was configured');
    const pos = q.reserve(12);
    let p = writeVlq(q.bytes, pos, this.ids!.setNextStepDir);
    p = writeVlq(q.bytes, p, this.oid);
    p = writeVlq(q.bytes, p, dir);
    q.commit(p, 0, this.lastClock);
  }
}
