// Batch output with pressure advance (bench-cartesian.cfg + pressure_advance: 0.05) on a sliced
// file from shared/reference: it decodes, every stepper ends exactly where the G-code left it
// (the same net steps as without advance), and with pressure_advance: 0 the output is byte for
// byte the one without the option (the code path of before). [input_shaper] in batch mode:
// test/unit/input-shaper/commands.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBatch } from '../../../src-main/host/batch';
import { decodeStream } from '../../../src-main/host/mcu/decode';
import { loadDictionaryFile } from '../../../src-main/host/mcu/dictionary';
import { StepTimeCollector } from '../../integration/batch/step-times';
import { referenceDir, testOutputDir } from '../../support/paths';

const dir = path.join(testOutputDir, 'pressure-advance-batch');
const dictPath = path.join(referenceDir, 'klipper-dicts/atmega2560.dict');
const plainCfg = path.join(referenceDir, 'bench/bench-cartesian.cfg');
/** Commands the bench config handles; the slicer's M201/M204/M900/G29... are left out. */
const KEEP = /^(G0|G1|G4|G90|G91|G92|M82|M83|M104|M109|M140|M190)\b/;
const PINS = ['PF0', 'PF6', 'PL3', 'PA4'];

async function batch(cfg: string, gcode: string, name: string): Promise<{ bytes: Buffer; steps: StepTimeCollector }> {
  const out = path.join(dir, `${name}.serial`);
  await runBatch({ configPath: cfg, inputPath: gcode, outputPath: out, dictPath });
  const bytes = fs.readFileSync(out);
  const steps = new StepTimeCollector();
  decodeStream(loadDictionaryFile(dictPath), bytes, (l) => steps.line(l));
  return { bytes, steps };
}

let gcode = '';

/** bench-cartesian.cfg with a pressure_advance line in [extruder], written to test-output. */
function withAdvance(value: string): string {
  const text = fs.readFileSync(plainCfg, 'utf8').replace('[extruder]\n', `[extruder]\npressure_advance: ${value}\n`);
  const cfg = path.join(dir, `advance-${value}.cfg`);
  fs.writeFileSync(cfg, text);
  return cfg;
}
let plain: Awaited<ReturnType<typeof batch>>;
let shaped: Awaited<ReturnType<typeof batch>>;

beforeAll(async () => {
  fs.mkdirSync(dir, { recursive: true });
  // The first ~12 layers of the benchy: hulls, infill, retractions, travel; G28 replaced by a known position.
  const lines = fs.readFileSync(path.join(referenceDir, 'gcode/benchy-prusaslicer-2.6.1.gcode'), 'utf8').split('\n');
  const kept = ['SET_KINEMATIC_POSITION X=100 Y=100 Z=5', 'G90', 'M83'];
  // From the first layer on (the purge line before it runs at Y-2, outside the bench printer).
  for (const l of lines.slice(lines.findIndex((x) => x.startsWith(';LAYER_CHANGE')))) {
    if (kept.length > 5000) break;
    if (KEEP.test(l)) kept.push(l.replace(/;.*/, ''));
  }
  gcode = path.join(dir, 'benchy-start.gcode');
  fs.writeFileSync(gcode, kept.join('\n') + '\n');
  plain = await batch(plainCfg, gcode, 'plain');
  shaped = await batch(withAdvance('0.05'), gcode, 'shaped');
}, 120_000);

describe('batch output with pressure advance', () => {
  it('decodes, and every stepper ends where the plain run ends (final E exact)', () => {
    const a = plain.steps.result();
    const b = shaped.steps.result();
    for (const pin of PINS) {
      const pa = a.get(pin)!;
      const pb = b.get(pin)!;
      expect(pb, pin).toBeDefined();
      expect(pb.position, pin).toBe(pa.position);
      expect(pb.count, pin).toBeGreaterThan(0);
      // Steps in time order, each after the one before.
      for (let i = 1; i < pb.count; i++) if (!(pb.clocks[i]! > pb.clocks[i - 1]!)) throw new Error(`${pin}: step ${i} not after ${i - 1}`);
    }
    // Pressure advance adds back-and-forth extruder steps around every speed change.
    expect(b.get('PA4')!.count).toBeGreaterThan(a.get('PA4')!.count);
    console.log(`extruder steps plain ${a.get('PA4')!.count}, with PA ${b.get('PA4')!.count}; net ${b.get('PA4')!.position}`);
  });

  it('pressure_advance: 0 gives byte-identical output to the config without it', async () => {
    const off = await batch(withAdvance('0'), gcode, 'off');
    expect(fs.readFileSync(withAdvance('0'), 'utf8')).toMatch(/pressure_advance: 0\n/);
    expect(off.bytes.equals(plain.bytes)).toBe(true);
  }, 60_000);
});
