import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { runWorker } from './run-worker';

// Inlined at build time (tsup `define`).
declare const NIYANTA_WORKER_VERSION: string | undefined;

/**
 * `niyanta-worker <modules...>`: the worker app for workload modules of the user's own project.
 * The modules are compiled JavaScript (CommonJS or ESM without top-level await), named by path
 * (relative to the working directory) or by package name (resolved from the working directory);
 * everything else is configured by the worker app's environment variables.
 */
const program = new Command('niyanta-worker')
  .description(
    'Runs a Niyanta worker for the workload types exported by the given modules (plus the samples).\n' +
      'Configured by the worker environment: DATABASE_URL, NATS_URL, WORKER_ID, WORKER_CAPACITY, WORKER_TAGS, ...',
  )
  .argument('<modules...>', 'compiled workload modules: ./dist/workloads.js, or a package name')
  .option('--env-file <path>', 'read environment variables from this file first (variables already set win)')
  .version(typeof NIYANTA_WORKER_VERSION === 'string' ? NIYANTA_WORKER_VERSION : '0.0.0-dev')
  .showHelpAfterError('(run niyanta-worker --help for usage)')
  .action(async (modules: string[], options: { envFile?: string }) => {
    if (options.envFile) {
      if (!existsSync(options.envFile)) program.error(`niyanta-worker: env file ${options.envFile} not found`, { exitCode: 2 });
      process.loadEnvFile(options.envFile);
    }
    const resolved = modules.map((specifier) => resolveModule(specifier));
    const configured = (process.env['WORKLOAD_MODULES'] ?? '').split(',').filter((s) => s.trim() !== '');
    await runWorker({ ...process.env, WORKLOAD_MODULES: [...configured, ...resolved].join(',') });
  });

function resolveModule(specifier: string): string {
  if (/^[./]/.test(specifier)) {
    const path = resolve(specifier);
    if (!existsSync(path)) {
      program.error(`niyanta-worker: workload module ${specifier} not found (looked for ${path}; build your project first?)`, { exitCode: 2 });
    }
    return path;
  }
  try {
    return require.resolve(specifier, { paths: [process.cwd()] });
  } catch {
    return program.error(`niyanta-worker: cannot resolve package ${specifier} from ${process.cwd()} (is it installed?)`, { exitCode: 2 });
  }
}

void program.parseAsync();
