/** Options of {@link retryDelayMs}. */
export interface RetryBackoffOptions {
  /** Delay envelope after the first failure. @default 1000 */
  baseMs?: number;
  /** Largest delay envelope. @default 60000 */
  maxMs?: number;
  /** Fraction of the envelope removed at random (0 = no jitter, 1 = anywhere in [0, envelope]). @default 0.2 */
  jitter?: number;
}

/** Defaults of {@link RetryBackoffOptions}. */
export const DEFAULT_RETRY_BACKOFF: Readonly<Required<RetryBackoffOptions>> = Object.freeze({
  baseMs: 1000,
  maxMs: 60_000,
  jitter: 0.2,
});

function resolve(options: RetryBackoffOptions): Required<RetryBackoffOptions> {
  const { baseMs, maxMs, jitter } = { ...DEFAULT_RETRY_BACKOFF, ...options };
  if (!Number.isFinite(baseMs) || baseMs < 0) throw new RangeError(`baseMs must be a finite number >= 0, got ${baseMs}`);
  if (!Number.isFinite(maxMs) || maxMs < baseMs) throw new RangeError(`maxMs must be finite and >= baseMs, got ${maxMs}`);
  if (!Number.isFinite(jitter) || jitter < 0 || jitter > 1) throw new RangeError(`jitter must be within [0, 1], got ${jitter}`);
  return { baseMs, maxMs, jitter };
}

/**
 * The envelope of the delay before the retry that follows `failureCount` failures:
 * `min(maxMs, baseMs * 2^(failureCount - 1))`, and 0 when nothing has failed yet.
 * Non-decreasing in `failureCount`.
 */
export function retryEnvelopeMs(failureCount: number, options: RetryBackoffOptions = {}): number {
  const { baseMs, maxMs } = resolve(options);
  if (!(failureCount >= 1)) return 0;
  const n = Math.floor(failureCount);
  // 2^1024 overflows; any exponent that large is at the cap anyway.
  return n > 1000 ? maxMs : Math.min(maxMs, baseMs * 2 ** (n - 1));
}

/**
 * Exponential backoff with jitter: the delay in whole milliseconds before retrying after
 * `failureCount` failed attempts (1 after the first failure). The result lies in
 * `[envelope * (1 - jitter), envelope]` (see {@link retryEnvelopeMs}), so it never exceeds `maxMs`
 * and retries of many workloads that failed together spread out instead of stampeding.
 *
 * @param random source of uniform numbers in [0, 1); injectable for deterministic tests. @default Math.random
 */
export function retryDelayMs(
  failureCount: number,
  options: RetryBackoffOptions = {},
  random: () => number = Math.random,
): number {
  const { jitter } = resolve(options);
  const envelope = retryEnvelopeMs(failureCount, options);
  if (envelope === 0) return 0;
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(envelope * (1 - jitter * r));
}
