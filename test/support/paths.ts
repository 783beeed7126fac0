import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Repository root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** shared/reference beside the repo (read-only in CI). */
export const referenceDir = path.resolve(repoRoot, '../shared/reference');
/** Where tests write screenshots, traces and other artefacts (git-ignored). */
export const testOutputDir = path.join(repoRoot, 'test-output');
