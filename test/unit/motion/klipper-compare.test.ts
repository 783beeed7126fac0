// Same G-code, same printer as Klipper's reference batch run (bench-cartesian.cfg +
// gen_gcode.py 10000): per stepper the same number of steps, the same directions, the same
// final position, and every step within 50 us of Klipper's (both sides may be 25 us early).

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { StepSink } from '../../../src-main/host/motion/index.js';
import { referenceDir, testOutputDir } from '../../support/paths.js';
import { toolsPresent } from '../../support/tools.js';
import { driveGcode, makeBenchPrinter } from './bench-printer.js';

/** Replays queue_step runs into absolute step clocks and directions (+1/-1 of the pin level). */
class ReplaySink implements StepSink {
  clocks = new Float64Array(1 << 16);
  dirs = new Int8Array(1 << 16);
  n = 0;
  private t = 0;
  private dir = 0;
  private push(c: number): void {
    if (this.n === this.clocks.length) {
      const c2 = new Float64Array(this.n * 2);
      c2.set(this.clocks);
      this.clocks = c2;
      const d2 = new Int8Array(this.n * 2);
      d2.set(this.dirs);
      this.dirs = d2;
    }
    this.clocks[this.n] = c;
    this.dirs[this.n++] = this.dir;
  }
  queueStep(interval: number, count: number, add: number): void {
    let iv = interval;
    for (let k = 0; k < count; k++) {
      this.t += iv;
      iv += add;
      this.push(this.t);
    }
  }
  setNextStepDir(dir: 0 | 1): void {
    this.dir = dir;
  }
}

// step_pin oids in the reference output: X PF0 = 2, Y PF6 = 5, Z PL3 = 8, E PA4 = 9
const OIDS = [2, 5, 8, 9];

describe.skipIf(!toolsPresent('python3'))('steps match Klipper on the 10k-move bench file', () => {
  it('same step counts, directions and times within 50 us per stepper', () => {
    mkdirSync(testOutputDir, { recursive: true });
    const gcodePath = path.join(testOutputDir, 'motion-zigzag-10k.gcode');
    execFileSync('python3', [path.join(referenceDir, 'bench/gen_gcode.py'), '10000', gcodePath], { stdio: 'ignore' });
    const ours = OIDS.map(() => new ReplaySink());
    const printer = makeBenchPrinter(ours);
    const activeClock: number[] = [];
    printer.steppers.forEach((s, k) => s.armActiveCallback((t) => (activeClock[k] = Math.floor(t * 16e6))));
    driveGcode(printer.toolhead, readFileSync(gcodePath, 'utf8'));
    // Klipper enables each driver (queue_digital_out on its enable pin) when the stepper first
    // moves: X/Y PD7/PF2 at 5618782, Z PK0 at 4000000, E PA2 at 23971723.
    expect(activeClock).toEqual([5618782, 5618782, 4000000, 23971723]);

    const ref = OIDS.map(() => new ReplaySink());
    const text = gunzipSync(readFileSync(path.join(referenceDir, 'klipper-out/zigzag-10k.klipper-decoded.txt.gz'))).toString();
    const re = /^(queue_step|set_next_step_dir) oid=(\d+) (?:interval=(\d+) count=(\d+) add=(-?\d+)|dir=(\d))$/gm;
    for (const m of text.matchAll(re)) {
      const k = OIDS.indexOf(Number(m[2]));
      if (k < 0) continue;
      if (m[1] === 'set_next_step_dir') ref[k]!.setNextStepDir(Number(m[6]) as 0 | 1);
      else ref[k]!.queueStep(Number(m[3]), Number(m[4]), Number(m[5]));
    }

    const expectedSteps = [1840098, 1889654, 7320, 142337]; // from shared/reference/README.md
    for (let k = 0; k < OIDS.length; k++) {
      const a = ref[k]!;
      const b = ours[k]!;
      expect(a.n).toBe(expectedSteps[k]);
      expect(b.n, `steps of oid ${OIDS[k]}`).toBe(a.n);
      let worst = 0;
      let dirMismatch = 0;
      let posA = 0;
      let posB = 0;
      for (let i = 0; i < a.n; i++) {
        const d = Math.abs(a.clocks[i]! - b.clocks[i]!);
        if (d > worst) worst = d;
        if (a.dirs[i] !== b.dirs[i]) dirMismatch++;
        posA += a.dirs[i] ? 1 : -1;
        posB += b.dirs[i] ? 1 : -1;
      }
      expect(dirMismatch, `direction mismatches on oid ${OIDS[k]}`).toBe(0);
      expect(posB).toBe(posA);
      expect(worst, `worst step time difference on oid ${OIDS[k]} (ticks)`).toBeLessThanOrEqual(800);
    }
  });
});
