/** Options of {@link SubmissionCoalescer}. */
export interface CoalescerOptions {
  /** Statements allowed in flight at once; more callers wait and are grouped. @default 4 */
  maxInFlight?: number;
  /** Most items written by one statement. @default 500 */
  maxGroupSize?: number;
  /**
   * Whether a failed shared write is worth retrying item by item: not when the failure is not an
   * item's doing (the database is unreachable), or a group of 500 would become 500 failing writes.
   * @default every failure
   */
  retryItemsAfter?: (error: unknown) => boolean;
}

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Groups concurrent single submissions into shared statements. While fewer than `maxInFlight`
 * writes run, an item is written at once (no added latency when idle); beyond that, items queue and
 * the next free slot writes them together — one commit for many requests, which is what lets single
 * submissions scale past the commit rate of one connection.
 *
 * `write` must return one result per item, in order, and be all-or-none. When a shared write fails,
 * its items are written again one by one, so one caller's bad item (or a conflict it alone causes)
 * fails that caller only, never the other customers grouped with it.
 */
export class SubmissionCoalescer<T, R> {
  private readonly queue: Array<Pending<T, R>> = [];
  private inFlight = 0;
  private readonly maxInFlight: number;
  private readonly maxGroupSize: number;
  private readonly retryItemsAfter: (error: unknown) => boolean;

  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    options: CoalescerOptions = {},
  ) {
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 4);
    this.maxGroupSize = Math.max(1, options.maxGroupSize ?? 500);
    this.retryItemsAfter = options.retryItemsAfter ?? (() => true);
  }

  /** Resolves with the item's result once the statement carrying it has committed. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const group = this.queue.splice(0, this.maxGroupSize);
      this.inFlight++;
      this.run(group).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  private async run(group: Array<Pending<T, R>>): Promise<void> {
    try {
      const results = await this.writeAll(group);
      group.forEach((pending, index) => pending.resolve(results[index] as R));
    } catch (error) {
      if (group.length === 1 || !this.retryItemsAfter(error)) {
        for (const pending of group) pending.reject(error);
        return;
      }
      // All-or-none, so nothing of the group was written: each item alone is safe to retry.
      await Promise.all(
        group.map(async (pending) => {
          try {
            pending.resolve((await this.writeAll([pending]))[0] as R);
          } catch (itemError) {
            pending.reject(itemError);
          }
        }),
      );
    }
  }

  private async writeAll(group: Array<Pending<T, R>>): Promise<R[]> {
    const results = await this.write(group.map((pending) => pending.item));
    if (results.length !== group.length) {
      throw new Error(`coalesced write returned ${results.length} results for ${group.length} items`);
    }
    return results;
  }
}
