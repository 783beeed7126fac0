import { defineConfig } from 'vitest/config';

/**
 * Our host on our firmware on a simulated AVR, paced against the wall clock: the host keeps
 * real-time deadlines against the image's 8 ms of allowed lateness and estimates the chip's clock
 * from its replies. Beside the other test files on 2 cores (load 10-15) the simulator is starved
 * for up to a second and the host's estimate runs hundreds of ms off, so these files run in a
 * phase of their own after everything else, one file at a time (two at a time, ~75 s instead
 * of ~95 s, failed 1 run in 9: the sliced print beside avr-live).
 */
const AVR_LIVE = 'test/integration/avr-host/**';

// One runner for everything: TS unit tests, C unit tests (driven from test/firmware),
// host <-> sim integration over real ptys, and Chromium end-to-end tests.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    environment: 'node',
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: ['test/bench/**', 'node_modules/**', AVR_LIVE],
          globalSetup: ['test/global-setup.ts'],
        },
      },
      {
        // Builds what it needs itself (the simavr board program and the AVR image, under a lock:
        // buildAvr in test/tools/simavr-printer/harness.ts); the main phase's build is not used.
        extends: true,
        test: {
          name: 'avr-live',
          include: [`${AVR_LIVE}/*.test.ts`],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
