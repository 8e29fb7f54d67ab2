#!/usr/bin/env node
// `npm start`: runs the standalone app (API, leader and worker in one process, embedded PostgreSQL
// and in-process broker unless DATABASE_URL / NATS_URL are set). TypeScript is compiled on load by
// @swc-node/register (docs/adr/0003-swc-runtime.md). Signals are passed on and the app's exit
// status becomes ours, so `npm start` behaves like the app itself under a supervisor.
// `npm start -- --watch` restarts the app (gracefully: SIGTERM, then start again) whenever a file it
// loaded changes — a workload module of WORKLOAD_MODULES as well as the workspace's own sources —
// using Node's watch mode.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// The dashboard served at /ui: rebuilt on every start (esbuild, well under a second, offline).
// A failed build is reported and the API starts anyway (/ui then says how to build it).
const dashboard = spawnSync(process.execPath, ['apps/dashboard/build.mjs'], { cwd: root, stdio: 'inherit' });
if (dashboard.status !== 0) console.error('dashboard build failed; starting without /ui');
const args = process.argv.slice(2);
const watch = args.includes('--watch');
const appArgs = args.filter((arg) => arg !== '--watch');
const nodeArgs = watch ? ['--watch', '--watch-preserve-output'] : [];
const child = spawn(process.execPath, [...nodeArgs, '-r', '@swc-node/register', 'apps/standalone/src/main.ts', ...appArgs], {
  cwd: root,
  stdio: 'inherit',
});

// A terminal's Ctrl-C reaches the child too (same process group); the app treats the repeat as
// the same request to stop, so forwarding is harmless and covers `kill -INT <this pid>`.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}

child.on('exit', (code, signal) => {
  if (signal) {
    // Die by the same signal, so the parent shell sees what happened to the app.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
