import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/dynamodb-local-setup.ts'],
    setupFiles: ['tests/support/environment.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
