import { defineConfig } from 'vitest/config';
import { externalServerUrl } from './test/support/global-setup.js';

// The whole suite runs on PostgreSQL 18; the SQL-level suites (test/pg/**) run again on 14, because
// catalog columns, MERGE and error texts differ. With DATABASE_URL or PGHOST set, everything runs
// once against that server.
const shared = {
  globalSetup: ['./test/support/global-setup.ts'],
  setupFiles: ['./test/support/leak-check.ts'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
  teardownTimeout: 30_000,
};

const external = externalServerUrl() !== undefined;
const only = process.env.TEST_PG_MAJORS?.split(',');
const wanted = (major: string) => !only || only.includes(major);

export default defineConfig({
  // Per checkout, so several worktrees sharing one node_modules never share a cache.
  cacheDir: '.tmp/vite',
  test: {
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    pool: 'forks',
    maxWorkers: 3,
    projects: [
      ...(external || wanted('18')
        ? [
            {
              test: {
                ...shared,
                name: external ? 'external' : 'pg18',
                include: ['test/**/*.test.ts'],
                env: { TEST_PG_MAJOR: '18' },
              },
            },
          ]
        : []),
      ...(!external && wanted('14')
        ? [
            {
              test: {
                ...shared,
                name: 'pg14',
                include: ['test/pg/**/*.test.ts'],
                env: { TEST_PG_MAJOR: '14' },
              },
            },
          ]
        : []),
    ],
  },
});
