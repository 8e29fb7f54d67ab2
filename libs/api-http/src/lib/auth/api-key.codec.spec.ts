import { createHash } from 'node:crypto';
import { bearerToken, digestsEqual, generateApiKey, hashApiKey, parseApiKey, secretsEqual } from './api-key.codec';

describe('API key codec', () => {
  it('generates distinct keys in the nyk_<prefix>_<secret> format, hashed with SHA-256', () => {
    const keys = Array.from({ length: 200 }, () => generateApiKey());
    for (const { key, prefix, hash } of keys) {
      expect(key).toMatch(/^nyk_[a-z0-9]{8}_[A-Za-z0-9]{40}$/);
      expect(parseApiKey(key)).toEqual({ prefix });
      expect(hash).toBe(createHash('sha256').update(key).digest('hex'));
      expect(hashApiKey(key)).toBe(hash);
    }
    expect(new Set(keys.map((generated) => generated.key)).size).toBe(200);
  });

  it.each(['', 'nyk_', 'nyk_ABCDEFGH_abcdefghijklmnop', 'nyk_abcd_abcdefghijklmnopqrstuv', 'abc_abcdefgh_abcdefghijklmnop', 'nyk_abcdefgh_short'])(
    'does not parse %p',
    (key) => expect(parseApiKey(key)).toBeNull(),
  );

  it('compares digests and secrets by value', () => {
    const hash = hashApiKey('a');
    expect(digestsEqual(hash, hashApiKey('a'))).toBe(true);
    expect(digestsEqual(hash, hashApiKey('b'))).toBe(false);
    expect(digestsEqual(hash, hash.slice(0, 10))).toBe(false);
    expect(digestsEqual('', '')).toBe(false);
    expect(secretsEqual('operator-key', 'operator-key')).toBe(true);
    expect(secretsEqual('operator-key', 'operator-kez')).toBe(false);
    expect(secretsEqual('short', 'a-much-longer-secret')).toBe(false);
  });

  it('extracts the bearer token', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc  ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});
