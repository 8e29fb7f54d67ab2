#!/usr/bin/env node
// Builds the dashboard into apps/dashboard/dist (index.html, app.js, app.css), which
// coordinator-api and standalone serve at /ui. esbuild bundles React and the SDK in well under a
// second, offline (docs/adr/0010-dashboard-react-esbuild.md). `--watch` rebuilds on change.
// Run by `npm ci` (prepare) and `npm start`; without esbuild (a production-only install) it says so
// and exits 0, as the image copies a dist built earlier.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const outdir = path.join(here, 'dist');
const watch = process.argv.includes('--watch');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.warn('dashboard: esbuild is not installed (production install?); not building the /ui files');
  process.exit(0);
}

mkdirSync(outdir, { recursive: true });
copyFileSync(path.join(here, 'src', 'index.html'), path.join(outdir, 'index.html'));

const options = {
  entryPoints: { app: path.join(here, 'src', 'main.tsx') },
  outdir,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: !watch,
  sourcemap: watch ? 'inline' : false,
  jsx: 'automatic',
  tsconfig: path.join(here, 'tsconfig.json'),
  // The SDK's stream helper imports `ws` (Node); the dashboard opens /v1/stream with the browser's
  // own WebSocket, so the Node package is left out of the bundle.
  alias: { ws: path.join(here, 'src', 'lib', 'no-ws.ts') },
  define: { 'process.env.NODE_ENV': JSON.stringify(watch ? 'development' : 'production') },
  logLevel: 'warning',
  absWorkingDir: root,
};

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
  console.log(`dashboard: watching, output in ${path.relative(root, outdir)}`);
} else {
  const started = Date.now();
  await esbuild.build(options);
  console.log(`dashboard: built ${path.relative(root, outdir)} in ${Date.now() - started} ms`);
}
