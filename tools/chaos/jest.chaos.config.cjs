// The fault-injection suite starts its own PostgreSQL, nats-server and a whole cluster of app
// processes, so it runs on its own (in band), after the end-to-end tests: tools/scripts/test.mjs.
// Named so that the root jest.config.cjs (which collects every `jest.config.cjs`) leaves it out.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'chaos',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.e2e-spec.ts'],
  testTimeout: 240_000,
};
