import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the API is and which key to use, after flags, environment and profile file are merged. */
export interface CliConnection {
  url: string;
  apiKey: string | undefined;
  /** The profile that supplied a value, if any (for error messages). */
  profile: string | undefined;
}

/** One profile of the profile file. */
export interface CliProfile {
  url?: string;
  api_key?: string;
}

/** The API address used when no flag, variable or profile names one (`npm start`'s default). */
export const DEFAULT_URL = 'http://localhost:8080';

/** A configuration problem: the CLI prints the message and exits with {@link EXIT.usage}. */
export class CliConfigError extends Error {
  override readonly name = 'CliConfigError';
}

/** The profile file: `$NIYANTA_CONFIG`, else `$XDG_CONFIG_HOME/niyanta/config.json`, else `~/.config/niyanta/config.json`. */
export function profileFilePath(env: NodeJS.ProcessEnv): string {
  if (env['NIYANTA_CONFIG']) return env['NIYANTA_CONFIG'];
  return join(env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'niyanta', 'config.json');
}

function readProfiles(path: string, required: boolean): Record<string, CliProfile> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliConfigError(`cannot read the profile file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliConfigError(`the profile file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const profiles = (parsed as { profiles?: unknown } | null)?.profiles;
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) {
    throw new CliConfigError(`the profile file ${path} needs a "profiles" object, e.g. {"profiles": {"default": {"url": "...", "api_key": "..."}}}`);
  }
  return profiles as Record<string, CliProfile>;
}

/**
 * Merges the connection settings; the first that is set wins: flags (`--url`, `--api-key`), the
 * environment (`NIYANTA_URL`, `NIYANTA_API_KEY`), then the profile (`--profile`, `NIYANTA_PROFILE`,
 * else `default`) of the profile file. A profile named explicitly must exist.
 */
export function resolveConnection(flags: { url?: string; apiKey?: string; profile?: string }, env: NodeJS.ProcessEnv): CliConnection {
  const explicitProfile = flags.profile ?? env['NIYANTA_PROFILE'];
  const path = profileFilePath(env);
  const profiles = readProfiles(path, explicitProfile !== undefined && env['NIYANTA_CONFIG'] !== undefined);
  const name = explicitProfile ?? 'default';
  const profile = profiles[name];
  if (explicitProfile !== undefined && profile === undefined) {
    throw new CliConfigError(`no profile "${name}" in ${path} (profiles: ${Object.keys(profiles).join(', ') || 'none'})`);
  }
  const url = flags.url ?? env['NIYANTA_URL'] ?? profile?.url ?? DEFAULT_URL;
  try {
    new URL(url);
  } catch {
    throw new CliConfigError(`"${url}" is not a URL: pass --url http://host:port (or set NIYANTA_URL)`);
  }
  return {
    url: url.replace(/\/+$/, ''),
    apiKey: flags.apiKey ?? env['NIYANTA_API_KEY'] ?? profile?.api_key,
    profile: profile ? name : undefined,
  };
}

/** Exit statuses of `niyanta` (docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** `submit --wait` / `get --wait`: the workload ended FAILED or CANCELLED. */
  workloadFailed: 1,
  /** Bad flags, arguments or configuration. */
  usage: 2,
  /** The API refused the request (4xx): bad input, unknown id, wrong key, invalid state. */
  refused: 3,
  /** The API could not be reached or failed (network error, 5xx, timeout). */
  unavailable: 4,
} as const;
