import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateApiKey, parseApiKey } from '@niyanta/api-http';

/** File in the data directory holding the development customer's key. */
export const DEV_API_KEY_FILE = 'dev-api-key';
/** File in the data directory holding the development admin key. */
export const DEV_ADMIN_KEY_FILE = 'dev-admin-key';

/** The keys a standalone process runs with, and where they came from. */
export interface DevKeys {
  devApiKey: string;
  adminApiKey: string;
  /** True for each key read from or written to the data directory (not given by the environment). */
  devApiKeyFile: string | null;
  adminApiKeyFile: string | null;
}

/**
 * The standalone's development keys: each is the one the environment sets (`NIYANTA_DEV_API_KEY`,
 * `NIYANTA_ADMIN_API_KEY`), else the one stored in the data directory, else a random one generated
 * now and stored there (mode 0600) so that later starts on the same directory keep it. No key is a
 * constant of the code: two data directories never share one.
 */
export function loadOrCreateDevKeys(dataDir: string, fromEnv: { devApiKey?: string; adminApiKey?: string }): DevKeys {
  mkdirSync(dataDir, { recursive: true });
  const customer = fromEnv.devApiKey
    ? { key: fromEnv.devApiKey, file: null }
    : stored(join(dataDir, DEV_API_KEY_FILE), () => generateApiKey().key, (key) => parseApiKey(key) !== null);
  const admin = fromEnv.adminApiKey
    ? { key: fromEnv.adminApiKey, file: null }
    : stored(join(dataDir, DEV_ADMIN_KEY_FILE), () => `nyadmin_${randomBytes(30).toString('base64url')}`, (key) => /^\S{8,256}$/.test(key));
  return { devApiKey: customer.key, adminApiKey: admin.key, devApiKeyFile: customer.file, adminApiKeyFile: admin.file };
}

function stored(path: string, generate: () => string, valid: (key: string) => boolean): { key: string; file: string } {
  let existing: string | null = null;
  try {
    existing = readFileSync(path, 'utf8').trim();
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (existing !== null) {
    if (!valid(existing)) throw new Error(`${path} does not hold a valid key; delete it to have a new one generated`);
    return { key: existing, file: path };
  }
  const key = generate();
  // `wx`: never overwrite a key another process wrote meanwhile.
  writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { key, file: path };
}
