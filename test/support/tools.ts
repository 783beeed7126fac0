import { execFileSync } from 'node:child_process';

/** True when running under CI, where a missing tool is a failure, never a skip. */
export const inCI = process.env.CI === 'true';

/** Whether an executable is on PATH. */
export function hasTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * For `describe.skipIf(!toolsPresent(...))`: returns false (skip) when a tool is missing on a
 * developer machine, but throws under CI=true so a missing tool fails the run instead.
 */
export function toolsPresent(...names: string[]): boolean {
  const missing = names.filter((n) => !hasTool(n));
  if (missing.length === 0) return true;
  if (inCI) throw new Error(`CI is missing required tool(s): ${missing.join(', ')}`);
  return false;
}
