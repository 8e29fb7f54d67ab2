import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The outcome of taking one token from a shared bucket. */
export interface RateLimitDecision {
  allowed: boolean;
  /** Bucket size (the tier's burst): `X-RateLimit-Limit`. */
  limit: number;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Milliseconds until the bucket is full again. */
  resetMs: number;
  /** When refused: milliseconds until one token is available; 0 when allowed. */
  retryAfterMs: number;
  /** The tier whose rate applied (the fallback when the customer's tier is not defined). */
  tier: string;
}

interface DecisionRow {
  allowed: boolean;
  tat_ms: number;
  now_ms: number;
  rate: number;
  burst: number;
  tier: string;
}

/**
 * A token bucket per key shared by every API replica, as GCRA (generic cell rate algorithm): one row
 * per key holds the theoretical arrival time `tat`; a request at `now` is admitted when
 * `max(tat, now) + T - now <= burst * T` with `T = 1000 / rate` ms, and then moves `tat` by `T`.
 * One statement on an UNLOGGED table decides and records atomically (the row lock orders
 * concurrent requests), by the database's clock, so replicas with skewed clocks still agree.
 */
@Injectable()
export class RateLimitRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Takes one token of `key` at the rate and burst of tier `tier` (or `fallbackTier` when `tier` is
   * not defined). Null when neither tier exists: nothing to enforce.
   */
  async take(key: string, tier: string, fallbackTier: string): Promise<RateLimitDecision | null> {
    const rows: DecisionRow[] = await this.dataSource.query(
      `WITH p AS (
         SELECT t.name AS tier, t.requests_per_second AS rate, t.burst,
                1000.0 / t.requests_per_second AS step,
                extract(epoch FROM clock_timestamp()) * 1000 AS now_ms
           FROM tiers t WHERE t.name IN ($2, $3) ORDER BY (t.name = $2) DESC LIMIT 1),
       decided AS (
         INSERT INTO rate_limit_buckets AS b (key, tat_ms, allowed)
         SELECT $1, p.now_ms + p.step, true FROM p
         ON CONFLICT (key) DO UPDATE SET
           allowed = greatest(b.tat_ms, (SELECT now_ms FROM p)) + (SELECT step FROM p) - (SELECT now_ms FROM p)
                     <= (SELECT burst * step FROM p),
           tat_ms = CASE
             WHEN greatest(b.tat_ms, (SELECT now_ms FROM p)) + (SELECT step FROM p) - (SELECT now_ms FROM p)
                  <= (SELECT burst * step FROM p)
             THEN greatest(b.tat_ms, (SELECT now_ms FROM p)) + (SELECT step FROM p)
             ELSE b.tat_ms END
         RETURNING b.allowed, b.tat_ms)
       SELECT d.allowed, d.tat_ms, p.now_ms, p.rate, p.burst, p.tier
         FROM decided d, p`,
      [key, tier, fallbackTier],
    );
    const row = rows[0];
    if (!row) return null;
    const step = 1000 / Number(row.rate);
    const burst = Number(row.burst);
    const now = Number(row.now_ms);
    const tat = Number(row.tat_ms);
    const ahead = Math.max(0, tat - now);
    return {
      allowed: row.allowed,
      limit: burst,
      remaining: row.allowed ? Math.max(0, Math.floor(burst - ahead / step)) : 0,
      resetMs: ahead,
      // Refused: a token frees up when tat - now falls to (burst - 1) * step.
      retryAfterMs: row.allowed ? 0 : Math.max(0, ahead - (burst - 1) * step),
      tier: row.tier,
    };
  }

  /** Forgets a key's bucket (it starts full again). */
  async reset(key: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM rate_limit_buckets WHERE key = $1`, [key]);
  }
}
