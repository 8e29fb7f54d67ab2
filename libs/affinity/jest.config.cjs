module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'affinity',
  rootDir: __dirname,
};
