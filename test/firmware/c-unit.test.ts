import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths';

// The C unit tests of the firmware core (test/firmware/c), built by `make -C firmware native`
// in the global setup. The binary prints one line per test and exits non-zero on any failure.
const unitBinary = path.join(repoRoot, 'firmware/build/test/firmware-unit');

describe('firmware C unit tests', () => {
  it('build exists', () => {
    expect(existsSync(unitBinary), `${unitBinary} missing: run make -C firmware native`).toBe(true);
  });

  it('all pass', () => {
    let output = '';
    let status = 0;
    try {
      output = execFileSync(unitBinary, { encoding: 'utf8', timeout: 60_000 });
    } catch (err) {
      const e = err as { stdout?: string; status?: number };
      output = e.stdout ?? String(err);
      status = e.status ?? 1;
    }
    const summary = /(\d+) checks, (\d+) failed/.exec(output);
    expect(summary, `no summary line in:\n${output}`).not.toBeNull();
    expect(Number(summary![1])).toBeGreaterThan(50);
    expect(
      output.split('\n').filter((l) => l.startsWith('FAIL')),
      output,
    ).toEqual([]);
    expect(status).toBe(0);
    // The suites the firmware issue asks for all ran.
    for (const name of [
      'crc16',
      'vlq',
      'framing and resync',
      'dispatch and shutdown',
      'queue_step math',
      'max_duration shutdown',
      'adc reports and range shutdown',
    ]) {
      expect(output).toContain(`ok   ${name}`);
    }
  });
});
