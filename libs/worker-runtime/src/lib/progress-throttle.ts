/** Writes one progress value; must not reject (the caller logs and swallows its own errors). */
export type ProgressWriter = (progress: number, message: string | null) => Promise<void>;

/**
 * Limits the progress writes of one workload to one per `intervalMs`, always writing the last
 * value reported: a report inside the interval replaces the pending value and a timer writes it
 * when the interval is over. Writes never overlap, so they reach the database in order.
 */
export class ProgressThrottle {
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private pending: { progress: number; message: string | null } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly write: ProgressWriter,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Records a report. Resolves when it is written if that happens at once; a throttled report
   * resolves immediately (it is written later, unless a newer one replaces it).
   */
  report(progress: number, message: string | null): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.pending = { progress, message };
    if (this.inFlight === null && this.timer === null && this.now() - this.lastWriteAt >= this.intervalMs) {
      return this.writePending();
    }
    this.schedule();
    return Promise.resolve();
  }

  /** Writes the pending report now (waiting for a write in flight first). */
  async flush(): Promise<void> {
    this.clearTimer();
    if (this.inFlight !== null) await this.inFlight;
    if (this.pending !== null && !this.stopped) await this.writePending();
  }

  /** Drops any pending report and ignores later ones. */
  stop(): void {
    this.stopped = true;
    this.pending = null;
    this.clearTimer();
  }

  private schedule(): void {
    // A write in flight reschedules when it ends; an armed timer will pick up the newest value.
    if (this.timer !== null || this.inFlight !== null || this.stopped) return;
    const wait = Math.max(0, this.lastWriteAt + this.intervalMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.writePending();
    }, wait);
  }

  private writePending(): Promise<void> {
    const next = this.pending;
    if (next === null) return Promise.resolve();
    this.pending = null;
    this.lastWriteAt = this.now();
    const write = this.write(next.progress, next.message)
      .catch(() => undefined)
      .finally(() => {
        this.inFlight = null;
        if (this.pending !== null) this.schedule();
      });
    this.inFlight = write;
    return write;
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
