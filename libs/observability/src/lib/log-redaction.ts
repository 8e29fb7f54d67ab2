/** What a redacted header value is replaced with in logs. */
export const REDACTED = '[redacted]';

/** Credentials travel in these; `api-key` matches any spelling such as `x-api-key`, `api_key`. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie)$|api[-_]?key/i;

/** A copy of `headers` with credential-bearing values replaced by {@link REDACTED}. */
export function redactHeaders(headers: unknown): unknown {
  if (typeof headers !== 'object' || headers === null) return headers;
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    copy[name] = SECRET_HEADER.test(name) ? REDACTED : value;
  }
  return copy;
}
