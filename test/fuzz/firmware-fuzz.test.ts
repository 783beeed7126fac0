import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inCI, toolsPresent } from '../support/tools';
import { repoRoot, testOutputDir } from '../support/paths';

// Runs the libFuzzer harness on the firmware receive path (test/fuzz/fuzz_receive.c):
// 30 s under CI, 5 s otherwise (FUZZ_SECONDS overrides). Any crash, sanitizer report or
// hang (one input taking over 10 s) fails the test; the failing input is kept in
// test-output/fuzz/ for replay with `firmware/build/fuzz/fuzz_receive <file>`.
const seconds = Number(process.env.FUZZ_SECONDS ?? (inCI ? 30 : 5));
const fuzzer = path.join(repoRoot, 'firmware/build/fuzz/fuzz_receive');
const corpus = path.join(repoRoot, 'firmware/build/fuzz/corpus');
const artifacts = path.join(testOutputDir, 'fuzz');
// Inputs the fuzzer once found to break the firmware, replayed on every run.
const regressions = path.join(repoRoot, 'test/fuzz/regressions');

describe.skipIf(!toolsPresent('clang'))('firmware receive-path fuzzing', () => {
  it(`runs ${seconds} s without a crash or hang`, { timeout: (seconds + 120) * 1000 }, () => {
    // Not part of `make native` (needs clang with libFuzzer), so it is built here.
    execFileSync('make', ['-C', 'firmware', 'fuzz'], { cwd: repoRoot, stdio: 'pipe' });
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
    const run = spawnSync(
      fuzzer,
      [`-max_total_time=${seconds}`, '-timeout=10', '-rss_limit_mb=1024', `-artifact_prefix=${artifacts}/`, corpus],
      { encoding: 'utf8', timeout: (seconds + 60) * 1000 },
    );
    const log = `${run.stdout}\n${run.stderr}`;
    const tail = log.split('\n').slice(-40).join('\n');
    expect(run.error, tail).toBeUndefined();
    expect(log, tail).not.toMatch(/ERROR: (libFuzzer|AddressSanitizer|UndefinedBehaviorSanitizer)|runtime error:/);
    expect(run.status, tail).toBe(0);
    // It really ran: libFuzzer reports how many inputs it executed.
    const done = /Done (\d+) runs/.exec(log);
    expect(done, tail).not.toBeNull();
    expect(Number(done![1])).toBeGreaterThan(1000);
    const crashes = readdirSync(artifacts).filter((f) => /^(crash|timeout|leak|oom)-/.test(f));
    expect(crashes).toEqual([]);
  });

  it('replays the inputs that once crashed the firmware', { timeout: 120_000 }, () => {
    execFileSync('make', ['-C', 'firmware', 'fuzz'], { cwd: repoRoot, stdio: 'pipe' });
    const files = readdirSync(regressions).map((f) => path.join(regressions, f));
    expect(files.length).toBeGreaterThan(0);
    const run = spawnSync(fuzzer, files, { encoding: 'utf8', timeout: 60_000 });
    const log = `${run.stdout}\n${run.stderr}`;
    expect(log, log).not.toMatch(/ERROR: (libFuzzer|AddressSanitizer|UndefinedBehaviorSanitizer)|runtime error:/);
    expect(run.status, log).toBe(0);
    expect(log.match(/Executed .* in \d+ ms/g) ?? []).toHaveLength(files.length);
  });
});
