import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { repoRoot } from '../support/paths';

// Runs one of the native C test binaries that `make -C firmware native` builds in the global set-up
// (firmware/build/test/NAME). Each prints "ok   <suite>" / "FAIL ..." lines and a
// "<n> checks, <m> failed" summary, and exits non-zero on any failure.
export function expectCUnitBinaryPasses(name: string, minChecks: number, suites: string[]): void {
  const binary = path.join(repoRoot, 'firmware/build/test', name);
  expect(existsSync(binary), `${binary} missing: run make -C firmware native`).toBe(true);
  let output = '';
  let status = 0;
  try {
    output = execFileSync(binary, { encoding: 'utf8', timeout: 60_000 });
  } catch (err) {
    const e = err as { stdout?: string; status?: number };
    output = e.stdout ?? String(err);
    status = e.status ?? 1;
  }
  const summary = /(\d+) checks, (\d+) failed/.exec(output);
  expect(summary, `no summary line in:\n${output}`).not.toBeNull();
  expect(Number(summary![1])).toBeGreaterThan(minChecks);
  expect(
    output.split('\n').filter((l) => l.startsWith('FAIL')),
    output,
  ).toEqual([]);
  expect(status).toBe(0);
  for (const suite of suites) expect(output).toContain(`ok   ${suite}`);
}
