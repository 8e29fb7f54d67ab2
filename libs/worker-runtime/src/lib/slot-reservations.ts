/** The key of one attempt of one workload. */
export function attemptKey(workloadId: string, attempt: number): string {
  return `${workloadId}#${attempt}`;
}

/** Outcome of {@link SlotReservations.reserve}. */
export type SlotReservation = 'reserved' | 'duplicate' | 'not_accepting' | 'timeout';

/** The attempts that hold a slot because they run (the engine's map of executions, by attempt key). */
export interface RunningAttempts {
  has(key: string): boolean;
  readonly size: number;
}

/**
 * The worker's `capacity` slots: an attempt holds one from the moment its assignment reserves it,
 * through its start-write ("starting"), until it stops running. An assignment that finds every
 * slot taken waits for one, up to a deadline.
 */
export class SlotReservations {
  /** Attempts whose start-write is in flight (they hold a slot). */
  private readonly starting = new Set<string>();
  private readonly waiters = new Set<() => void>();
  /** Reservations are refused (and waiting ones give up) while false: the worker drains or has not started. */
  accepting = false;

  /**
   * @param onWaiting told the number of waiting reservations each time it changes (the worker's
   *   gauge of assignments held back by a full worker); only a full worker calls it.
   */
  constructor(
    private readonly capacity: number,
    private readonly running: RunningAttempts,
    private readonly onWaiting: (count: number) => void = () => undefined,
  ) {}

  /**
   * Takes a slot for `key` as soon as one is free. Checking and taking happen in one synchronous
   * step, so concurrent assignments woken together cannot overfill the worker.
   */
  async reserve(key: string, timeoutMs: number): Promise<SlotReservation> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.running.has(key) || this.starting.has(key)) return 'duplicate';
      if (!this.accepting) return 'not_accepting';
      if (!this.full()) {
        this.starting.add(key);
        return 'reserved';
      }
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          this.onWaiting(this.waiters.size);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
        this.onWaiting(this.waiters.size);
      });
    }
  }

  /**
   * The start-write of `key` is over: its slot is now held by the running attempt, or by nothing.
   * Waiting reservations look again.
   */
  started(key: string): void {
    this.starting.delete(key);
    this.wakeWaiters();
  }

  /** Whether an attempt of the workload is between its reservation and the end of its start-write. */
  isStarting(workloadId: string): boolean {
    for (const key of this.starting) if (key.startsWith(`${workloadId}#`)) return true;
    return false;
  }

  /** Reservations waiting for a slot to free. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Has waiting reservations look again (a slot was freed, or accepting changed). */
  wakeWaiters(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private full(): boolean {
    return this.running.size + this.starting.size >= this.capacity;
  }
}
