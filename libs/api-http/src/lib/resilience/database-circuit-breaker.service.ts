import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DependencyUnavailableError } from '@niyanta/models';
import { StateHealth } from '@niyanta/state';
import { Counter, Gauge, register, type Metric } from 'prom-client';
import { isDependencyFailure } from '../errors/error-status';
import { CircuitBreaker, type CircuitState } from './circuit-breaker';

/** Names of the breaker's metrics. */
export const DATABASE_CIRCUIT_METRIC = {
  state: 'niyanta_api_database_circuit_state',
  rejected: 'niyanta_api_database_circuit_rejected_total',
} as const;

const STATE_VALUE: Record<CircuitState, number> = { closed: 0, open: 1, half_open: 2 };

/** A probe slower than this counts as failed. */
const PROBE_TIMEOUT_MS = 1_000;

/** prom-client's registry is process-global: a second API in one process reuses the metric. */
function existing<T extends Metric>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

/** Answered while the circuit is open: PostgreSQL is presumed down; nothing was attempted. */
export class CircuitOpenError extends DependencyUnavailableError {
  constructor(readonly retryAfterSeconds: number) {
    super('postgresql');
    this.name = 'CircuitOpenError';
  }
}

/**
 * Stops the API hammering a PostgreSQL that is down. Requests whose failure says the database is
 * unreachable (the exception filter reports them) count; after 5 in a row the circuit opens and
 * `/v1` requests are answered 503 `dependency_unavailable` with `Retry-After` at once, before
 * authentication, rate limiting or any query — so they cannot half-apply anything, and the pool
 * does not queue connection attempts behind a dead server. While open, one `SELECT 1` probe runs
 * when each opening ends (0.5 s, doubling to 2 s, ±20 % jitter): at most one cheap query per
 * replica every 2 s, and service back within about 2 s of the database; success closes the
 * circuit. Health and readiness routes are not gated (`/ready` keeps telling the truth on its own).
 *
 * A hand-rolled breaker rather than a library (e.g. opossum): the API has no single function to
 * wrap — the database is reached from guards, services and repositories — so what is needed is a
 * gate in front of the request plus a probe, which is this class's whole job.
 */
@Injectable()
export class DatabaseCircuitBreaker implements OnModuleDestroy {
  private readonly logger = new Logger(DatabaseCircuitBreaker.name);
  private readonly breaker = new CircuitBreaker({ failureThreshold: 5, openBaseMs: 500, openMaxMs: 2_000, jitter: 0.2 });
  private probeTimer: NodeJS.Timeout | null = null;
  private destroyed = false;
  private readonly stateGauge = existing(
    DATABASE_CIRCUIT_METRIC.state,
    () =>
      new Gauge({ name: DATABASE_CIRCUIT_METRIC.state, help: 'Circuit breaker in front of PostgreSQL: 0 closed, 1 open, 2 half-open (probing)' }),
  );
  private readonly rejected = existing(
    DATABASE_CIRCUIT_METRIC.rejected,
    () =>
      new Counter({
        name: DATABASE_CIRCUIT_METRIC.rejected,
        help: 'Requests answered 503 by the open circuit without touching PostgreSQL',
      }),
  );

  constructor(private readonly state: StateHealth) {
    this.stateGauge.set(0);
  }

  get circuitState(): CircuitState {
    return this.breaker.state;
  }

  /** @throws CircuitOpenError while the circuit is not closed */
  check(): void {
    if (this.breaker.allows()) return;
    this.rejected.inc();
    throw new CircuitOpenError(Math.max(1, Math.ceil(this.breaker.remainingOpenMs() / 1_000)));
  }

  /** A request went through with an answer below 500. */
  recordSuccess(): void {
    this.breaker.recordSuccess();
  }

  /**
   * Looks at an error a request was answered with (500 and above): those that say PostgreSQL is
   * unreachable count as failures; the breaker's own rejections and other errors do not.
   */
  observeError(error: unknown): void {
    if (error instanceof CircuitOpenError) return;
    if (error instanceof DependencyUnavailableError || isDependencyFailure(error)) this.recordFailure();
  }

  /** A request failed because PostgreSQL could not be reached. */
  recordFailure(): void {
    if (!this.breaker.recordFailure()) return;
    this.logger.warn(`PostgreSQL unreachable: circuit open, probing again in ${this.breaker.remainingOpenMs()} ms`);
    this.publish();
    this.scheduleProbe();
  }

  onModuleDestroy(): void {
    this.destroyed = true;
    if (this.probeTimer !== null) clearTimeout(this.probeTimer);
    this.probeTimer = null;
  }

  private scheduleProbe(): void {
    if (this.destroyed) return;
    if (this.probeTimer !== null) clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      void this.probe();
    }, this.breaker.remainingOpenMs() + 1);
    this.probeTimer.unref();
  }

  private async probe(): Promise<void> {
    if (this.destroyed) return;
    if (!this.breaker.tryStartProbe()) {
      // Timers and the wall clock disagree by a millisecond or two: a timer that fired before the
      // opening ended must try again, or the circuit would stay open with nobody left to probe.
      if (this.breaker.state === 'open') this.scheduleProbe();
      return;
    }
    this.publish();
    try {
      await this.state.ping(PROBE_TIMEOUT_MS);
      this.breaker.probeSucceeded();
      this.logger.log('PostgreSQL answers again: circuit closed');
    } catch (error: unknown) {
      this.breaker.probeFailed();
      this.logger.warn(
        `PostgreSQL still unreachable (${error instanceof Error ? error.message : String(error)}): ` +
          `next probe in ${this.breaker.remainingOpenMs()} ms`,
      );
      this.scheduleProbe();
    }
    this.publish();
  }

  private publish(): void {
    this.stateGauge.set(STATE_VALUE[this.breaker.state]);
  }
}
