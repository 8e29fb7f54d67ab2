module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'leader',
  rootDir: __dirname,
};
