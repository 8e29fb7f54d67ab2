/** Options of {@link SubmissionCoalescer}. */
export interface CoalescerOptions {
  /** Statements allowed in flight at once; more callers wait and are grouped. @default 4 */
  maxInFlight?: number;
  /** Most items written by one statement. @default 500 */
  maxGroupSize?: number;
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
 * `write` must return one result per item, in order, and be all-or-none: when it fails, every item
 * of that group fails with the same error.
 */
export class SubmissionCoalescer<T, R> {
  private readonly queue: Array<Pending<T, R>> = [];
  private inFlight = 0;
  private readonly maxInFlight: number;
  private readonly maxGroupSize: number;

  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    options: CoalescerOptions = {},
  ) {
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 4);
    this.maxGroupSize = Math.max(1, options.maxGroupSize ?? 500);
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
      const results = await this.write(group.map((pending) => pending.item));
      if (results.length !== group.length) {
        throw new Error(`coalesced write returned ${results.length} results for ${group.length} items`);
      }
      group.forEach((pending, index) => pending.resolve(results[index] as R));
    } catch (error) {
      for (const pending of group) pending.reject(error);
    }
  }
}
