import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every key starts with this, so leaked keys are recognisable (secret scanners, logs). */
export const API_KEY_PREFIX = 'nyk_';
/** Length of the public part that identifies the key's row. */
export const API_KEY_PUBLIC_LENGTH = 8;
const SECRET_LENGTH = 40;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const PUBLIC_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const KEY_PATTERN = /^nyk_([a-z0-9]{8})_([A-Za-z0-9]{16,128})$/;

/** A freshly generated key: the plaintext (shown once) and what is stored. */
export interface GeneratedApiKey {
  /** `nyk_<prefix>_<secret>`; never stored. */
  key: string;
  prefix: string;
  /** Hex SHA-256 of `key`. */
  hash: string;
}

function randomString(length: number, alphabet: string): string {
  // Rejection sampling keeps every character uniform (256 is not a multiple of the alphabet size).
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit) out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** Hex SHA-256 of the whole key. A fast hash is enough: the secret has ~238 bits of entropy. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Generates a key with a random public prefix and a 40-character secret. */
export function generateApiKey(): GeneratedApiKey {
  const prefix = randomString(API_KEY_PUBLIC_LENGTH, PUBLIC_ALPHABET);
  const key = `${API_KEY_PREFIX}${prefix}_${randomString(SECRET_LENGTH, ALPHABET)}`;
  return { key, prefix, hash: hashApiKey(key) };
}

/** The public prefix of a well-formed key, or null when `key` does not have the key format. */
export function parseApiKey(key: string): { prefix: string } | null {
  const match = KEY_PATTERN.exec(key);
  return match ? { prefix: match[1] as string } : null;
}

/** Constant-time comparison of two hex digests (different lengths compare unequal). */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/**
 * Constant-time comparison of two secrets of any length: both are hashed first, so neither the
 * content nor the length of the expected secret leaks through timing.
 */
export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? (match[1] as string) : null;
}
