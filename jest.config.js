/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Integration tests need the emulator: they run with jest.integration.config.js.
  testPathIgnorePatterns: ['/node_modules/', '/test/integration/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFiles: ['<rootDir>/test/support/jest-env.ts'],
  // One bundle cache per run (lib/lambda-bundle/cache.ts): a function bundled by one CDK test file is not bundled again by another.
  globalSetup: '<rootDir>/test/support/bundle-cache-setup.ts',
  globalTeardown: '<rootDir>/test/support/bundle-cache-teardown.ts',
  setupFilesAfterEnv: ['aws-sdk-client-mock-jest'],
  testTimeout: 30000,
  // Jest's default on two cores is one worker; the unit and CDK files are independent, so use both cores.
  maxWorkers: 2,
};
