import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths';

// The STM32 USB CDC-ACM class layer (firmware/boards/stm32/usb/usb_cdc.c, the same source the
// USB images link) run on the host against a scripted endpoint driver
// (test/firmware/c/usb_cdc_test.c), built by `make -C firmware native` in the global setup.
// It proves the descriptors and the control-request answers; the OTG_FS register driver and
// enumeration on real silicon are not tested (no simulator has the peripheral).
const unitBinary = path.join(repoRoot, 'firmware/build/test/usb-cdc-unit');

describe('STM32 USB CDC class layer', () => {
  it('all checks pass', () => {
    expect(existsSync(unitBinary), `${unitBinary} missing: run make -C firmware native`).toBe(true);
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
    expect(Number(summary![1])).toBeGreaterThan(100);
    expect(
      output.split('\n').filter((l) => l.startsWith('FAIL')),
      output,
    ).toEqual([]);
    expect(status).toBe(0);
    for (const name of [
      'device descriptor',
      'configuration descriptor',
      'string descriptors UTF-16LE',
      'SET_ADDRESS and SET_CONFIGURATION',
      'CDC line coding and control lines',
      'bulk data both ways',
    ]) {
      expect(output).toContain(`ok   ${name}`);
    }
  });
});
