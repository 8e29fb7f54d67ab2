module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'deploy-check',
  rootDir: __dirname,
  // The built-apps suite runs `nx build` first; the manifest suites shell out to kubectl and promtool.
  testTimeout: 180_000,
};
