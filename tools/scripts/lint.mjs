#!/usr/bin/env node
// `npm run lint`: ESLint over the workspace, module boundaries included. The
// @nx/enforce-module-boundaries rule reads the cached Nx project graph and silently skips itself
// when there is none (a fresh clone), so build the graph first, then lint.
// Arguments are passed to ESLint (default: `. --max-warnings=0`).
import { spawnSync } from 'node:child_process';
import path from 'node:path';

process.env.NX_DAEMON ??= 'false';
process.env.NX_NO_CLOUD ??= 'true';
const { createProjectGraphAsync } = await import('@nx/devkit');
await createProjectGraphAsync({ exitOnError: true });

const args = process.argv.slice(2);
const eslint = spawnSync(path.resolve('node_modules/.bin/eslint'), args.length > 0 ? args : ['.', '--max-warnings=0'], {
  stdio: 'inherit',
});
process.exit(eslint.status ?? 1);
