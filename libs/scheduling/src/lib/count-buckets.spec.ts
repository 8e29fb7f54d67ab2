import fc from 'fast-check';
import { CountBuckets } from './count-buckets';

/** The naive version: a map of counts, the largest found by a scan. */
class NaiveCounts {
  readonly counts = new Map<string, number>();
  increment(key: string): number {
    const next = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, next);
    return next;
  }
  decrement(key: string): number {
    const count = this.counts.get(key) ?? 0;
    if (count === 0) return 0;
    if (count === 1) this.counts.delete(key);
    else this.counts.set(key, count - 1);
    return count - 1;
  }
  largestCount(): number {
    let max = 0;
    for (const count of this.counts.values()) max = Math.max(max, count);
    return max;
  }
}

type Op = { kind: 'inc' | 'dec'; key: string } | { kind: 'clear' };

const key = fc.integer({ min: 0, max: 6 }).map((i) => `k${i}`);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: key.map((k): Op => ({ kind: 'inc', key: k })) },
  { weight: 5, arbitrary: key.map((k): Op => ({ kind: 'dec', key: k })) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: 'clear' }) },
);

describe(CountBuckets.name, () => {
  it('agrees with a scan of the counts after every step: counts, size and the largest count', () => {
    let checkedNonEmpty = 0;
    let steps = 0;
    fc.assert(
      // size 'max': sequences long enough to build and drain multisets, not fast-check's short default.
      fc.property(fc.array(op, { minLength: 1, maxLength: 200, size: 'max' }), (ops) => {
        const buckets = new CountBuckets<string>();
        const naive = new NaiveCounts();
        for (const o of ops) {
          steps++;
          if (o.kind === 'inc') expect(buckets.increment(o.key)).toBe(naive.increment(o.key));
          else if (o.kind === 'dec') expect(buckets.decrement(o.key)).toBe(naive.decrement(o.key));
          else {
            buckets.clear();
            naive.counts.clear();
          }
          const largest = buckets.largest();
          const max = naive.largestCount();
          if (max === 0) {
            expect(largest).toBeUndefined();
          } else {
            checkedNonEmpty++;
            expect(largest?.count).toBe(max);
            expect(naive.counts.get(largest?.key as string)).toBe(max);
          }
          expect(buckets.size).toBe(naive.counts.size);
          expect(new Map(buckets.entries())).toEqual(naive.counts);
        }
      }),
      { numRuns: 300 },
    );
    // The arbitraries reach the interesting case (a non-empty multiset) most of the time.
    expect(checkedNonEmpty).toBeGreaterThan(steps / 2);
  });

  it('moves the largest down when its only key shrinks, and keeps it while another key holds it', () => {
    const buckets = new CountBuckets<string>();
    for (const k of ['a', 'a', 'a', 'b', 'b', 'b', 'c']) buckets.increment(k);
    expect(buckets.largest()?.count).toBe(3);
    buckets.decrement('a');
    expect(buckets.largest()).toEqual({ key: 'b', count: 3 });
    buckets.decrement('b');
    expect(buckets.largest()?.count).toBe(2);
    expect(buckets.decrement('nobody')).toBe(0);
    expect(buckets.get('nobody')).toBe(0);
    for (const k of ['a', 'a', 'b', 'b', 'c']) buckets.decrement(k);
    expect(buckets.largest()).toBeUndefined();
    expect(buckets.size).toBe(0);
  });
});
