import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ReadinessService } from '@niyanta/observability';
import { LeadershipRepository, type LeaderFence } from '@niyanta/state';
import { performance } from 'node:perf_hooks';
import { LEADER_DUTIES, LeaderDuty, type LeaderTerm } from './leader-duty';
import { LeaderMetrics } from './leader-metrics';
import { LEADER_OPTIONS, type ResolvedLeaderOptions } from './leader-options';

/** This replica's standing, as reported in readiness details (`leader`). */
export interface LeadershipStatus {
  id: string;
  is_leader: boolean;
  generation: number | null;
}

interface ActiveTerm {
  fence: LeaderFence;
  controller: AbortController;
  /** Monotonic ms after which the lease may have lapsed in the database without us knowing. */
  deadline: number;
  timer: NodeJS.Timeout | null;
}

/**
 * Leader election over the `coordinator_state` lease (SPEC §5). While a standby, it tries to take
 * the lease every renew interval (or right when the holder's lease runs out); once leader, it renews
 * every interval and runs the {@link LeaderDuty}s. A renewal that fails, errors or does not come back
 * before the lease could have lapsed makes it step down at once: duties stopped, state cleared. On
 * shutdown it releases the lease so a standby takes over without waiting for it to expire.
 */
@Injectable()
export class LeaderElectionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LeaderElectionService.name);
  private term: ActiveTerm | null = null;
  private lastGeneration: number | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private interruptSleep: (() => void) | null = null;
  private stepping: Promise<void> = Promise.resolve();

  constructor(
    @Inject(LEADER_OPTIONS) private readonly options: ResolvedLeaderOptions,
    private readonly leases: LeadershipRepository,
    @Inject(LEADER_DUTIES) private readonly duties: LeaderDuty[],
    private readonly metrics: LeaderMetrics,
    @Optional() private readonly readiness?: ReadinessService,
  ) {
    this.metrics.isLeader.set(0);
    this.publishStatus();
  }

  /** True while this replica holds the lease (as far as it knows). */
  get isLeader(): boolean {
    return this.term !== null;
  }

  /** The fence of the current term, or null when not leading. */
  get fence(): LeaderFence | null {
    return this.term?.fence ?? null;
  }

  status(): LeadershipStatus {
    return {
      id: this.options.leaderId,
      is_leader: this.term !== null,
      generation: this.term?.fence.generation ?? this.lastGeneration,
    };
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Starts campaigning (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops campaigning, steps down if leading, and releases the lease. */
  async stop(): Promise<void> {
    this.running = false;
    this.interruptSleep?.();
    await this.loop;
    this.loop = null;
    await this.stepDown('shutting down');
  }

  private async run(): Promise<void> {
    while (this.running) {
      let delay = this.options.leaseRenewIntervalMs;
      try {
        delay = this.term ? await this.renew(this.term) : await this.campaign();
      } catch (error: unknown) {
        if (this.term) {
          void this.stepDown(`lease renewal failed: ${describe(error)}`);
        } else {
          this.logger.warn(`leader election round failed: ${describe(error)}`);
        }
      }
      if (this.running) await this.sleep(delay);
    }
  }

  /** One attempt to take the lease; returns how long to wait before the next round. */
  private async campaign(): Promise<number> {
    await this.stepping;
    const requestedAt = performance.now();
    const grant = await timed(
      this.leases.tryAcquire(this.options.leaderId, this.options.leaseTtlMs),
      this.options.leaseTtlMs,
      'taking the lease',
    );
    if (grant) {
      if (!this.running) {
        // Shut down while the request was in flight: hand the lease straight back.
        await this.leases.release({ leaderId: this.options.leaderId, generation: grant.generation });
        return 0;
      }
      await this.takeOffice({ leaderId: this.options.leaderId, generation: grant.generation }, requestedAt);
      return this.options.leaseRenewIntervalMs;
    }
    const lease = await timed(this.leases.read(), this.options.leaseTtlMs, 'reading the lease');
    // Wake up right when the holder's lease runs out rather than up to a whole interval later.
    const interval = this.options.leaseRenewIntervalMs;
    return Math.max(5, lease?.held ? Math.min(interval, lease.remainingMs + 5) : interval);
  }

  private async renew(term: ActiveTerm): Promise<number> {
    const requestedAt = performance.now();
    // A renewal still pending at the deadline is worthless: give up on it then, step down, move on.
    const grant = await timed(
      this.leases.renew(term.fence, this.options.leaseTtlMs),
      Math.max(0, term.deadline - requestedAt),
      'renewing the lease',
    );
    if (this.term !== term) return this.options.leaseRenewIntervalMs;
    if (!grant) {
      await this.stepDown(`lease of generation ${term.fence.generation} lost`);
      return this.options.leaseRenewIntervalMs;
    }
    this.armDeadline(term, requestedAt);
    return this.options.leaseRenewIntervalMs;
  }

  private async takeOffice(fence: LeaderFence, requestedAt: number): Promise<void> {
    const term: ActiveTerm = { fence, controller: new AbortController(), deadline: 0, timer: null };
    this.term = term;
    this.lastGeneration = fence.generation;
    this.armDeadline(term, requestedAt);
    this.metrics.isLeader.set(1);
    this.metrics.generation.set(fence.generation);
    this.publishStatus();
    this.logger.log(`elected leader ${fence.leaderId} with generation ${fence.generation}`);
    const view: LeaderTerm = {
      fence,
      signal: term.controller.signal,
      leaseLost: (cause) => {
        if (this.term === term) void this.stepDown(`a fenced write found the lease lost: ${describe(cause)}`);
      },
    };
    for (const duty of this.duties) {
      if (this.term !== term) return;
      try {
        await duty.start(view);
      } catch (error: unknown) {
        await this.stepDown(`${duty.name} failed to start: ${describe(error)}`);
        return;
      }
    }
  }

  /**
   * Steps down once the lease could have lapsed: `requestedAt` (taken before the request was sent)
   * plus the TTL is no later than the database's expiry, less a margin for timer lateness and drift.
   */
  private armDeadline(term: ActiveTerm, requestedAt: number): void {
    term.deadline = requestedAt + this.options.leaseTtlMs * 0.9;
    if (term.timer !== null) clearTimeout(term.timer);
    term.timer = setTimeout(
      () => {
        if (this.term === term) void this.stepDown('lease not renewed before it could lapse');
      },
      Math.max(0, term.deadline - performance.now()),
    );
  }

  /**
   * Leaves office: the term is cleared at once (so nothing new starts under it), then the duties
   * are stopped and the lease released (fenced, so harmless when it is already gone).
   */
  private stepDown(reason: string): Promise<void> {
    const term = this.term;
    if (!term) return this.stepping;
    this.term = null;
    if (term.timer !== null) clearTimeout(term.timer);
    term.controller.abort();
    this.metrics.isLeader.set(0);
    this.publishStatus();
    const log = reason === 'shutting down' ? 'log' : 'warn';
    this.logger[log](`stepping down from generation ${term.fence.generation}: ${reason}`);
    this.stepping = this.stepping.then(async () => {
      const results = await Promise.allSettled(this.duties.map((duty) => duty.stop()));
      results.forEach((result, index) => {
        if (result.status === 'rejected') {
          this.logger.error(`${this.duties[index]?.name ?? 'duty'} did not stop cleanly: ${describe(result.reason)}`);
        }
      });
      try {
        if (await timed(this.leases.release(term.fence), this.options.leaseTtlMs, 'releasing the lease')) {
          this.logger.log(`released the lease of generation ${term.fence.generation}`);
        }
      } catch (error: unknown) {
        this.logger.warn(`could not release the lease (it will expire): ${describe(error)}`);
      }
    });
    return this.stepping;
  }

  private publishStatus(): void {
    this.readiness?.setDetails('leader', this.status());
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.interruptSleep = done;
    });
  }
}

/** `promise`, or a rejection after `ms` (the operation itself is not cancelled, only no longer awaited). */
function timed<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${Math.round(ms)} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
