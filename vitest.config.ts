import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    // Conformance tallies are printed from afterAll hooks; keep them visible in CI logs.
    silent: false,
  },
});
