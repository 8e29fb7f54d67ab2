/**
 * Lower bounds (ms) of the fixed latency buckets the analytics rollups count into: bucket `i`
 * (1-based, as PostgreSQL's `width_bucket` numbers them) holds values in
 * `[LATENCY_BUCKETS_MS[i-1], LATENCY_BUCKETS_MS[i])`, the last one everything from a day up.
 * Roughly ×2 steps, so a percentile read from them is within about a factor of two of the truth;
 * the rollup SQL and the percentile estimate both read this one list.
 */
export const LATENCY_BUCKETS_MS: readonly number[] = [
  0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 60_000, 120_000,
  300_000, 600_000, 1_200_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000, 86_400_000,
];

/** Number of buckets (the length of every histogram array). */
export const LATENCY_BUCKET_COUNT = LATENCY_BUCKETS_MS.length;

/** The thresholds as a PostgreSQL `float8[]` literal, for `width_bucket`. */
export const LATENCY_BUCKETS_SQL = `'{${LATENCY_BUCKETS_MS.join(',')}}'::float8[]`;

/** 1..{@link LATENCY_BUCKET_COUNT}: the array subscripts of a histogram. */
export const LATENCY_BUCKET_INDEXES: readonly number[] = LATENCY_BUCKETS_MS.map((_, i) => i + 1);

/** Latency percentiles (ms); null when nothing was measured. */
export interface LatencyPercentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/**
 * Estimates the `q` quantile (0 < q ≤ 1) of a histogram over {@link LATENCY_BUCKETS_MS}: the
 * bucket holding the rank, interpolated linearly inside it (the last, open bucket answers its lower
 * bound). Null for an empty histogram.
 */
export function histogramQuantile(counts: readonly number[], q: number): number | null {
  const total = counts.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i] ?? 0;
    if (n > 0 && seen + n >= rank) {
      const low = LATENCY_BUCKETS_MS[i] ?? 0;
      const high = LATENCY_BUCKETS_MS[i + 1];
      if (high === undefined) return low;
      return Math.round(low + ((rank - seen) / n) * (high - low));
    }
    seen += n;
  }
  return LATENCY_BUCKETS_MS[counts.length - 1] ?? null;
}

/** p50, p95 and p99 of a histogram. */
export function histogramPercentiles(counts: readonly number[]): LatencyPercentiles {
  return { p50: histogramQuantile(counts, 0.5), p95: histogramQuantile(counts, 0.95), p99: histogramQuantile(counts, 0.99) };
}
