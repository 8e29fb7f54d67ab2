/**
 * Groups concurrent requests into batches without adding latency when idle: the first request
 * waits only for the current turn of the event loop (so a burst submitted together travels
 * together); while a batch is in flight, new requests queue and go as the next batch when it ends.
 * Under load this turns N round trips into about N / (requests per round trip).
 */
export class MicroBatcher<I, O> {
  private queue: Array<{ item: I; resolve: (value: O) => void; reject: (error: unknown) => void }> = [];
  private inFlight = false;
  private scheduled = false;

  /**
   * @param run handles one batch; must return one result per item, in order. A rejection fails
   *   every item of that batch.
   * @param maxBatch most items per batch. @default 500
   */
  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly maxBatch = 500,
  ) {}

  /** Queues `item`; resolves with its result from the batch it travels in. */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.inFlight || this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.inFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.inFlight = true;
    try {
      const results = await this.run(batch.map((entry) => entry.item));
      if (results.length !== batch.length) {
        throw new Error(`batch returned ${results.length} results for ${batch.length} items`);
      }
      batch.forEach((entry, i) => entry.resolve(results[i] as O));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    } finally {
      this.inFlight = false;
      this.schedule();
    }
  }
}
