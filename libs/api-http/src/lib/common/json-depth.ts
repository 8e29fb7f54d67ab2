/** Deepest nesting of arrays and objects a request body may have. */
export const MAX_JSON_DEPTH = 64;

/** Error type a too-deep body is reported with (translated to 400 by the exception filter). */
export const JSON_TOO_DEEP = 'entity.too.deep';

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The nesting depth of the JSON text in `bytes`, counted without parsing (brackets inside strings do
 * not count), stopping early once `limit` is exceeded. Deeply nested input would otherwise reach
 * recursive code (validation, serialisation) and exhaust the stack: one linear scan is far cheaper.
 */
export function jsonDepthExceeds(bytes: Uint8Array, limit: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** body-parser `verify` hook refusing bodies nested deeper than {@link MAX_JSON_DEPTH}. */
export function rejectDeepJson(_req: unknown, _res: unknown, buffer: Buffer): void {
  if (jsonDepthExceeds(buffer)) {
    throw Object.assign(new Error(`the request body is nested deeper than ${MAX_JSON_DEPTH} levels`), { type: JSON_TOO_DEEP, status: 400 });
  }
}
