/**
 * Runs an async task one at a time, coalescing requests: a {@link trigger} while the task runs
 * asks for exactly one more run after it, however many triggers arrive meanwhile. Bursts of events
 * (a thousand submissions in a millisecond) thus cost one or two passes, never a thousand, and
 * nothing that arrived during a pass is missed.
 */
export class CoalescingRunner {
  private busy = false;
  private again = false;
  private stopped = false;
  private current: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;

  /**
   * @param task the work; it may call {@link trigger} or {@link schedule} itself
   * @param onError receives what the task throws (the runner carries on)
   */
  constructor(
    private readonly task: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** True while the task runs. */
  get running(): boolean {
    return this.busy;
  }

  /** Runs the task now, or once more after the current run. */
  trigger(): void {
    if (this.stopped) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.current = this.loop();
  }

  /** Runs the task in `delayMs` unless a run is already planned sooner. */
  schedule(delayMs: number): void {
    if (this.stopped) return;
    const delay = Math.max(0, delayMs);
    const at = Date.now() + delay;
    if (this.timer !== null && this.timerAt <= at) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.trigger();
    }, delay);
  }

  /** Stops planning runs and resolves when the current one (if any) has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    await this.current;
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        try {
          await this.task();
        } catch (error: unknown) {
          this.onError(error);
        }
      } while (this.again && !this.stopped);
    } finally {
      this.busy = false;
      this.current = null;
    }
  }
}
