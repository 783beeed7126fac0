// `tether batch` end to end: exit codes, error texts with file:line, Klipper's and Tether's
// dictionaries.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { batchCommand, runBatch } from '../../../src-main/host/batch';
import { decodeStream } from '../../../src-main/host/mcu/decode';
import { loadDictionaryFile } from '../../../src-main/host/mcu/dictionary';
import { referenceDir, repoRoot, testOutputDir } from '../../support/paths';
import { StepTimeCollector } from './step-times';

const dir = path.join(testOutputDir, 'batch-cli');
const klipperDict = path.join(referenceDir, 'klipper-dicts/atmega2560.dict');
const tetherDict = path.join(repoRoot, 'firmware/build/sim/tether-sim.dict.json');
const cfg = path.join(referenceDir, 'bench/bench-cartesian.cfg');
const gcode = path.join(dir, 'small.gcode');

function write(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return { code: await batchCommand.run(args), stderr };
  } finally {
    spy.mockRestore();
    out.mockRestore();
  }
}

function decode(dictPath: string, serial: string): StepTimeCollector {
  const c = new StepTimeCollector();
  decodeStream(loadDictionaryFile(dictPath), fs.readFileSync(serial), (l) => c.line(l));
  return c;
}

beforeAll(() => {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('python3', [path.join(referenceDir, 'bench/gen_gcode.py'), '500', gcode], { stdio: 'ignore' });
});
afterEach(() => vi.restoreAllMocks());

describe('tether batch', () => {
  it("writes the same steps for Klipper's and Tether's dictionaries, each with its own clock", async () => {
    const outK = path.join(dir, 'k.serial');
    const outT = path.join(dir, 't.serial');
    const rk = await cli([cfg, '-i', gcode, '-o', outK, '-d', klipperDict]);
    const rt = await cli([cfg, '-i', gcode, '-o', outT, '-d', tetherDict]);
    expect(rk).toEqual({ code: 0, stderr: '' });
    expect(rt).toEqual({ code: 0, stderr: '' });
    const k = decode(klipperDict, outK);
    const t = decode(tetherDict, outT);
    // 2 us minimum step pulse: 32 ticks at 16 MHz, 100 ticks at the sim's 50 MHz.
    expect(k.configLines.filter((l) => l.startsWith('config_stepper')).every((l) => l.endsWith('invert_step=0 step_pulse_ticks=32'))).toBe(
      true,
    );
    expect(t.configLines.filter((l) => l.startsWith('config_stepper')).every((l) => l.endsWith('invert_step=0 step_pulse_ticks=100'))).toBe(
      true,
    );
    // The sim's dictionary has several names per pin number, so match steppers by config order.
    const kr = k.inConfigOrder();
    const tr = t.inConfigOrder();
    expect(kr.map((s) => s.stepPin)).toEqual(['PF0', 'PF6', 'PL3', 'PA4']);
    expect(tr).toHaveLength(4);
    kr.forEach((s, i) => {
      expect(s.count).toBeGreaterThan(0);
      expect(tr[i].count, s.stepPin).toBe(s.count);
      expect(tr[i].position, s.stepPin).toBe(s.position);
      // Same motion: the last step at the same time within the 25 us compression window.
      expect(Math.abs(s.clocks[s.count - 1] / 16e6 - tr[i].clocks[s.count - 1] / 50e6)).toBeLessThan(50e-6);
    });
  }, 60_000);

  it('fails with file:line for a bad config', async () => {
    const bad = write('bad.cfg', fs.readFileSync(cfg, 'utf8').replace('max_accel: 3000', 'max_accel: fast'));
    const line =
      fs
        .readFileSync(bad, 'utf8')
        .split('\n')
        .findIndex((l) => l.startsWith('max_accel')) + 1;
    const r = await cli([bad, '-i', gcode, '-o', path.join(dir, 'x.serial'), '-d', klipperDict]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `tether batch: Config error: Unable to parse option 'max_accel' in section 'printer': 'fast' is not a number (bad.cfg:${line})\n`,
    );
  });

  it('fails with the G-code line number for a move out of range', async () => {
    const g = write('oor.gcode', 'SET_KINEMATIC_POSITION X=0 Y=0 Z=0.5\nG90\n\nG1 X10 Y10 F6000\nG1 X500 Y10\nG1 X20\n');
    const r = await cli([cfg, '-i', g, '-o', path.join(dir, 'oor.serial'), '-d', klipperDict]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`tether batch: ${g}:5: Move out of range: 500.000 10.000 0.500 [0.000] in 'G1 X500 Y10'\n`);
    await expect(
      runBatch({
        configPath: cfg,
        inputPath: write('unk.gcode', 'G1 X1\r\nFOO\r\n'),
        outputPath: path.join(dir, 'u.serial'),
        dictPath: klipperDict,
      }),
    ).rejects.toThrow(/unk\.gcode:1: Must home axis first/);
    await expect(
      runBatch({
        configPath: cfg,
        inputPath: write('unk2.gcode', 'SET_KINEMATIC_POSITION X=0 Y=0 Z=1\r\nFOO_BAR X=1'),
        outputPath: path.join(dir, 'u.serial'),
        dictPath: klipperDict,
      }),
    ).rejects.toThrow(/unk2\.gcode:2: Unknown command: "FOO_BAR"$/);
  });

  it('streams the input: tiny read chunks give the same output and line numbers', async () => {
    const text = 'SET_KINEMATIC_POSITION X=0 Y=0 Z=0.5\n; comment with ünïcödé ✓\r\nG1 X10 Y10 F6000\nG1 X20\nG1 X500';
    const g = write('chunks.gcode', text);
    const outs = [];
    for (const readChunkBytes of [3, 5, 1 << 20]) {
      const out = path.join(dir, `chunk-${readChunkBytes}.serial`);
      const err = await runBatch({ configPath: cfg, inputPath: g, outputPath: out, dictPath: klipperDict, readChunkBytes }).catch(
        (e: Error) => e.message,
      );
      expect(err).toBe(`${g}:5: Move out of range: 500.000 10.000 0.500 [0.000] in 'G1 X500'`);
      outs.push(fs.readFileSync(out));
    }
    expect(outs[0].length).toBeGreaterThan(0);
    expect(Buffer.compare(outs[0], outs[2])).toBe(0);
    expect(Buffer.compare(outs[1], outs[2])).toBe(0);
  });

  it('explains bad arguments and missing files', async () => {
    expect((await cli([cfg, '-i', gcode, '-o', path.join(dir, 'y.serial')])).code).toBe(64);
    const r = await cli([cfg, '-i', path.join(dir, 'none.gcode'), '-o', path.join(dir, 'y.serial'), '-d', klipperDict]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Cannot read G-code file');
    const d = await cli([cfg, '-i', gcode, '-o', path.join(dir, 'y.serial'), '-d', path.join(dir, 'none.dict')]);
    expect(d.code).toBe(1);
  });
});
