import { readFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeCommand } from '../../../src-main/host/mcu/cli';
import { decodeStream } from '../../../src-main/host/mcu/decode';
import { loadDictionaryFile } from '../../../src-main/host/mcu/dictionary';
import { referenceDir, testOutputDir } from '../../support/paths';

const dictPath = path.join(referenceDir, 'klipper-dicts/atmega2560.dict');
const serialPath = path.join(referenceDir, 'klipper-out/zigzag-10k.klipper.serial');
const expected = gunzipSync(readFileSync(path.join(referenceDir, 'klipper-out/zigzag-10k.klipper-decoded.txt.gz')))
  .toString('utf8')
  .split('\n')
  .filter((l) => l.length > 0);

describe("decode of Klipper's batch output", () => {
  it('prints exactly the messages Klipper decoded, in order', () => {
    const lines: string[] = [];
    const stats = decodeStream(loadDictionaryFile(dictPath), readFileSync(serialPath), (l) => lines.push(l));
    expect(stats.badBlocks).toBe(0);
    expect(stats.undecodable).toBe(0);
    expect(lines.length).toBe(expected.length);
    expect(lines.slice(0, 20000)).toEqual(expected.slice(0, 20000));
    expect(lines).toEqual(expected);
  });

  it('tether decode writes the same text to a file', async () => {
    mkdirSync(testOutputDir, { recursive: true });
    const out = path.join(testOutputDir, 'mcu-decode-zigzag.txt');
    const code = await decodeCommand.run([dictPath, serialPath, '-o', out]);
    expect(code).toBe(0);
    const text = readFileSync(out, 'utf8')
      .split('\n')
      .filter((l) => l);
    expect(text.length).toBe(expected.length);
    expect(text.filter((l) => l.startsWith('queue_step')).length).toBe(expected.filter((l) => l.startsWith('queue_step')).length);
    expect(text.slice(-50)).toEqual(expected.slice(-50));
  });

  it('the config CRC Klipper sent is zlib CRC32 of the newline-joined config lines', () => {
    const fin = expected.findIndex((l) => l.startsWith('finalize_config'));
    const crc = crc32(expected.slice(0, fin).join('\n'));
    expect(expected[fin]).toBe(`finalize_config crc=${crc}`);
  });

  it('rejects bad arguments with usage', async () => {
    expect(await decodeCommand.run([dictPath])).toBe(64);
    expect(await decodeCommand.run([dictPath, '/nonexistent.serial'])).toBe(1);
  });
});
