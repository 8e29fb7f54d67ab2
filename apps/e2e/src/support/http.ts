/** Minimal JSON-over-HTTP client for end-to-end tests (talks to the apps only through their API). */
import { eventually as poll } from '@niyanta/testing';

export interface HttpResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export async function http<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpResponse<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.key) headers['authorization'] = `Bearer ${options.key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text.length ? JSON.parse(text) : null;
  } catch {
    // not JSON (for example /metrics); keep the text
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

/** `eventually` of the testing lib with the bounds of whole processes: 30 s, polled every 100 ms. */
export function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  return poll(what, probe, timeoutMs, intervalMs);
}
