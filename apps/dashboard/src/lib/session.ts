import { createNiyantaClient, type NiyantaClient } from '@niyanta/sdk';

/** Who signed in: a customer (its own workloads) or the operator (every customer, admin pages). */
export type Role = 'customer' | 'admin';

/** A signed-in session: the key stays in sessionStorage (this tab only), never in a URL. */
export interface Session {
  role: Role;
  key: string;
  client: NiyantaClient;
}

const STORAGE_KEY = 'niyanta.session';

function clientFor(key: string): NiyantaClient {
  // Retries would hide a refused key behind a long wait: the dashboard shows errors at once.
  return createNiyantaClient({ baseUrl: window.location.origin, apiKey: key, retry: { maxRetries: 0 } });
}

/** Customer keys carry the `nyk_` prefix; anything else can only be the operator's key. */
function roleOf(key: string): Role {
  return key.startsWith('nyk_') ? 'customer' : 'admin';
}

/** The session kept in this tab, if any. */
export function restoreSession(): Session | null {
  const raw = window.sessionStorage.getItem(STORAGE_KEY);
  if (!raw) return null;
  try {
    const { key } = JSON.parse(raw) as { key: string };
    return { role: roleOf(key), key, client: clientFor(key) };
  } catch {
    window.sessionStorage.removeItem(STORAGE_KEY);
    return null;
  }
}

/** Checks the key with one call and keeps it for this tab; throws a message fit for the sign-in form. */
export async function signIn(rawKey: string): Promise<Session> {
  const key = rawKey.trim();
  if (!key) throw new Error('Enter an API key.');
  const role = roleOf(key);
  const client = clientFor(key);
  const check = role === 'admin' ? await client.api.GET('/v1/admin/tiers') : await client.api.GET('/v1/workloads', { params: { query: { limit: 1 } } });
  if (!check.response.ok) {
    const status = check.response.status;
    if (status === 401) {
      throw new Error(
        role === 'admin'
          ? 'That key was not accepted (401): it is neither a customer key (nyk_…) nor the operator key.'
          : 'That key was not accepted (401): it may be mistyped, revoked or expired.',
      );
    }
    if (status === 403) throw new Error('This customer is suspended (403): ask the operator to unsuspend it.');
    throw new Error(`Sign-in failed: the API answered ${status}.`);
  }
  window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ key }));
  return { role, key, client };
}

export function signOut(): void {
  window.sessionStorage.removeItem(STORAGE_KEY);
}

/** Unwraps an `openapi-fetch` result of `client.api`, throwing the API's error as a NiyantaApiError-like Error. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  // A 204 (revoke, for one) has no body: `data` is then undefined, which callers of such routes ignore.
  if (response.ok) return data as T;
  const body = (error ?? {}) as { error?: { code?: string; message?: string } };
  const code = body.error?.code ?? 'error';
  throw new Error(`${body.error?.message ?? response.statusText} (${response.status} ${code})`);
}
