module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'coordinator-leader',
  rootDir: __dirname,
};
