module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'tools-lint-check',
  rootDir: __dirname,
  // Each test lints in a child process that first builds the Nx project graph.
  testTimeout: 60_000,
  testMatch: ['<rootDir>/**/*.spec.ts'],
};
