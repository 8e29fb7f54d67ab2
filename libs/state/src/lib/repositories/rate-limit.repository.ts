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

interface TakeRow {
  admitted: number;
  previous_ahead_ms: number;
  step_ms: number;
  burst: number;
  tier: string;
}

/**
 * A token bucket per key shared by every API replica, as GCRA (generic cell rate algorithm): one row
 * per key holds the theoretical arrival time `tat`; at `now`, with `T = 1000 / rate` ms and
 * `ahead = max(tat - now, 0)`, `k` requests are admitted when `ahead + k·T <= burst·T`, and `tat`
 * moves to `now + ahead + k·T`. One statement locks the row, decides and records, by the
 * database's clock (replicas with skewed clocks still agree). The table is UNLOGGED: no WAL flush
 * per request, and a crash only refills the buckets.
 */
@Injectable()
export class RateLimitRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Takes one token of `key` at the rate and burst of tier `tier` (or `fallbackTier` when `tier` is
   * not defined). Null when neither tier exists: nothing to enforce.
   */
  async take(key: string, tier: string, fallbackTier: string): Promise<RateLimitDecision | null> {
    return (await this.takeMany(key, 1, tier, fallbackTier))?.[0] ?? null;
  }

  /**
   * Takes up to `count` tokens of `key` in one statement, for `count` requests in arrival order:
   * the first ones get a token while the bucket has any, the rest are refused. Null when neither
   * tier exists.
   */
  async takeMany(key: string, count: number, tier: string, fallbackTier: string): Promise<RateLimitDecision[] | null> {
    const n = Math.max(1, Math.floor(count));
    let row = await this.decide(key, n, tier, fallbackTier);
    if (row === undefined) {
      // First request of this key (or buckets emptied by a crash): create it full, then decide.
      await this.dataSource.query(
        `INSERT INTO rate_limit_buckets (key, tat_ms) VALUES ($1, extract(epoch FROM clock_timestamp()) * 1000)
         ON CONFLICT (key) DO NOTHING`,
        [key],
      );
      row = await this.decide(key, n, tier, fallbackTier);
    }
    if (!row) return null;
    const step = Number(row.step_ms);
    const burst = Number(row.burst);
    const ahead0 = Number(row.previous_ahead_ms);
    const admitted = Number(row.admitted);
    const aheadAfter = ahead0 + admitted * step;
    return Array.from({ length: n }, (_, i): RateLimitDecision => {
      if (i < admitted) {
        const ahead = ahead0 + (i + 1) * step;
        return { allowed: true, limit: burst, remaining: Math.max(0, Math.floor(burst - ahead / step + 1e-9)), resetMs: ahead, retryAfterMs: 0, tier: row.tier };
      }
      // A token frees up when ahead falls to (burst - 1) * step.
      return { allowed: false, limit: burst, remaining: 0, resetMs: aheadAfter, retryAfterMs: Math.max(1, aheadAfter - (burst - 1) * step), tier: row.tier };
    });
  }

  /** Forgets a key's bucket (it starts full again). */
  async reset(key: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM rate_limit_buckets WHERE key = $1`, [key]);
  }

  /** One locked read-decide-write; undefined when the key has no bucket row, null when no tier applies. */
  private async decide(key: string, n: number, tier: string, fallbackTier: string): Promise<TakeRow | null | undefined> {
    const rows: Array<TakeRow | { missing: true }> = await this.dataSource.query(
      `WITH p AS (
         SELECT t.name AS tier, t.burst, 1000.0 / t.requests_per_second AS step_ms,
                extract(epoch FROM clock_timestamp()) * 1000 AS now_ms
           FROM tiers t WHERE t.name IN ($2, $3) ORDER BY (t.name = $2) DESC LIMIT 1),
       prev AS (SELECT b.tat_ms FROM rate_limit_buckets b WHERE b.key = $1 FOR UPDATE),
       d AS (
         SELECT p.tier, p.burst, p.step_ms, p.now_ms, greatest(prev.tat_ms - p.now_ms, 0) AS ahead_ms,
                least($4::int, greatest(0, floor(p.burst - greatest(prev.tat_ms - p.now_ms, 0) / p.step_ms + 1e-9)))::int AS admitted
           FROM p, prev),
       upd AS (
         UPDATE rate_limit_buckets b
            SET tat_ms = d.now_ms + d.ahead_ms + d.admitted * d.step_ms, allowed = d.admitted > 0
           FROM d WHERE b.key = $1 AND d.admitted > 0
         RETURNING 1)
       SELECT d.admitted, d.ahead_ms AS previous_ahead_ms, d.step_ms, d.burst, d.tier, (SELECT count(*) FROM upd) AS written FROM d
       UNION ALL
       SELECT NULL, NULL, NULL, NULL, NULL, NULL WHERE NOT EXISTS (SELECT 1 FROM prev)`,
      [key, tier, fallbackTier, n],
    );
    const first = rows[0] as (TakeRow & { admitted: number | null }) | undefined;
    if (!first) return null;
    if (first.admitted === null) return undefined;
    return first;
  }
}
