// Batch mode against Klipper: bench-cartesian.cfg + gen_gcode.py 10000 + atmega2560.dict, our
// decoded output vs Klipper's decoded output, per stepper (by step_pin): same step count, same
// final position, every step time within 50 us of Klipper's.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBatch, type BatchResult } from '../../../src-main/host/batch';
import { decodeStream } from '../../../src-main/host/mcu/decode';
import { loadDictionaryFile } from '../../../src-main/host/mcu/dictionary';
import { referenceDir, testOutputDir } from '../../support/paths';
import { compareSteps, StepTimeCollector } from './step-times';

const dir = path.join(testOutputDir, 'batch-klipper');
const dictPath = path.join(referenceDir, 'klipper-dicts/atmega2560.dict');
const cfgPath = path.join(referenceDir, 'bench/bench-cartesian.cfg');
/** 50 us at the atmega2560's 16 MHz. */
const ALLOWED_TICKS = 50e-6 * 16e6;
const PINS = { PF0: 'stepper_x', PF6: 'stepper_y', PL3: 'stepper_z', PA4: 'extruder' };

let result: BatchResult;
let ours: StepTimeCollector;
let theirs: StepTimeCollector;

beforeAll(async () => {
  fs.mkdirSync(dir, { recursive: true });
  const gcode = path.join(dir, 'zigzag-10k.gcode');
  execFileSync('python3', [path.join(referenceDir, 'bench/gen_gcode.py'), '10000', gcode], { stdio: 'ignore' });
  const out = path.join(dir, 'zigzag-10k.serial');
  result = await runBatch({ configPath: cfgPath, inputPath: gcode, outputPath: out, dictPath });
  ours = new StepTimeCollector();
  decodeStream(loadDictionaryFile(dictPath), fs.readFileSync(out), (l) => ours.line(l));
  theirs = new StepTimeCollector();
  const ref = zlib.gunzipSync(fs.readFileSync(path.join(referenceDir, 'klipper-out/zigzag-10k.klipper-decoded.txt.gz'))).toString();
  for (const l of ref.split('\n')) theirs.line(l);
}, 120_000);

describe('batch mode vs Klipper (zigzag 10k, atmega2560)', () => {
  it('configures the same steppers as Klipper', () => {
    const strip = (l: string) => l.replace(/oid=\d+ /, '');
    const steppers = (c: StepTimeCollector) => c.configLines.filter((l) => l.startsWith('config_stepper')).map(strip);
    expect(steppers(ours)).toEqual(steppers(theirs));
    // Enable pins as Klipper configures them (heater pins, with a max_duration: batch-heaters/).
    const outs = (c: StepTimeCollector) =>
      c.configLines.filter((l) => l.startsWith('config_digital_out') && l.endsWith('max_duration=0')).map(strip);
    expect(outs(ours)).toEqual(
      ['PD7', 'PF2', 'PK0', 'PA2'].map((p) => `config_digital_out pin=${p} value=1 default_value=1 max_duration=0`),
    );
    for (const l of outs(ours)) expect(outs(theirs)).toContain(l);
    expect(ours.configLines.at(-1)).toMatch(/^finalize_config crc=\d+$/);
  });

  for (const [pin, name] of Object.entries(PINS)) {
    it(`${name} (${pin}): same steps, same final position, every step within 50 us`, () => {
      const o = ours.result().get(pin);
      const t = theirs.result().get(pin);
      expect(o, `no steps for ${pin} in our output`).toBeDefined();
      expect(t).toBeDefined();
      const c = compareSteps(o!, t!, ALLOWED_TICKS);
      const figures = result.steppers.find((s) => s.stepPin === pin);
      expect(figures?.steps).toBe(o!.count);
      expect({ count: c.oursCount, position: c.oursPosition }).toEqual({ count: c.theirsCount, position: c.theirsPosition });
      expect(c.outside, `first step outside 50 us: #${c.firstOutside}; max diff ${c.maxDiffTicks} ticks at #${c.maxDiffIndex}`).toBe(0);
    });
  }
});
