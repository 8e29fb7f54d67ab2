import { defineConfig } from 'tsup';

// The published package: ESM (`dist/index.mjs`) and CommonJS (`dist/index.cjs`) with matching
// declarations, no source maps (the sources are not shipped). Runtime dependencies stay external.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  platform: 'node',
  target: 'node20',
  dts: true,
  sourcemap: false,
  clean: true,
  outDir: 'dist',
  tsconfig: 'tsconfig.build.json',
  outExtension: ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.cjs' }),
});
