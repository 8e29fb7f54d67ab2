import { runCli } from './lib/run-cli';

declare const NIYANTA_CLI_VERSION: string | undefined;

// The version is inlined at build time (tsup `define`); from source it is the workspace's.
const version = typeof NIYANTA_CLI_VERSION === 'string' ? NIYANTA_CLI_VERSION : '0.0.0-dev';

void runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }, version).then((code) => {
  process.exitCode = code;
});
