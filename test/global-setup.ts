import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './support/paths';

// Build once, before any test file runs, what several suites use: the native firmware targets
// (sim, C unit tests) and the renderer bundle served by `serve` mode. Test files must not run
// these builds themselves, or parallel workers would race on the same outputs.
export default function setup(): void {
  if (existsSync(path.join(repoRoot, 'firmware/Makefile'))) {
    execFileSync('make', ['-C', 'firmware', '-j2', 'native'], { cwd: repoRoot, stdio: 'inherit' });
  }
  if (existsSync(path.join(repoRoot, 'src-renderer/index.html'))) {
    execFileSync('npm', ['run', '-s', 'build:renderer'], { cwd: repoRoot, stdio: 'inherit' });
  }
}
