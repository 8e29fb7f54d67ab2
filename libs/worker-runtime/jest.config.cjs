module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'worker-runtime',
  rootDir: __dirname,
};
