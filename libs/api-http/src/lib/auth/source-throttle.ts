/** Limits of a {@link SourceThrottle}. */
export interface SourceThrottleLimits {
  /** Failed authentications a source address may make at once. */
  burst: number;
  /** Failed authentications per second it earns back. */
  perSecond: number;
  /**
   * Addresses tracked at once; beyond it the least recently failing is forgotten.
   * @default 50000
   */
  maxSources?: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * A token bucket per source address, in this process's memory, charged by failed authentications.
 * An address with no token left is answered 429 before its key is looked up, so guessing keys (or
 * flooding without one) costs neither a PostgreSQL lookup nor an audit row. A key that works and is
 * cached is never throttled. Memory is bounded by `maxSources` (oldest forgotten first).
 */
export class SourceThrottle {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxSources: number;

  constructor(
    private readonly limits: SourceThrottleLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.maxSources = limits.maxSources ?? 50_000;
  }

  /** Seconds until `source` may try again, or 0 when it may try now. */
  retryAfterSeconds(source: string): number {
    const bucket = this.refreshed(source);
    if (bucket === undefined || bucket.tokens >= 1) return 0;
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.limits.perSecond));
  }

  /** Charges one failed authentication to `source`. */
  charge(source: string): void {
    const bucket = this.refreshed(source) ?? { tokens: this.limits.burst, updatedAt: this.now() };
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    // Re-inserted so that Map order is least recently charged first.
    this.buckets.delete(source);
    this.buckets.set(source, bucket);
    if (this.buckets.size > this.maxSources) {
      const oldest = this.buckets.keys().next();
      if (!oldest.done) this.buckets.delete(oldest.value);
    }
  }

  /** Addresses currently tracked. */
  get size(): number {
    return this.buckets.size;
  }

  private refreshed(source: string): Bucket | undefined {
    const bucket = this.buckets.get(source);
    if (bucket === undefined) return undefined;
    const now = this.now();
    bucket.tokens = Math.min(this.limits.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.limits.perSecond);
    bucket.updatedAt = now;
    if (bucket.tokens >= this.limits.burst) {
      // Full again: nothing to remember.
      this.buckets.delete(source);
      return undefined;
    }
    return bucket;
  }
}
