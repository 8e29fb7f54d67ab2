module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'workload-sdk',
  rootDir: __dirname,
};
