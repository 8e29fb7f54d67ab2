// Shared Jest settings. SWC transpiles (with decorator metadata for NestJS DI);
// type checking is a separate step (`npm run typecheck`) so tests start fast.
const path = require('node:path');

const root = __dirname;

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@niyanta/([a-z-]+)$': path.join(root, 'libs/$1/src/index.ts'),
  },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.int-spec.ts'],
  clearMocks: true,
  // A loaded machine makes tests slower, not failed (see docs/testing.md).
  testTimeout: 60_000,
};
