import { CommanderError } from 'commander';
import { NiyantaApiError, NiyantaStreamError, NiyantaTimeoutError } from '@niyanta/sdk';
import { CliConfigError, DEFAULT_URL, EXIT, resolveConnection } from './cli-config';
import { buildProgram, CliExit, CliTimeoutError, type CliIo } from './commands';

/** Runs `niyanta` with `argv` (without node and script) and resolves with the exit status. */
export async function runCli(argv: readonly string[], io: CliIo, version: string): Promise<number> {
  const program = buildProgram(io, version);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CliExit) return error.exitCode;
    if (error instanceof CommanderError) {
      // Help and --version end through here too, with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    io.stderr.write(`niyanta: ${describe(error, apiUrl(program.opts<{ url?: string; profile?: string }>(), io.env))}\n`);
    return exitCodeOf(error);
  }
}

/** The API address the command used (for messages); the default when the configuration is broken. */
function apiUrl(flags: { url?: string; profile?: string }, env: NodeJS.ProcessEnv): string {
  try {
    return resolveConnection(flags, env).url;
  } catch {
    return flags.url ?? env['NIYANTA_URL'] ?? DEFAULT_URL;
  }
}

function exitCodeOf(error: unknown): number {
  if (error instanceof CliConfigError) return EXIT.usage;
  if (error instanceof NiyantaApiError) return error.status >= 500 ? EXIT.unavailable : EXIT.refused;
  return EXIT.unavailable;
}

/** One message that says what went wrong and what to do about it. */
function describe(error: unknown, url: string): string {
  if (error instanceof CliConfigError || error instanceof CliTimeoutError) return error.message;
  if (error instanceof NiyantaApiError) {
    const lines = [`${error.message} (${error.status} ${error.code}${error.requestId ? `, request ${error.requestId}` : ''})`];
    for (const detail of error.details) lines.push(`  ${detail.path || '(body)'}: ${detail.message}`);
    if (error.status === 401) lines.push('  the API key was refused: check --api-key / NIYANTA_API_KEY (npm start prints a development key)');
    if (error.status === 403) lines.push('  this key may not do that: admin commands need the operator key (NIYANTA_ADMIN_API_KEY of the API)');
    if (error.retryAfterSeconds !== null) lines.push(`  retry after ${error.retryAfterSeconds} s`);
    return lines.join('\n');
  }
  if (error instanceof NiyantaStreamError || error instanceof NiyantaTimeoutError) return error.message;
  const { name, message, cause } = (error ?? {}) as { name?: unknown; message?: unknown; cause?: { code?: string } };
  // Compared by name, not instanceof: fetch's errors may come from another realm.
  if (name === 'TypeError' && message === 'fetch failed') {
    return `cannot reach the API at ${url} (${cause?.code ?? 'network error'}): is it running? Set --url or NIYANTA_URL`;
  }
  return typeof message === 'string' ? message : String(error);
}
