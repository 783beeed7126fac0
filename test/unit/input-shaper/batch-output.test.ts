// [input_shaper] in batch mode (bench-cartesian-is-pa.cfg: mzv 50/45 Hz and pressure advance):
// the output decodes and every stepper ends where the plain config's run ends; with
// shaper_freq 0 and pressure_advance 0 the output is byte for byte the plain config's.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBatch } from '../../../src-main/host/batch';
import { decodeStream } from '../../../src-main/host/mcu/decode';
import { loadDictionaryFile } from '../../../src-main/host/mcu/dictionary';
import { StepTimeCollector } from '../../integration/batch/step-times';
import { referenceDir, testOutputDir } from '../../support/paths';

const dir = path.join(testOutputDir, 'input-shaper-batch');
const dictPath = path.join(referenceDir, 'klipper-dicts/atmega2560.dict');
const plainCfg = path.join(referenceDir, 'bench/bench-cartesian.cfg');
const shapedCfg = path.join(referenceDir, 'bench/bench-cartesian-is-pa.cfg');

async function batch(cfg: string, name: string): Promise<{ bytes: Buffer; steps: StepTimeCollector }> {
  const out = path.join(dir, `${name}.serial`);
  await runBatch({ configPath: cfg, inputPath: path.join(dir, 'zigzag.gcode'), outputPath: out, dictPath });
  const bytes = fs.readFileSync(out);
  const steps = new StepTimeCollector();
  decodeStream(loadDictionaryFile(dictPath), bytes, (l) => steps.line(l));
  return { bytes, steps };
}

beforeAll(() => {
  fs.mkdirSync(dir, { recursive: true });
  // Zig-zag extrusion lines with corners, a layer change every 20 lines.
  const lines = ['SET_KINEMATIC_POSITION X=100 Y=100 Z=5', 'G90', 'M83', 'G1 Z0.2 F600'];
  for (let i = 0; i < 600; i++) {
    if (i % 20 === 19) lines.push(`G1 Z${(0.2 + 0.2 * Math.ceil(i / 20)).toFixed(1)} F600`);
    lines.push(`G1 X${i % 2 ? 60 : 140} Y${(60 + (i % 20) * 2).toFixed(1)} E${i % 7 ? 2.5 : -0.8} F${i % 3 ? 6000 : 3000}`);
  }
  fs.writeFileSync(path.join(dir, 'zigzag.gcode'), lines.join('\n') + '\n');
});

describe('[input_shaper] batch output', () => {
  it('decodes; every stepper ends where the plain run ends', async () => {
    const plain = (await batch(plainCfg, 'plain')).steps.result();
    const shaped = (await batch(shapedCfg, 'shaped')).steps.result();
    for (const pin of ['PF0', 'PF6', 'PL3', 'PA4']) {
      expect(shaped.get(pin)!.position, pin).toBe(plain.get(pin)!.position);
      expect(shaped.get(pin)!.count, pin).toBeGreaterThan(0);
    }
    // Shaping moves X steps in time: the two runs' step times differ.
    expect(Array.from(shaped.get('PF0')!.clocks.subarray(0, 50))).not.toEqual(Array.from(plain.get('PF0')!.clocks.subarray(0, 50)));
  }, 60_000);

  it('shaper_freq 0 and pressure_advance 0: byte-identical to the plain config', async () => {
    const text = fs
      .readFileSync(shapedCfg, 'utf8')
      .replace(/^pressure_advance:.*$/m, 'pressure_advance: 0')
      .replace(/^shaper_freq_x:.*$/m, 'shaper_freq_x: 0')
      .replace(/^shaper_freq_y:.*$/m, 'shaper_freq_y: 0');
    expect(text).toMatch(/shaper_freq_x: 0\n/);
    const cfg = path.join(dir, 'off.cfg');
    fs.writeFileSync(cfg, text);
    const off = await batch(cfg, 'off');
    const plain = await batch(plainCfg, 'plain2');
    expect(off.bytes.equals(plain.bytes)).toBe(true);
  }, 60_000);
});
