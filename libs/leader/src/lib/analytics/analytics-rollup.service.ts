import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { AnalyticsRollupRepository } from '@niyanta/state';
import type { LeaderTerm } from '../leader-duty';
import { LEADER_OPTIONS, type ResolvedLeaderOptions } from '../leader-options';
import { PeriodicDuty } from '../periodic-duty';

/** Tuning of {@link AnalyticsRollupService}; every field has a default. */
export interface AnalyticsRollupOptions {
  /**
   * Milliseconds between rollup rounds (how stale analytics may be).
   * @default 5000
   */
  intervalMs?: number;
  /**
   * Most audit events one round's statement aggregates; a full batch runs the next round at once.
   * @default 50000
   */
  batchSize?: number;
  /**
   * Events of transactions begun less than this long ago wait for a later round (see
   * `RollupOptions.settleMs`).
   * @default 5000
   */
  settleMs?: number;
  /**
   * Milliseconds between deletions of rollups past retention.
   * @default 3600000
   */
  pruneIntervalMs?: number;
}

/** Nest token of the optional {@link AnalyticsRollupOptions}. */
export const ANALYTICS_ROLLUP_OPTIONS = Symbol('ANALYTICS_ROLLUP_OPTIONS');

/**
 * Keeps the analytics rollups current (SPEC §9): every interval, one set-based statement aggregates
 * the workloads' audit events since the watermark (submissions, retries, outcomes, latencies, busy
 * time) into minute, hour and day rollups; now and then it deletes rollups past retention. It adds
 * nothing to the submit, schedule or run paths: it reads what they already write.
 */
@Injectable()
export class AnalyticsRollupService extends PeriodicDuty {
  readonly name = 'analytics-rollup';
  protected readonly logger = new Logger(AnalyticsRollupService.name);
  private readonly options: Required<AnalyticsRollupOptions>;
  private lastPruneAt = 0;

  constructor(
    @Inject(LEADER_OPTIONS) leader: ResolvedLeaderOptions,
    private readonly rollups: AnalyticsRollupRepository,
    @Optional() @Inject(ANALYTICS_ROLLUP_OPTIONS) options: AnalyticsRollupOptions | null,
  ) {
    super({ baseMs: leader.retryBaseDelayMs, maxMs: leader.retryMaxDelayMs });
    this.options = {
      intervalMs: options?.intervalMs ?? 5_000,
      batchSize: options?.batchSize ?? 50_000,
      settleMs: options?.settleMs ?? 5_000,
      pruneIntervalMs: options?.pruneIntervalMs ?? 3_600_000,
    };
  }

  protected intervalMs(): number {
    return this.options.intervalMs;
  }

  protected async round(_term: LeaderTerm): Promise<boolean> {
    const { events } = await this.rollups.rollUp({ batchSize: this.options.batchSize, settleMs: this.options.settleMs });
    if (Date.now() - this.lastPruneAt >= this.options.pruneIntervalMs) {
      this.lastPruneAt = Date.now();
      const removed = await this.rollups.prune();
      if (removed > 0) this.logger.log(`deleted ${removed} analytics rollups past retention`);
    }
    return events >= this.options.batchSize;
  }
}
