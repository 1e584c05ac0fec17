/*
 * The playbooks against the local AWS emulator (moto server on 127.0.0.1).
 * One emulator per jest worker for the whole run, started and stopped around
 * it; a worker runs one file at a time, and each file resets its worker's
 * emulator and seeds its own account (support/emulator-handle.ts). One worker
 * here, for a file run by hand; `make integration` runs two (--maxWorkers).
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/integration'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFiles: ['<rootDir>/test/support/jest-env.ts'],
  // A failed beforeAll fails its tests with its own error, without cascading (see the file).
  setupFilesAfterEnv: ['<rootDir>/test/integration/support/setup-failures.ts'],
  globalSetup: '<rootDir>/test/integration/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/integration/support/global-teardown.ts',
  maxWorkers: 1,
  // moto on a loaded two-core machine: one call can take seconds, a seeded account tens of them.
  // Still bounded: a hung test fails after this, with the emulator's clients timing out well before (emulator/clients.ts).
  testTimeout: 120000,
};
