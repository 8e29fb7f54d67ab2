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

/** Query-string parameters that carry credentials when a client puts them in a URL (any case). */
const SECRET_PARAMS: ReadonlySet<string> = new Set(['api_key', 'apikey', 'api-key', 'access_token', 'key', 'token']);

function isSecretParam(rawName: string): boolean {
  let name = rawName;
  try {
    name = decodeURIComponent(rawName.replace(/\+/g, ' '));
  } catch {
    // A malformed escape: judge the raw name.
  }
  return SECRET_PARAMS.has(name.toLowerCase());
}

/**
 * `url` with the values of credential parameters (`api_key`, `access_token`, `key`, `token`, any case)
 * replaced by {@link REDACTED}, so a key a client put in a query string never reaches a log line or
 * an audit event. Cheap when there is no query string.
 */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark < 0) return url;
  const parts = url.slice(mark + 1).split('&');
  let changed = false;
  for (let i = 0; i < parts.length; i++) {
    const equals = parts[i].indexOf('=');
    const name = equals < 0 ? parts[i] : parts[i].slice(0, equals);
    if (isSecretParam(name)) {
      parts[i] = `${name}=${REDACTED}`;
      changed = true;
    }
  }
  return changed ? `${url.slice(0, mark)}?${parts.join('&')}` : url;
}

/** A copy of a parsed query object with credential parameters' values replaced by {@link REDACTED}. */
export function redactQuery(query: unknown): unknown {
  if (typeof query !== 'object' || query === null) return query;
  let copy: Record<string, unknown> | null = null;
  for (const name of Object.keys(query)) {
    if (SECRET_PARAMS.has(name.toLowerCase())) {
      copy ??= { ...(query as Record<string, unknown>) };
      copy[name] = REDACTED;
    }
  }
  return copy ?? query;
}
