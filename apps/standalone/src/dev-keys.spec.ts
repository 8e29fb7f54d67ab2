import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseApiKey } from '@niyanta/api-http';
import { DEV_ADMIN_KEY_FILE, DEV_API_KEY_FILE, loadOrCreateDevKeys } from './dev-keys';

describe(loadOrCreateDevKeys.name, () => {
  const dirs: string[] = [];
  const freshDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'niyanta-dev-keys-'));
    dirs.push(dir);
    return dir;
  };

  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('generates random keys per data directory, stores them owner-only and keeps them across starts', () => {
    const a = freshDir();
    const first = loadOrCreateDevKeys(a, {});
    expect(parseApiKey(first.devApiKey)).not.toBeNull();
    expect(first.adminApiKey).toMatch(/^nyadmin_\S{40}$/);
    expect(readFileSync(join(a, DEV_API_KEY_FILE), 'utf8').trim()).toBe(first.devApiKey);
    expect(statSync(join(a, DEV_ADMIN_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(loadOrCreateDevKeys(a, {})).toEqual(first);

    const other = loadOrCreateDevKeys(freshDir(), {});
    expect(other.devApiKey).not.toBe(first.devApiKey);
    expect(other.adminApiKey).not.toBe(first.adminApiKey);
  });

  it('uses the keys the environment sets and writes nothing for them', () => {
    const dir = freshDir();
    const keys = loadOrCreateDevKeys(dir, { devApiKey: 'nyk_mykey123_abcdefghijklmnopqrstuvwxyz', adminApiKey: 'operator-key-1234' });
    expect(keys).toEqual({ devApiKey: 'nyk_mykey123_abcdefghijklmnopqrstuvwxyz', adminApiKey: 'operator-key-1234', devApiKeyFile: null, adminApiKeyFile: null });
    expect(() => readFileSync(join(dir, DEV_API_KEY_FILE))).toThrow(/ENOENT/);
  });

  it('refuses a damaged key file instead of silently replacing it', () => {
    const dir = freshDir();
    writeFileSync(join(dir, DEV_API_KEY_FILE), 'not a key\n');
    expect(() => loadOrCreateDevKeys(dir, {})).toThrow(/does not hold a valid key/);
  });
});
