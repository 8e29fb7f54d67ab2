import { DomainError, ErrorCode } from '@niyanta/models';

/** How long a customer's counted waiting workloads are trusted before counting again. */
export const PENDING_COUNT_TTL_MS = 1_000;

/** Customers tracked before stale counts are dropped (a dropped one is simply counted again). */
const MAX_TRACKED_CUSTOMERS = 10_000;

interface CustomerCount {
  /** Waiting workloads as last counted, plus what this process admitted since. */
  waiting: number;
  countedAt: number;
  /** A count in flight, shared by concurrent submissions of the customer. */
  counting: Promise<number> | null;
}

/**
 * The tier's `maxPending` at submit (SPEC §4, one customer's flood must not fill the queue): a
 * submission that would take the customer's waiting workloads (PENDING or PAUSED) over the limit is
 * refused with 429 `quota_exceeded` and nothing is written.
 *
 * Counting on every request would cost a query per submission, so each process counts a customer at
 * most once per {@link PENDING_COUNT_TTL_MS} and adds what it admitted since. With several API
 * replicas a customer may overshoot by what the others admitted within that second; it cannot grow
 * without bound.
 */
export class PendingQuota {
  private readonly counts = new Map<string, CustomerCount>();

  constructor(
    private readonly countWaiting: (customerId: string) => Promise<number>,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = PENDING_COUNT_TTL_MS,
  ) {}

  /**
   * Reserves `count` waiting workloads for the customer, or throws `quota_exceeded`. Call
   * {@link release} with what was not created (idempotent repeats, a failed write).
   */
  async admit(customerId: string, maxPending: number, count: number): Promise<void> {
    const entry = await this.fresh(customerId);
    // Checked and reserved in one synchronous step, so concurrent submissions cannot both pass.
    const waiting = entry.waiting;
    if (waiting + count > maxPending) {
      throw new DomainError(
        ErrorCode.QuotaExceeded,
        `the customer has ${waiting} workloads waiting and its tier allows ${maxPending}: cancel some or wait for them to start`,
        [{ path: count === 1 ? 'workload' : 'items', message: `${count} more would exceed max_pending ${maxPending}` }],
      );
    }
    entry.waiting += count;
  }

  /** Gives back reservations that did not become workloads. */
  release(customerId: string, count: number): void {
    const entry = this.counts.get(customerId);
    if (entry && count > 0) entry.waiting = Math.max(0, entry.waiting - count);
  }

  private async fresh(customerId: string): Promise<CustomerCount> {
    let entry = this.counts.get(customerId);
    if (entry && this.now() - entry.countedAt < this.ttlMs) return entry;
    if (!entry) {
      if (this.counts.size >= MAX_TRACKED_CUSTOMERS) this.forgetStale();
      entry = { waiting: 0, countedAt: -Infinity, counting: null };
      this.counts.set(customerId, entry);
    }
    if (!entry.counting) {
      const pending = entry;
      pending.counting = this.countWaiting(customerId).then(
        (waiting) => {
          pending.waiting = waiting;
          pending.countedAt = this.now();
          pending.counting = null;
          return waiting;
        },
        (error: unknown) => {
          pending.counting = null;
          throw error;
        },
      );
    }
    await entry.counting;
    return entry;
  }

  private forgetStale(): void {
    const now = this.now();
    for (const [customerId, entry] of this.counts) {
      if (!entry.counting && now - entry.countedAt >= this.ttlMs) this.counts.delete(customerId);
    }
  }
}
