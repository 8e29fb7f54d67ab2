import { Inject, Injectable } from '@nestjs/common';
import { RateLimitedError } from '@niyanta/models';
import { RateLimitRepository } from '@niyanta/state';
import type { Response } from 'express';
import { API_HTTP_OPTIONS, type ApiHttpOptions } from '../api-http.options';
import type { CustomerPrincipal } from '../auth/principal';
import { TenantApiMetrics } from './tenant-metrics';

/** Tier whose rate applies to a customer whose tier is not defined. */
export const FALLBACK_RATE_TIER = 'free';

/**
 * Per-customer request rate limiting (SPEC §3–§4): a token bucket of the customer's tier (rate and
 * burst from the `tiers` table) shared by every API replica through PostgreSQL, one statement per
 * request. Sets `X-RateLimit-Limit` (the burst), `X-RateLimit-Remaining` and `X-RateLimit-Reset`
 * (seconds until the bucket is full again) on every customer response; a refused request is 429
 * `rate_limited` with `Retry-After`.
 */
@Injectable()
export class RateLimitService {
  private readonly enabled: boolean;

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
    const decision = await this.repository.take(`customer:${principal.customerId}`, principal.tier, FALLBACK_RATE_TIER);
    if (decision === null) return;
    res.setHeader('X-RateLimit-Limit', String(decision.limit));
    res.setHeader('X-RateLimit-Remaining', String(decision.remaining));
    res.setHeader('X-RateLimit-Reset', String(Math.ceil(decision.resetMs / 1000)));
    if (!decision.allowed) {
      this.metrics.throttled.inc({ tier: principal.tier });
      throw new RateLimitedError(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
    }
  }
}
