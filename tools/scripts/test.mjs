#!/usr/bin/env node
// The whole test suite, as CI runs it: lint (module boundaries included), type check,
// unit + integration tests, then end-to-end tests that spawn the real apps as processes, then the
// short fault-injection suite (its own PostgreSQL, NATS and cluster of processes).
// Prints one closing line "test: N passed, N failed" summed over every Jest run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
const reportDir = path.resolve('tmp/test-reports');
rmSync(reportDir, { recursive: true, force: true });
mkdirSync(reportDir, { recursive: true });

const bin = (name) => path.resolve('node_modules/.bin', name);
const totals = { passed: 0, failed: 0, skipped: 0 };
let failedStep;

function run(label, cmd, args) {
  const started = Date.now();
  console.log(`\n=== ${label}`);
  const result = spawnSync(cmd, args, { stdio: 'inherit', env });
  console.log(`=== ${label}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (result.status !== 0 && !failedStep) failedStep = label;
  return result.status === 0;
}

function jest(label, args, report) {
  const out = path.join(reportDir, report);
  run(label, bin('jest'), [...args, '--json', `--outputFile=${out}`]);
  try {
    const r = JSON.parse(readFileSync(out, 'utf8'));
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests;
    totals.skipped += r.numPendingTests + r.numTodoTests;
  } catch {
    totals.failed += 1; // the run died before writing its report
  }
}

const steps = process.argv.slice(2);
const want = (s) => steps.length === 0 || steps.includes(s);

// The module-boundary rule skips itself without a cached Nx project graph (a fresh clone), so
// build the graph before linting.
if (want('lint')) run('project graph', bin('nx'), ['show', 'projects']) && run('lint', bin('eslint'), ['.', '--max-warnings=0']);
if (want('typecheck')) {
  run('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
  run('typecheck (dashboard)', bin('tsc'), ['-p', 'apps/dashboard/tsconfig.json']);
}
// The browser tests serve the dashboard from its build (esbuild, under a second).
if (want('e2e')) run('dashboard build', process.execPath, ['apps/dashboard/build.mjs']);
if (want('unit')) jest('unit + integration tests', ['-c', 'jest.config.cjs', '--ci', '--forceExit'], 'unit.json');
if (want('e2e')) jest('end-to-end tests', ['-c', 'apps/e2e/jest.config.cjs', '--ci', '--runInBand', '--forceExit'], 'e2e.json');
if (want('chaos')) jest('fault injection (short)', ['-c', 'tools/chaos/jest.chaos.config.cjs', '--ci', '--runInBand', '--forceExit'], 'chaos.json');

console.log(`\ntest: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
if (failedStep) {
  console.error(`first failing step: ${failedStep}`);
  process.exit(1);
}
process.exit(totals.failed > 0 ? 1 : 0);
