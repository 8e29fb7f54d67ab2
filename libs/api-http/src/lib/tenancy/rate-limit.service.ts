import { Inject, Injectable } from '@nestjs/common';
import { RateLimitedError } from '@niyanta/models';
import { RateLimitRepository, type RateLimitDecision } from '@niyanta/state';
import type { Response } from 'express';
import { API_HTTP_OPTIONS, type ApiHttpOptions } from '../api-http.options';
import type { CustomerPrincipal } from '../common/principal';
import { SubmissionCoalescer } from '../common/submission-coalescer';
import { TenantApiMetrics } from './tenant-metrics';
import { TokenLease } from './token-lease';

/** Customers whose request grouping is remembered at once. */
const MAX_TRACKED_KEYS = 10_000;

/** Tier whose rate applies to a customer whose tier is not defined. */
export const FALLBACK_RATE_TIER = 'free';

/**
 * Per-customer request rate limiting (SPEC §3–§4): a token bucket of the customer's tier (rate and
 * burst from the `tiers` table) shared by every API replica through PostgreSQL: one statement per
 * request when idle, one per group of concurrent requests of a customer when busy, and for a
 * customer whose requests keep coming, one per lease of tokens taken ahead ({@link TokenLease}). Sets `X-RateLimit-Limit` (the burst), `X-RateLimit-Remaining` and `X-RateLimit-Reset`
 * (seconds until the bucket is full again) on every customer response; a refused request is 429
 * `rate_limited` with `Retry-After`.
 */
@Injectable()
export class RateLimitService {
  private readonly enabled: boolean;
  private readonly coalescers = new Map<string, SubmissionCoalescer<string, RateLimitDecision | null>>();
  private readonly leases = new Map<string, TokenLease>();

  constructor(
    private readonly repository: RateLimitRepository,
    private readonly metrics: TenantApiMetrics,
    @Inject(API_HTTP_OPTIONS) options: ApiHttpOptions,
  ) {
    this.enabled = options.rateLimit !== false;
  }

  /** Takes a token for the customer or throws {@link RateLimitedError}; headers go on `res` either way. */
  async admit(principal: CustomerPrincipal, res: Response): Promise<void> {
    if (!this.enabled) return;
    const key = `customer:${principal.customerId}`;
    const leased = this.leases.get(key)?.take();
    if (leased) {
      res.setHeader('X-RateLimit-Limit', String(leased.limit));
      res.setHeader('X-RateLimit-Remaining', String(leased.remaining));
      res.setHeader('X-RateLimit-Reset', String(Math.ceil(leased.resetMs / 1000)));
      return;
    }
    const decision = await this.coalescerFor(key).submit(principal.tier);
    if (decision === null) return;
    res.setHeader('X-RateLimit-Limit', String(decision.limit));
    res.setHeader('X-RateLimit-Remaining', String(decision.remaining));
    res.setHeader('X-RateLimit-Reset', String(Math.ceil(decision.resetMs / 1000)));
    if (!decision.allowed) {
      this.metrics.throttled.inc({ tier: principal.tier });
      throw new RateLimitedError(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
    }
  }

  /**
   * One statement per customer at a time: requests arriving while it runs are decided together by
   * the next (one row lock and one round trip for many requests), so a busy customer does not
   * queue its requests behind each other on the bucket's row. An idle customer's request goes at once.
   */
  private coalescerFor(key: string): SubmissionCoalescer<string, RateLimitDecision | null> {
    let coalescer = this.coalescers.get(key);
    if (!coalescer) {
      if (this.coalescers.size >= MAX_TRACKED_KEYS) {
        // Maps iterate in insertion order: forget the oldest (at worst two statements run for it).
        const oldest = this.coalescers.keys().next();
        if (!oldest.done) {
          this.coalescers.delete(oldest.value);
          this.leases.delete(oldest.value);
        }
      }
      const lease = new TokenLease();
      this.leases.set(key, lease);
      coalescer = new SubmissionCoalescer<string, RateLimitDecision | null>(
        async (tiers) => {
          const decisions = await this.repository.takeMany(key, tiers.length + lease.ahead, tiers[0] ?? FALLBACK_RATE_TIER, FALLBACK_RATE_TIER);
          if (decisions === null) return tiers.map(() => null);
          const extra = decisions.slice(tiers.length).filter((decision) => decision.allowed).length;
          const last = decisions[tiers.length + Math.max(0, extra - 1)] ?? decisions[decisions.length - 1];
          if (last) lease.fill(tiers.length, extra, last);
          return decisions.slice(0, tiers.length);
        },
        { maxInFlight: 1, maxGroupSize: 1000 },
      );
      this.coalescers.set(key, coalescer);
    }
    return coalescer;
  }
}
