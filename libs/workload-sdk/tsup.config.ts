import { defineConfig } from 'tsup';

// The published package: ESM (`dist/index.mjs`) and CommonJS (`dist/index.cjs`) with matching
// declarations, no source maps (the sources are not shipped). The workspace's own `@niyanta/models`
// (error codes, JSON types) is bundled in; runtime dependencies stay external.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  platform: 'node',
  target: 'node20',
  dts: { resolve: [/^@niyanta\//] },
  noExternal: [/^@niyanta\//],
  sourcemap: false,
  clean: true,
  outDir: 'dist',
  tsconfig: 'tsconfig.build.json',
  outExtension: ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.cjs' }),
});
