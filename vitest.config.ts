import { defineConfig } from 'vitest/config';

// One runner for everything: TS unit tests, C unit tests (driven from test/firmware),
// host <-> sim integration over real ptys, and Chromium end-to-end tests.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/bench/**', 'node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    environment: 'node',
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
