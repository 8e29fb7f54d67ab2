/**
 * A count per key that names a key with the largest count in O(1). Counts only ever move by one,
 * so each key sits in the bucket of its count and the largest non-empty bucket is tracked as counts
 * move: increment, decrement and {@link largest} are all O(1) (the LFU-cache bucket technique).
 * The leader asks for the largest customer of its bounded queue once per workload admitted to a
 * full queue; a scan of every customer there made admission O(customers).
 */
export class CountBuckets<K> {
  private readonly counts = new Map<K, number>();
  /**
   * Keys by count. An emptied bucket is kept for reuse (counts move by one, so a key leaving a
   * bucket mostly creates the next one): no allocation per step, at the price of one empty set per
   * count ever reached, until {@link clear}.
   */
  private readonly buckets = new Map<number, Set<K>>();
  private max = 0;

  /** Keys with a count above zero. */
  get size(): number {
    return this.counts.size;
  }

  /** The key's count (0 when absent). */
  get(key: K): number {
    return this.counts.get(key) ?? 0;
  }

  /** Adds one to the key's count; returns the new count. */
  increment(key: K): number {
    const count = this.get(key);
    if (count > 0) this.leave(key, count);
    const next = count + 1;
    this.enter(key, next);
    this.counts.set(key, next);
    if (next > this.max) this.max = next;
    return next;
  }

  /** Takes one from the key's count (a key at 0 stays absent); returns the new count. */
  decrement(key: K): number {
    const count = this.get(key);
    if (count === 0) return 0;
    // When the key leaves the largest bucket empty, it lands in the bucket just below: the new max.
    if (this.leave(key, count) && count === this.max) this.max = count - 1;
    const next = count - 1;
    if (next > 0) {
      this.enter(key, next);
      this.counts.set(key, next);
    } else {
      this.counts.delete(key);
    }
    return next;
  }

  /** A key with the largest count (ties: any of them), or undefined when every count is 0. */
  largest(): { key: K; count: number } | undefined {
    if (this.max === 0) return undefined;
    const bucket = this.buckets.get(this.max) as Set<K>;
    return { key: bucket.values().next().value as K, count: this.max };
  }

  /** Every key with its count, in no particular order. */
  entries(): IterableIterator<[K, number]> {
    return this.counts.entries();
  }

  clear(): void {
    this.counts.clear();
    this.buckets.clear();
    this.max = 0;
  }

  private enter(key: K, count: number): void {
    let bucket = this.buckets.get(count);
    if (!bucket) {
      bucket = new Set();
      this.buckets.set(count, bucket);
    }
    bucket.add(key);
  }

  /** Removes the key from its bucket; true when that emptied the bucket. */
  private leave(key: K, count: number): boolean {
    const bucket = this.buckets.get(count) as Set<K>;
    bucket.delete(key);
    return bucket.size === 0;
  }
}
