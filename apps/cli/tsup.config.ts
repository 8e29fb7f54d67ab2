import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// `niyanta`, the published CLI: one CommonJS file; `@niyanta/sdk` and `commander` stay external
// (declared dependencies).
export default defineConfig({
  entry: { niyanta: 'src/niyanta.ts' },
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
  define: { NIYANTA_CLI_VERSION: JSON.stringify(version) },
  external: [/^[^./]/],
});
