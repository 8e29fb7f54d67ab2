// End-to-end tests start the real apps as processes (see @niyanta/testing spawnApp), so each test
// may wait for several process starts: hence the generous timeout. Run in band (tools/scripts/test.mjs).
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.e2e-spec.ts'],
  testTimeout: 180_000,
};
