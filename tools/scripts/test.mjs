#!/usr/bin/env node
// The whole test suite, as CI runs it: lint (module boundaries included), type check,
// unit + integration tests, then end-to-end tests that spawn the real apps as processes, then the
// lifecycle and `npm start` end-to-end suites again on Node.js 24 LTS (tools/scripts/node-lts.mjs),
// then the short fault-injection suite (its own PostgreSQL, NATS and cluster of processes).
// Prints one closing line "test: N passed, N failed" summed over every Jest run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { LTS_NODE, ltsNode } from './node-lts.mjs';

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

// Jest runs without --forceExit, so a timer, socket or pool a suite leaves open keeps it alive, and
// a test worker that leaks one is killed with a warning. Both fail the step: once the report is
// written Jest has EXIT_GRACE_MS to exit, and a worker that had to be force-exited is a failure.
const EXIT_GRACE_MS = 30_000;
const LEAK_WARNING = /A worker process has failed to exit gracefully|Jest did not exit one second after the test run has completed/;

async function runJest(label, args, out, node) {
  const started = Date.now();
  console.log(`\n=== ${label}`);
  rmSync(out, { force: true });
  // On another Node.js: Jest runs on it, and so does every `node` the tests start (`npm start` too).
  const child = node
    ? spawn(node, [bin('jest'), ...args], {
        stdio: ['inherit', 'inherit', 'pipe'],
        env: { ...env, PATH: `${path.dirname(node)}${path.delimiter}${env.PATH ?? ''}` },
      })
    : spawn(bin('jest'), args, { stdio: ['inherit', 'inherit', 'pipe'], env });
  let leaked = false;
  child.stderr.on('data', (chunk) => {
    process.stderr.write(chunk);
    if (LEAK_WARNING.test(chunk.toString())) leaked = true;
  });
  const exited = new Promise((resolve) => child.once('close', (code) => resolve(code)));
  let status;
  let hung = false;
  for (;;) {
    // The report is written when every suite has finished; from then on only exiting is left.
    const done = await Promise.race([exited, sleep(1_000).then(() => undefined)]);
    if (done !== undefined) {
      status = done;
      break;
    }
    if (existsSync(out)) {
      status = await Promise.race([exited, sleep(EXIT_GRACE_MS).then(() => 'hung')]);
      if (status === 'hung') {
        hung = true;
        child.kill('SIGKILL');
        await exited;
      }
      break;
    }
  }
  const ok = status === 0 && !leaked && !hung;
  if (hung) console.error(`${label}: Jest did not exit ${EXIT_GRACE_MS / 1000} s after its last suite: something was left open (find it with --detectOpenHandles)`);
  if (leaked) console.error(`${label}: a suite left a handle open (timer, socket, pool): find it with --detectOpenHandles`);
  console.log(`=== ${label}: ${ok ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (!ok && !failedStep) failedStep = label;
}

async function jest(label, args, report, node) {
  const out = path.join(reportDir, report);
  await runJest(label, [...args, '--json', `--outputFile=${out}`], out, node);
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

// lint.mjs builds the Nx project graph first: without it the module-boundary rule skips itself.
if (want('lint')) run('lint', process.execPath, ['tools/scripts/lint.mjs']);
if (want('typecheck')) {
  run('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
  run('typecheck (dashboard)', bin('tsc'), ['-p', 'apps/dashboard/tsconfig.json']);
  run('typecheck (dashboard specs)', bin('tsc'), ['-p', 'apps/dashboard/tsconfig.spec.json']);
}
// The browser tests serve the dashboard from its build (esbuild, under a second).
if (want('e2e')) run('dashboard build', process.execPath, ['apps/dashboard/build.mjs']);
if (want('unit')) await jest('unit + integration tests', ['-c', 'jest.config.cjs', '--ci'], 'unit.json');
if (want('e2e')) await jest('end-to-end tests', ['-c', 'apps/e2e/jest.config.cjs', '--ci', '--runInBand'], 'e2e.json');
if (want('node24')) {
  let node24;
  try {
    node24 = ltsNode(24);
  } catch (error) {
    console.error(`\n=== Node.js ${LTS_NODE['24']} could not be installed: ${error.message}`);
    totals.failed += 1;
    failedStep ??= 'Node.js 24';
  }
  if (node24) {
    await jest(
      `end-to-end on Node.js ${LTS_NODE['24']} (lifecycle, npm start)`,
      ['-c', 'apps/e2e/jest.config.cjs', '--ci', '--runInBand', '--testPathPatterns', 'lifecycle|getting-started'],
      'e2e-node24.json',
      node24,
    );
  }
}
if (want('chaos')) await jest('fault injection (short)', ['-c', 'tools/chaos/jest.chaos.config.cjs', '--ci', '--runInBand'], 'chaos.json');

console.log(`\ntest: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
if (failedStep) {
  console.error(`first failing step: ${failedStep}`);
  process.exit(1);
}
process.exit(totals.failed > 0 ? 1 : 0);
