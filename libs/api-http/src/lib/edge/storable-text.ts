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
// eslint-disable-next-line no-control-regex -- NUL is exactly what the pattern looks for.
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
  if (typeof value === 'string') return isStorableText(value) ? null : { path: path || 'body', message: unstorableReason(value) };
  if (typeof value !== 'object' || value === null) return null;
  // An explicit stack instead of recursion (the depth limit guards the parsers, not this walk); only
  // objects and arrays are pushed, and a path is built only for the problem found.
  const stack: Frame[] = [{ value, parent: null, key: path, freeForm: false }];
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    const current = frame.value;
    if (Array.isArray(current)) {
      for (let i = 0; i < current.length; i++) {
        const item: unknown = current[i];
        if (typeof item === 'string') {
          if (!isStorableText(item)) return { path: pathOf(frame, String(i)), message: unstorableReason(item) };
        } else if (typeof item === 'object' && item !== null) {
          stack.push({ value: item, parent: frame, key: String(i), freeForm: frame.freeForm });
        }
      }
      continue;
    }
    const keys = Object.keys(current);
    if (!frame.freeForm && keys.length > MAX_STRUCTURED_KEYS) {
      return { path: pathOf(frame) || 'body', message: `must have at most ${MAX_STRUCTURED_KEYS} properties` };
    }
    for (const key of keys) {
      if (FORBIDDEN_KEYS.has(key)) return { path: pathOf(frame, key), message: `the key "${key}" is not allowed` };
      if (!isStorableText(key)) return { path: pathOf(frame, printable(key)), message: `key ${unstorableReason(key)}` };
      const item: unknown = (current as Record<string, unknown>)[key];
      if (typeof item === 'string') {
        if (!isStorableText(item)) return { path: pathOf(frame, key), message: unstorableReason(item) };
      } else if (typeof item === 'object' && item !== null) {
        stack.push({ value: item, parent: frame, key, freeForm: frame.freeForm || FREE_FORM_FIELDS.has(key) });
      }
    }
  }
  return null;
}

/** An object or array still to be walked, with how it was reached. */
interface Frame {
  value: object;
  parent: Frame | null;
  key: string;
  freeForm: boolean;
}

/** The dotted path of `frame` (and of `key` below it). */
function pathOf(frame: Frame, key?: string): string {
  const parts: string[] = key === undefined ? [] : [key];
  for (let at: Frame | null = frame; at !== null; at = at.parent) if (at.key !== '') parts.push(at.key);
  return parts.reverse().join('.');
}

/** A key made safe to echo in an error (the error itself is stored in logs and sent as JSON). */
export function printable(text: string): string {
  return text.replaceAll('\u0000', '\\u0000').replace(/[\ud800-\udfff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16)}`);
}
