// Expands decoded MCU messages (one per line, as `tether decode` and Klipper's decoded reference
// print them) into absolute step times per stepper, keyed by step_pin, so two hosts' outputs
// can be compared step by step whatever their block packing.

export interface StepperSteps {
  stepPin: string;
  /** Absolute MCU clock of every step, in order. */
  clocks: Float64Array;
  count: number;
  /** Net steps by direction pin level (dir=1 counts +1). */
  position: number;
  queueSteps: number;
}

interface Acc {
  stepPin: string;
  clocks: Float64Array;
  count: number;
  position: number;
  queueSteps: number;
  lastClock: number;
  dir: number;
}

function field(line: string, name: string): number {
  const i = line.indexOf(` ${name}=`);
  if (i < 0) throw new Error(`no ${name}= in '${line}'`);
  return parseInt(line.slice(i + name.length + 2), 10);
}

export class StepTimeCollector {
  private readonly byOid = new Map<number, Acc>();
  /** Config commands in order (config_*, finalize_config, allocate_oids). */
  readonly configLines: string[] = [];

  line(line: string): void {
    if (line.startsWith('queue_step ')) {
      const acc = this.acc(field(line, 'oid'));
      let interval = field(line, 'interval');
      const count = field(line, 'count');
      const add = field(line, 'add');
      if (acc.count + count > acc.clocks.length) {
        const grown = new Float64Array(Math.max(acc.clocks.length * 2, acc.count + count));
        grown.set(acc.clocks.subarray(0, acc.count));
        acc.clocks = grown;
      }
      let clock = acc.lastClock;
      for (let k = 0; k < count; k++) {
        clock += interval;
        interval += add;
        acc.clocks[acc.count++] = clock;
      }
      acc.lastClock = clock;
      acc.position += acc.dir ? count : -count;
      acc.queueSteps++;
    } else if (line.startsWith('set_next_step_dir ')) {
      this.acc(field(line, 'oid')).dir = field(line, 'dir');
    } else if (line.startsWith('reset_step_clock ')) {
      this.acc(field(line, 'oid')).lastClock = field(line, 'clock');
    } else if (line.startsWith('config_stepper ')) {
      this.configLines.push(line);
      this.acc(field(line, 'oid')).stepPin = /step_pin=(\S+)/.exec(line)?.[1] ?? '?';
    } else if (line.startsWith('config_') || line.startsWith('allocate_oids') || line.startsWith('finalize_config')) {
      this.configLines.push(line);
    }
  }

  private acc(oid: number): Acc {
    let a = this.byOid.get(oid);
    if (!a) {
      a = { stepPin: '?', clocks: new Float64Array(1024), count: 0, position: 0, queueSteps: 0, lastClock: 0, dir: 0 };
      this.byOid.set(oid, a);
    }
    return a;
  }

  /** Steppers in the order of their config_stepper commands. */
  inConfigOrder(): StepperSteps[] {
    const byPin = this.result();
    return this.configLines.filter((l) => l.startsWith('config_stepper')).map((l) => byPin.get(/step_pin=(\S+)/.exec(l)![1])!);
  }

  /** Steppers by step pin. */
  result(): Map<string, StepperSteps> {
    const out = new Map<string, StepperSteps>();
    for (const a of this.byOid.values()) {
      if (a.stepPin === '?') continue;
      out.set(a.stepPin, {
        stepPin: a.stepPin,
        clocks: a.clocks.subarray(0, a.count),
        count: a.count,
        position: a.position,
        queueSteps: a.queueSteps,
      });
    }
    return out;
  }
}

export interface StepComparison {
  stepPin: string;
  oursCount: number;
  theirsCount: number;
  oursPosition: number;
  theirsPosition: number;
  /** Largest |ours - theirs| over the common steps, in ticks, and where. */
  maxDiffTicks: number;
  maxDiffIndex: number;
  /** Steps whose time differs by more than the allowed ticks. */
  outside: number;
  firstOutside: number;
}

export function compareSteps(ours: StepperSteps, theirs: StepperSteps, allowedTicks: number): StepComparison {
  const n = Math.min(ours.count, theirs.count);
  let maxDiff = 0;
  let maxIdx = -1;
  let outside = 0;
  let firstOutside = -1;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(ours.clocks[i] - theirs.clocks[i]);
    if (d > maxDiff) {
      maxDiff = d;
      maxIdx = i;
    }
    if (d > allowedTicks) {
      if (firstOutside < 0) firstOutside = i;
      outside++;
    }
  }
  return {
    stepPin: ours.stepPin,
    oursCount: ours.count,
    theirsCount: theirs.count,
    oursPosition: ours.position,
    theirsPosition: theirs.position,
    maxDiffTicks: maxDiff,
    maxDiffIndex: maxIdx,
    outside,
    firstOutside,
  };
}
