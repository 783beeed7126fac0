import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeStream } from '../../../src-main/host/mcu/decode';
import { loadDictionaryFile } from '../../../src-main/host/mcu/dictionary';
import { Mcu } from '../../../src-main/host/mcu/mcu';
import { McuStepSink, stepCommandIds } from '../../../src-main/host/mcu/step-queue';
import { referenceDir, testOutputDir } from '../../support/paths';

const dict = loadDictionaryFile(path.join(referenceDir, 'klipper-dicts/atmega2560.dict'));
const reference = gunzipSync(readFileSync(path.join(referenceDir, 'klipper-out/zigzag-10k.klipper-decoded.txt.gz')))
  .toString('utf8')
  .split('\n')
  .filter((l) => l);

function decodeFile(file: string): string[] {
  const lines: string[] = [];
  const stats = decodeStream(dict, readFileSync(file), (l) => lines.push(l));
  expect(stats.badBlocks + stats.undecodable).toBe(0);
  return lines;
}

describe('file-output Mcu (batch mode)', () => {
  mkdirSync(testOutputDir, { recursive: true });

  it("reproduces Klipper's config block for the zig-zag run, CRC included", async () => {
    const out = path.join(testOutputDir, 'mcu-file-config.serial');
    const mcu = new Mcu({ name: 'mcu', fileOutput: { dictionary: dict, output: out } });
    const fin = reference.findIndex((l) => l.startsWith('finalize_config'));
    const configLines = reference.slice(1, fin); // after allocate_oids
    const oidCount = Number(/count=(\d+)/.exec(reference[0])![1]);
    mcu.registerConfigCallback(() => {
      for (let i = 0; i < oidCount; i++) mcu.createOid();
      for (const l of configLines) mcu.addConfigCmd(l);
      mcu.addConfigCmd(reference[fin + 1], { isInit: true });
      mcu.addConfigCmd('reset_step_clock oid=2 clock=0', { onRestart: true }); // not for a fresh MCU
    });
    let ready = false;
    mcu.on('ready', () => (ready = true));
    await mcu.connect();
    expect(ready).toBe(true);
    await mcu.close();
    expect(decodeFile(out)).toEqual(reference.slice(0, fin + 2));
  });

  it('packs queued commands by req_clock across queues and takes move-queue slots', async () => {
    const out = path.join(testOutputDir, 'mcu-file-steps.serial');
    const mcu = new Mcu({ fileOutput: { dictionary: dict, output: out, moveCount: 4 } });
    const qa = mcu.allocCommandQueue();
    const qb = mcu.allocCommandQueue();
    await mcu.connect();
    const stepA = new McuStepSink(2);
    stepA.bind(qa, stepCommandIds(dict));
    const digital = mcu.lookupCommand('queue_digital_out oid=%c clock=%u on_ticks=%u', qb);
    // Queue A gets all its messages first; B's interleave by req_clock in the output.
    for (let i = 0; i < 10; i++) stepA.queueStep(1000 + i, 5, -3, 100 + i * 20, 100 + i * 20 + 5 * (1000 + i));
    for (let i = 0; i < 10; i++) digital.send([11, 110 + i * 20, i], { reqClock: 110 + i * 20 });
    expect(mcu.getClockAt(mcu.monotonic())).toBeGreaterThanOrEqual(0);
    await mcu.close();
    const lines = decodeFile(out).slice(2); // allocate_oids, finalize_config
    const expected: string[] = [];
    for (let i = 0; i < 10; i++) {
      expected.push(`queue_step oid=2 interval=${1000 + i} count=5 add=-3`);
      expected.push(`queue_digital_out oid=11 clock=${110 + i * 20} on_ticks=${i}`);
    }
    expect(lines).toEqual(expected);
  });

  it('writes 100,000 queue_steps that decode back exactly', async () => {
    const out = path.join(testOutputDir, 'mcu-file-bulk.serial');
    const mcu = new Mcu({ fileOutput: { dictionary: dict, output: out } });
    const cq = mcu.allocCommandQueue();
    await mcu.connect();
    const sinks = [0, 1, 2, 3].map((oid) => new McuStepSink(oid));
    for (const sink of sinks) sink.bind(cq, stepCommandIds(dict));
    const n = 100_000;
    let clock = 0;
    for (let i = 0; i < n; i++) {
      clock += 3000;
      sinks[i % 4]!.queueStep(1000 + (i % 5000), 1 + (i % 300), (i % 200) - 100, clock, clock);
    }
    await mcu.close();
    const lines = decodeFile(out);
    expect(lines.length).toBe(n + 2);
    for (const i of [0, 1, 4999, 77777, n - 1]) {
      expect(lines[i + 2]).toBe(`queue_step oid=${i % 4} interval=${1000 + (i % 5000)} count=${1 + (i % 300)} add=${(i % 200) - 100}`);
    }
    const status = mcu.getStatus();
    expect(status.moveCount).toBe(500);
    expect(status.lastStats.bytesWrite).toBe(readFileSync(out).length);
  });

  it('rejects queries: there is no MCU to answer', async () => {
    const mcu = new Mcu({ fileOutput: { dictionary: dict, output: path.join(testOutputDir, 'mcu-file-q.serial') } });
    await mcu.connect();
    const q = mcu.lookupQueryCommand('stepper_get_position oid=%c', 'stepper_position oid=%c pos=%i', 0);
    await expect(q.send([0])).rejects.toThrow(/needs a live MCU/);
    await mcu.close();
  });

  it('names a bad config line', async () => {
    const mcu = new Mcu({ fileOutput: { dictionary: dict, output: path.join(testOutputDir, 'mcu-file-bad.serial') } });
    mcu.addConfigCmd('config_stepper oid=0 step_pin=PZ9 dir_pin=PF1 invert_step=0 step_pulse_ticks=32');
    await expect(mcu.connect()).rejects.toThrow(/unknown pin 'PZ9'/);
  });
});
