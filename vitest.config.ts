import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources (the `source` export condition), so tests
  // never run against a stale dist/.
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    // Conformance tallies are printed from afterAll hooks; keep them visible in CI logs.
    silent: false,
    // Many tests drive real servers, child processes and the AWS CLI (each CLI call starts a Python
    // interpreter): on a shared 2-core machine the default 5 s cut them off while they were still
    // progressing. Tests still wait on events, not on time; this only bounds a test that hangs.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
