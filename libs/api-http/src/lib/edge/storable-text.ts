import type { ErrorDetail } from '@niyanta/models';

/**
 * Keys refused anywhere in a request body: JSON.parse makes them ordinary own properties, but code
 * that copies objects (class-transformer, `Object.assign`, spreads into prototypes) treats them as
 * the prototype chain, so they are either silently dropped or dangerous.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * True when PostgreSQL can store `text`: no NUL character (text and jsonb refuse `\u0000`) and no
 * lone UTF-16 surrogate (it has no UTF-8 encoding, so the driver would send bytes PostgreSQL
 * refuses as invalid UTF-8).
 */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

// Without the `u` flag the pattern sees UTF-16 code units: NUL, a high surrogate not followed by a
// low one, or a low surrogate not preceded by a high one.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `text` cannot be stored, for an error detail. */
export function unstorableReason(text: string): string {
  return text.includes('\u0000') ? 'must not contain the NUL character (\\u0000)' : 'must not contain a lone UTF-16 surrogate';
}

/**
 * Most properties an object of a request body may have outside a free-form field. Request DTOs have
 * a few dozen fields and their maps (labels, affinity tags) at most 64 entries; the limit keeps
 * class-transformer's per-object key handling (quadratic in the number of keys) cheap.
 */
export const MAX_STRUCTURED_KEYS = 256;

/** Fields whose value is the caller's own JSON (`input`): any shape, bounded by their own validator. */
export const FREE_FORM_FIELDS: ReadonlySet<string> = new Set(['input']);

/**
 * The first problem in a parsed JSON value, walked once (linear in its size): a string or key that
 * PostgreSQL cannot store, a {@link FORBIDDEN_KEYS} key, or an object outside a
 * {@link FREE_FORM_FIELDS} field with more than {@link MAX_STRUCTURED_KEYS} properties. `path` is the
 * dotted field path of `value` (`''` for a whole body; then `input.name`, `items.3.labels`).
 */
export function findJsonProblem(value: unknown, path: string): ErrorDetail | null {
  // An explicit stack instead of recursion: the depth limit guards the parsers, not this walk.
  const stack: Array<{ value: unknown; path: string; freeForm: boolean }> = [{ value, path, freeForm: false }];
  while (stack.length > 0) {
    const next = stack.pop() as { value: unknown; path: string; freeForm: boolean };
    const current = next.value;
    if (typeof current === 'string') {
      if (!isStorableText(current)) return { path: next.path || 'body', message: unstorableReason(current) };
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], path: join(next.path, String(i)), freeForm: next.freeForm });
    } else if (typeof current === 'object' && current !== null) {
      const keys = Object.keys(current);
      if (!next.freeForm && keys.length > MAX_STRUCTURED_KEYS) {
        return { path: next.path || 'body', message: `must have at most ${MAX_STRUCTURED_KEYS} properties` };
      }
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i];
        if (FORBIDDEN_KEYS.has(key)) return { path: join(next.path, key), message: `the key "${key}" is not allowed` };
        if (!isStorableText(key)) return { path: join(next.path, printable(key)), message: `key ${unstorableReason(key)}` };
        const freeForm = next.freeForm || FREE_FORM_FIELDS.has(key);
        stack.push({ value: (current as Record<string, unknown>)[key], path: join(next.path, key), freeForm });
      }
    }
  }
  return null;
}

function join(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/** A key made safe to echo in an error (the error itself is stored in logs and sent as JSON). */
export function printable(text: string): string {
  return text.replace(/\u0000/g, '\\u0000').replace(/[\ud800-\udfff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16)}`);
}
