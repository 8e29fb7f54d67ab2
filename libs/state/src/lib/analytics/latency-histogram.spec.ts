import { histogramPercentiles, histogramQuantile, LATENCY_BUCKET_COUNT, LATENCY_BUCKETS_MS } from './latency-histogram';

function histogramOf(values: number[]): number[] {
  const counts = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
  for (const v of values) {
    let i = LATENCY_BUCKETS_MS.length - 1;
    while (i > 0 && (LATENCY_BUCKETS_MS[i] ?? 0) > v) i--;
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts;
}

describe('histogramQuantile', () => {
  it('is null for an empty histogram', () => {
    expect(histogramQuantile(new Array(LATENCY_BUCKET_COUNT).fill(0), 0.5)).toBeNull();
    expect(histogramPercentiles([])).toEqual({ p50: null, p95: null, p99: null });
  });

  it('lands inside the bucket that holds the rank', () => {
    // 90 values in [10, 20) and 10 in [1000, 2000): p50 among the first, p95 and p99 among the second.
    const counts = histogramOf([...new Array(90).fill(15), ...new Array(10).fill(1500)]);
    const { p50, p95, p99 } = histogramPercentiles(counts);
    expect(p50).toBeGreaterThanOrEqual(10);
    expect(p50).toBeLessThan(20);
    expect(p95).toBeGreaterThanOrEqual(1000);
    expect(p95).toBeLessThan(2000);
    expect(p99).toBeGreaterThan(p95 ?? Infinity);
  });

  it('answers the lower bound of the open last bucket', () => {
    const counts = histogramOf([2 * 86_400_000]);
    expect(histogramQuantile(counts, 0.99)).toBe(86_400_000);
  });

  it('is monotonic in q', () => {
    const counts = histogramOf([3, 7, 40, 40, 120, 700, 5000, 25_000, 90_000]);
    const qs = [0.1, 0.3, 0.5, 0.7, 0.9, 0.99];
    const values = qs.map((q) => histogramQuantile(counts, q) ?? 0);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
  });
});
