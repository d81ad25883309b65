import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file gets a fresh database cloned from a migrated template, so files run side by side. Vitest's
    // default (one worker less than the cores) is a single worker on a 2-core CI machine, where much of a file's
    // time is waiting on chromium or PostgreSQL; two workers there measured 515 s against 688 s for one.
    pool: 'forks',
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Limits that only catch a hang: no test measures speed, and a 2-core machine under a load of 6 or more takes
    // several times as long as an idle one (the CLI tests timed out at 60 s there).
    testTimeout: 10 * 60_000,
    hookTimeout: 10 * 60_000,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
