import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // A PostgreSQL server for the users-from-a-database tests (issue 19); BI_NO_PG=1 skips it.
    globalSetup: ['test/pg/server.ts'],
    hookTimeout: 120_000,
  },
});
