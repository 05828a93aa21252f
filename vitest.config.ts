import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (main) and ESM (module). Node, and so every
    // dependency, loads the CommonJS one; Vite would give our sources the ESM one,
    // and two graphql instances refuse each other's types.
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ (again before each watch-mode rerun): server processes run what `npm start` runs, threads their bundles; and makes the migrated templates.
    globalSetup: ['test/globalSetup.ts'],
    // Fails a file that leaves a database, server or process open (test/helpers/leftovers.ts).
    setupFiles: ['test/leftoverGuard.ts'],
    // After hooks in the reverse order of their registration (vitest 4's default, which the guard relies on).
    sequence: { hooks: 'stack' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: more workers only make PGlite and PostgreSQL fight for them.
    maxWorkers: 2,
  },
});
