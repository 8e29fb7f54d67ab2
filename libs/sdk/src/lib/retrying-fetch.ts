import { retryAfterSeconds } from './errors';
import { abortableDelay } from './abortable-delay';

/** How failed requests are retried. */
export interface RetryOptions {
  /** Retries after the first attempt (0 disables retrying). @default 3 */
  maxRetries?: number;
  /** First backoff when the server gives no `Retry-After`; doubles per retry, with jitter. @default 250 */
  baseDelayMs?: number;
  /**
   * Longest wait between attempts. A `Retry-After` asking for longer is not shortened: the response
   * is returned (and surfaces as an error carrying `retryAfterSeconds`).
   * @default 30000
   */
  maxDelayMs?: number;
}

/** Statuses after which the API guarantees nothing was applied, so any request may be repeated. */
const RETRYABLE_STATUSES = new Set([429, 503]);

/**
 * Wraps `fetchImpl` so that 429 (rate limited) and 503 (a dependency is down) are retried — both
 * mean the API applied nothing, so repeating even a POST is safe. The wait is the response's
 * `Retry-After` when present, else exponential backoff with full jitter; at most `maxRetries`
 * retries, none longer than `maxDelayMs`. Network errors are not retried: whether the request was
 * applied is then unknown (use an idempotency key and retry yourself).
 */
export function retryingFetch(fetchImpl: (input: Request) => Promise<Response>, options: RetryOptions = {}): (input: Request) => Promise<Response> {
  const maxRetries = options.maxRetries ?? 3;
  const baseDelayMs = options.baseDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  return async (request: Request): Promise<Response> => {
    for (let retry = 0; ; retry++) {
      const response = await fetchImpl(retry < maxRetries ? request.clone() : request);
      if (!RETRYABLE_STATUSES.has(response.status) || retry >= maxRetries) return response;
      const asked = retryAfterSeconds(response.headers.get('retry-after'));
      const delayMs = asked !== null ? asked * 1000 : Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
      if (delayMs > maxDelayMs) return response;
      await response.body?.cancel();
      await abortableDelay(delayMs, request.signal);
    }
  };
}
