// Unit tests of the dashboard's logic that needs no browser (src/**/*.spec.ts); the pages are
// tested in a real browser by apps/e2e/src/dashboard.e2e-spec.ts.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'dashboard',
  rootDir: __dirname,
};
