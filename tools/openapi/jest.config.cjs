module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'tools-openapi',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.spec.ts', '<rootDir>/**/*.int-spec.ts'],
};
