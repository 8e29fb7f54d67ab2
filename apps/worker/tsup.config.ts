import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// `niyanta-worker`, the published worker: one CommonJS file holding the worker app and the
// workspace libraries it composes. npm packages stay external (declared in package.json), and so
// does `@niyanta/workload-sdk`, so that the worker and the user's workload modules share one copy.
// `emitDecoratorMetadata` in the tsconfig makes tsup compile with swc, which NestJS needs.
export default defineConfig({
  entry: { 'niyanta-worker': 'src/niyanta-worker.ts' },
  format: ['cjs'],
  platform: 'node',
  target: 'node20',
  dts: false,
  sourcemap: false,
  clean: true,
  outDir: 'dist',
  tsconfig: 'tsconfig.bin.json',
  outExtension: () => ({ js: '.cjs' }),
  banner: { js: '#!/usr/bin/env node' },
  define: { NIYANTA_WORKER_VERSION: JSON.stringify(version) },
  noExternal: [/^@niyanta\/(?!workload-sdk$)/],
  external: [/^[^./]/],
});
