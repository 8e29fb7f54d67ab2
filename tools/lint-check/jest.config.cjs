module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'tools-lint-check',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.spec.ts'],
};
