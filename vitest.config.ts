import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    // DynamoDB Local and WordPress are shared per file; two cores suffice
    // for two files at a time.
    maxWorkers: 2,
  },
});
