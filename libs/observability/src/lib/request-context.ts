import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** Identifies the request (or message) being handled, for logs and for messages it causes. */
export interface RequestContext {
  /** This HTTP request's id (echoed as `X-Request-Id`), or the id of the message being handled. */
  requestId: string;
  /** Ties together everything one action caused, across processes (travels in broker envelopes). */
  correlationId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The context of the request or message being handled, if any. */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Runs `fn` (and everything it awaits) with `ctx` as the current context. */
export function runWithContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

/** Longest client-supplied id accepted; anything longer would bloat every log line. */
const MAX_ID_LENGTH = 128;
const SANE_ID = /^[A-Za-z0-9._-]+$/;

/**
 * A client-supplied id if it is safe to log and echo (≤ 128 characters of `[A-Za-z0-9._-]`),
 * otherwise a fresh UUID. Header values are untrusted: this is what keeps log injection out.
 */
export function acceptOrCreateId(candidate: unknown): string {
  const value = Array.isArray(candidate) ? candidate[0] : candidate;
  if (typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH && SANE_ID.test(value)) {
    return value;
  }
  return randomUUID();
}
