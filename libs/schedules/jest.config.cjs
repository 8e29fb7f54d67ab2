module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'schedules',
  rootDir: __dirname,
};
