import { defineConfig } from 'vitest/config';

// The rules engine is pure, so its tests need none of the database setup in vitest.config.ts.
export default defineConfig({
  test: {
    include: ['test/rules/**/*.test.ts'],
  },
});
