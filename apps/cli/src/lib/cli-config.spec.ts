import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliConfigError, DEFAULT_URL, profileFilePath, resolveConnection } from './cli-config';

describe(resolveConnection.name, () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'niyanta-cli-'));
    file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        profiles: { default: { url: 'http://profile-default:1', api_key: 'key-default' }, ops: { url: 'http://ops:2/', api_key: 'key-ops' } },
      }),
    );
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes flags over the environment over the profile', () => {
    const env = { NIYANTA_CONFIG: file, NIYANTA_URL: 'http://env:3', NIYANTA_API_KEY: 'key-env' };
    expect(resolveConnection({ url: 'http://flag:4', apiKey: 'key-flag' }, env)).toEqual({ url: 'http://flag:4', apiKey: 'key-flag', profile: 'default' });
    expect(resolveConnection({}, env)).toEqual({ url: 'http://env:3', apiKey: 'key-env', profile: 'default' });
    expect(resolveConnection({}, { NIYANTA_CONFIG: file })).toEqual({ url: 'http://profile-default:1', apiKey: 'key-default', profile: 'default' });
  });

  it('uses the named profile (flag or NIYANTA_PROFILE), without a trailing slash', () => {
    expect(resolveConnection({ profile: 'ops' }, { NIYANTA_CONFIG: file })).toEqual({ url: 'http://ops:2', apiKey: 'key-ops', profile: 'ops' });
    expect(resolveConnection({}, { NIYANTA_CONFIG: file, NIYANTA_PROFILE: 'ops' }).apiKey).toBe('key-ops');
  });

  it('defaults the URL and has no key without any configuration', () => {
    expect(resolveConnection({}, { XDG_CONFIG_HOME: join(dir, 'nowhere') })).toEqual({ url: DEFAULT_URL, apiKey: undefined, profile: undefined });
    expect(profileFilePath({ XDG_CONFIG_HOME: '/x' })).toBe('/x/niyanta/config.json');
  });

  it('says what is wrong: unknown profile, malformed file, bad URL', () => {
    expect(() => resolveConnection({ profile: 'nope' }, { NIYANTA_CONFIG: file })).toThrow(/no profile "nope" .*profiles: default, ops/);
    writeFileSync(file, '{"profiles": [}');
    expect(() => resolveConnection({}, { NIYANTA_CONFIG: file })).toThrow(CliConfigError);
    expect(() => resolveConnection({ url: 'localhost 8080' }, { XDG_CONFIG_HOME: dir })).toThrow(/not a URL/);
  });
});
