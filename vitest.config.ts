import { defineConfig } from 'vitest/config';

/**
 * Three projects, one run (`vitest run`; `vitest run --project unit` for one of them):
 * - unit: pure code, no services started;
 * - infra: the CDK app synthesized in-process, with its own bundles; no services either;
 * - integration: one DynamoDB Local for the run (global setup) and, per test file, the
 *   environment of the local host with its own journey runtime (setup file).
 */
export default defineConfig({
  test: {
    // Most of the slow files wait on DynamoDB Local, a host process or real seconds passing, not on
    // a core: three at a time finish sooner than one per core.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Handlers log through Powertools; their expected errors stay out of the test output.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    projects: [
      // Unit files share their workers' modules (no isolation): each file in a fresh process loaded
      // zod, the SDK and the core again, and the unit project took 71 s of CPU instead of 30-39. They
      // hold no state between files: what they change of the environment, they restore.
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], isolate: false } },
      // Building every function's bundle and synthesizing takes over a minute on two busy cores.
      {
        extends: true,
        test: { name: 'infra', include: ['tests/infra/**/*.test.ts'], hookTimeout: 240_000, setupFiles: ['tests/support/infra-scratch.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          // A journey test advances the clock through weeks of every customer in its file; on a
          // busy CI machine with three files at a time one such test has taken over 30 s.
          testTimeout: 120_000,
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/support/dynamodb-local-setup.ts'],
          setupFiles: ['tests/support/environment.ts'],
        },
      },
    ],
  },
});
