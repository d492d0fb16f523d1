/**
 * Two projects in one run: `unit` (specs beside the code in src/) and `e2e` (test/). `npm test` runs
 * both; `npm run test:unit` / `npm run test:e2e` select one. Both need a Redis for some specs: the
 * globalSetup finds or starts one and exports TEST_REDIS_URL (see test/support/redis.global-setup.ts).
 */
const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 30000,
  // A developer's .env must not change what the tests see.
  setupFiles: ['<rootDir>/test/support/no-env-file.ts'],
  // The package's public surface by its name (package.json "exports"), as examples/team-module imports it.
  moduleNameMapper: { '^integration-app-mcp-server$': '<rootDir>/src/index.ts' },
};

module.exports = {
  rootDir: __dirname,
  maxWorkers: 2,
  globalSetup: '<rootDir>/test/support/redis.global-setup.ts',
  globalTeardown: '<rootDir>/test/support/redis.global-teardown.ts',
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/examples/**/*.e2e-spec.ts'] },
  ],
};
