module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'checkpoint',
  rootDir: __dirname,
};
