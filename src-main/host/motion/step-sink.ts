// Where compressed steps go: the MCU link implements this per stepper (it adds oid, min/req clock).

export interface StepSink {
  /**
   * Steps at startClock + interval, then each next gap grows by add; count steps in total.
   * startClock is the clock of the step before this run (0 before the first); endClock the clock
   * of this run's last step. interval is uint32, add int16, 1 <= count <= 65535.
   */
  queueStep(interval: number, count: number, add: number, startClock: number, endClock: number): void;
  /** Sent before the first step after a direction change: the dir pin level (invert applied). */
  setNextStepDir(dir: 0 | 1): void;
}

/** A sink that only counts (benchmarks, tests, steppers nobody listens to). */
export class CountingStepSink implements StepSink {
  queueSteps = 0;
  steps = 0;
  dirChanges = 0;
  lastClock = 0;
  queueStep(_interval: number, count: number, _add: number, _start: number, endClock: number): void {
    this.queueSteps++;
    this.steps += count;
    this.lastClock = endClock;
  }
  setNextStepDir(): void {
    this.dirChanges++;
  }
}

/** A sink that records every message (tests, tools): decode them with decodeSteps(). */
export class RecordingStepSink implements StepSink {
  readonly messages: ({ interval: number; count: number; add: number } | { dir: 0 | 1 })[] = [];
  queueStep(interval: number, count: number, add: number): void {
    this.messages.push({ interval, count, add });
  }
  setNextStepDir(dir: 0 | 1): void {
    this.messages.push({ dir });
  }
  /** Replay as the MCU would: absolute clock and pin direction of every step. */
  decode(startClock = 0): { clocks: number[]; dirs: (0 | 1)[] } {
    const clocks: number[] = [];
    const dirs: (0 | 1)[] = [];
    let t = startClock;
    let dir: 0 | 1 = 0;
    for (const m of this.messages) {
      if ('dir' in m) {
        dir = m.dir;
        continue;
      }
      let iv = m.interval;
      for (let k = 0; k < m.count; k++) {
        t += iv;
        iv += m.add;
        clocks.push(t);
        dirs.push(dir);
      }
    }
    return { clocks, dirs };
  }
}
