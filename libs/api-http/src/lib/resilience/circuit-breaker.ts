/** Where a {@link CircuitBreaker} stands. */
export type CircuitState = 'closed' | 'open' | 'half_open';

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. @default 5 */
  failureThreshold?: number;
  /** How long the first opening lasts before a probe. @default 500 */
  openBaseMs?: number;
  /** Longest opening (each failed probe doubles it up to this). @default 5000 */
  openMaxMs?: number;
  /** Spread of each opening, as a fraction (±). @default 0.2 */
  jitter?: number;
  /** @default Date.now */
  now?: () => number;
  /** @default Math.random */
  random?: () => number;
}

/**
 * A circuit breaker whose recovery is tested by one probe, not by callers:
 *
 * - **closed**: everything passes; `failureThreshold` consecutive failures open it;
 * - **open**: nothing passes until the opening ends (exponential backoff with jitter, so replicas
 *   do not probe in step); then the owner runs one probe;
 * - **half_open**: that probe is in flight; nothing else passes. Its success closes the circuit,
 *   its failure opens it again for twice as long (up to `openMaxMs`).
 *
 * Pure state: the owner decides what a failure is and how to probe.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures = 0;
  private openings = 0;
  private openUntil = 0;
  private readonly failureThreshold: number;
  private readonly openBaseMs: number;
  private readonly openMaxMs: number;
  private readonly jitter: number;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 5;
    this.openBaseMs = options.openBaseMs ?? 500;
    this.openMaxMs = options.openMaxMs ?? 5_000;
    this.jitter = options.jitter ?? 0.2;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    if (!Number.isInteger(this.failureThreshold) || this.failureThreshold < 1) {
      throw new RangeError(`failureThreshold must be an integer >= 1, got ${this.failureThreshold}`);
    }
    if (!(this.openBaseMs > 0) || !(this.openMaxMs >= this.openBaseMs)) {
      throw new RangeError('openBaseMs must be positive and openMaxMs at least openBaseMs');
    }
  }

  get state(): CircuitState {
    return this.current;
  }

  /** True when a call may go ahead (closed). */
  allows(): boolean {
    return this.current === 'closed';
  }

  /** Milliseconds until the current opening ends (0 unless open). */
  remainingOpenMs(): number {
    return this.current === 'open' ? Math.max(0, this.openUntil - this.now()) : 0;
  }

  /**
   * True when the opening is over and nobody probes yet: the caller must probe now and report
   * with {@link probeSucceeded} or {@link probeFailed}. The state is then half-open.
   */
  tryStartProbe(): boolean {
    if (this.current !== 'open' || this.now() < this.openUntil) return false;
    this.current = 'half_open';
    return true;
  }

  /** A call through the closed circuit worked: the failure count starts over. */
  recordSuccess(): void {
    if (this.current === 'closed') this.failures = 0;
  }

  /** A call failed because of the dependency. Returns true when this failure opened the circuit. */
  recordFailure(): boolean {
    if (this.current !== 'closed') return false;
    this.failures++;
    if (this.failures < this.failureThreshold) return false;
    this.open();
    return true;
  }

  probeSucceeded(): void {
    this.current = 'closed';
    this.failures = 0;
    this.openings = 0;
  }

  probeFailed(): void {
    this.open();
  }

  private open(): void {
    const base = Math.min(this.openMaxMs, this.openBaseMs * 2 ** this.openings);
    const spread = base * this.jitter * (2 * this.random() - 1);
    this.openings++;
    this.current = 'open';
    this.failures = 0;
    this.openUntil = this.now() + Math.max(1, Math.round(base + spread));
  }
}
