// The MCU end of a serial link, modelled on the atmega2560 running Tether's firmware, for
// deterministic step-ordering tests under fake timers: bytes take their wire time at 250000 baud
// (10 bits a byte), every accepted block is acked, and every queue_step / set_next_step_dir is
// replayed the way the firmware's stepper does it, recording what the firmware would object to:
// - a run that arrives after its first step was due ("Stepper too far in past", here with no
//   tolerance at all; the firmware allows 8 ms);
// - more move-queue entries held than move_count ("Move queue overflow"). An entry is held
//   from its arrival until the stepper loads it: when the run before it ends.
import { BlockReceiver, frameBlock, MESSAGE_HEADER_SIZE } from '../../../src-main/host/mcu/codec';
import type { Dictionary } from '../../../src-main/host/mcu/dictionary';
import type { ByteTransport } from '../../../src-main/host/mcu/transport';

export const CLOCK_FREQ = 16_000_000;
const BAUD = 250_000;

interface StepperState {
  /** Clock of the last step of everything queued so far (the next run starts after it). */
  endClock: number;
  nextDir: 0 | 1;
  position: number;
  steps: number;
}

export interface Arrival {
  oid: number;
  /** MCU clock when the message was decoded. */
  clock: number;
  /** The run's start: the clock of the step before it (its req_clock). */
  startClock: number;
  firstStepClock: number;
}

export class FakeAvrLink {
  readonly arrivals: Arrival[] = [];
  /** Runs whose first step was already due when they arrived. */
  readonly late: string[] = [];
  readonly overflows: string[] = [];
  maxHeld = 0;
  readonly steppers = new Map<number, StepperState>();
  /** Clocks at which held move-queue entries are loaded (and freed). */
  private held: number[] = [];
  /** The link is already in sync (identify done): the host's first block has seq 1. */
  private expected = 1;
  private wireFreeS = 0;
  private toHost: ((d: Uint8Array) => void) | null = null;
  private readonly rx = new BlockReceiver((block, seq) => this.onBlock(block, seq));

  constructor(
    private readonly dict: Dictionary,
    private readonly moveCount: number,
    private readonly now: () => number,
    private readonly t0S: number,
  ) {}

  clockAt(tS: number): number {
    return Math.round((tS - this.t0S) * CLOCK_FREQ);
  }

  transport(): ByteTransport {
    return {
      write: (d) => {
        const copy = d.slice();
        const now = this.now();
        this.wireFreeS = Math.max(this.wireFreeS, now) + (copy.length * 10) / BAUD;
        setTimeout(() => this.rx.push(copy), (this.wireFreeS - now) * 1000);
      },
      onData: (cb) => (this.toHost = cb),
      onClose: () => undefined,
      close: async () => undefined,
    };
  }

  private stepper(oid: number): StepperState {
    let s = this.steppers.get(oid);
    if (!s) this.steppers.set(oid, (s = { endClock: 0, nextDir: 0, position: 0, steps: 0 }));
    return s;
  }

  private onBlock(block: Uint8Array, seq: number): void {
    // Out of order: NAK (the host retransmits).
    const inOrder = seq === this.expected;
    if (inOrder) this.expected = (this.expected + 1) & 15;
    const ack = frameBlock(this.expected, new Uint8Array(0));
    setTimeout(() => this.toHost?.(ack), 1);
    if (!inOrder) return;
    const clock = this.clockAt(this.now());
    for (const m of this.dict.decodeMessages(block, MESSAGE_HEADER_SIZE, block.length - 3, 'commands')) {
      const p = m.params as Record<string, number>;
      if (m.format.name === 'set_next_step_dir') this.stepper(p.oid).nextDir = p.dir ? 1 : 0;
      if (m.format.name !== 'queue_step') continue;
      const s = this.stepper(p.oid);
      const startClock = s.endClock;
      const firstStepClock = startClock + p.interval;
      const what = `oid ${p.oid} run from ${startClock} arrived at ${clock}`;
      if (clock > firstStepClock) this.late.push(`${what}: first step ${firstStepClock} already due`);
      this.arrivals.push({ oid: p.oid, clock, startClock, firstStepClock });
      // Entries loaded by now have left the move queue; this one stays until its run starts.
      this.held = this.held.filter((c) => c > clock);
      this.held.push(Math.max(clock, startClock));
      this.maxHeld = Math.max(this.maxHeld, this.held.length);
      if (this.held.length > this.moveCount) this.overflows.push(`${what}: ${this.held.length} entries held`);
      // Replay the run: step k at start + k*interval + add*k*(k-1)/2.
      const n = p.count;
      s.endClock = startClock + n * p.interval + (p.add * n * (n - 1)) / 2;
      s.position += s.nextDir ? n : -n;
      s.steps += n;
    }
  }
}
