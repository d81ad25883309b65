import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

/** Files that replace a module with vi.mock: they need a module registry of their own. */
const mocking = ['test/sessions/lockout-race.test.ts'];

/**
 * Globs (comma-separated) left out of every project. `vitest --exclude` only reaches the root config, which the
 * projects below do not extend, so a script that leaves files out (`npm run test:dates` drops test/browser)
 * says so here.
 */
const excluded = (process.env.LOJAL_TEST_EXCLUDE ?? '').split(',').map((g) => g.trim()).filter(Boolean);

const common = {
  // Each file gets a fresh database cloned from a migrated template, so files run side by side.
  pool: 'forks',
  // Limits that only catch a hang: no test measures speed, and a 2-core machine under a load of 6 or more takes
  // several times as long as an idle one (the CLI tests timed out at 60 s there).
  testTimeout: 10 * 60_000,
  hookTimeout: 10 * 60_000,
  // expect.poll waits for what it polls for; its own default of one second failed a browser test whose page took
  // longer than that to draw its figures on a loaded machine. The limit only catches a hang, like the two above.
  expect: { poll: { timeout: 10 * 60_000 } },
  // Runs once per run for both projects (it builds the migrated template; see the file).
  globalSetup: ['test/support/global-setup.ts'],
} as const;

export default defineConfig({
  test: {
    // Vitest's default (one worker less than the cores) is a single worker on a 2-core CI machine, where much of
    // a file's time is waiting on chromium or PostgreSQL; two workers there measured 515 s against 688 s for one.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        extends: false,
        test: {
          ...common,
          name: 'shared',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...mocking, ...excluded],
          // A worker keeps the modules it loaded from one file to the next instead of importing the whole app
          // again for each (measured on 22 files: 307 s against 622 s). Every file still gets its own database
          // and app; nothing in src keeps state that one file could leave for another, and no file here mocks.
          isolate: false,
        },
      },
      { extends: false, test: { ...common, name: 'isolated', include: mocking, exclude: [...configDefaults.exclude, ...excluded] } },
    ],
  },
});
