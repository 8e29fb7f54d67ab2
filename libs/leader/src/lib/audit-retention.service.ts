import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditQueryRepository } from '@niyanta/state';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { LeaderTerm } from './leader-duty';
import { LEADER_OPTIONS, type ResolvedLeaderOptions } from './leader-options';
import { PeriodicDuty } from './periodic-duty';

/** Name of the counter of audit events removed by retention. */
export const AUDIT_EVENTS_DELETED_METRIC = 'niyanta_audit_events_deleted_total';

/** Nest provider of the retention counter. */
export const AUDIT_RETENTION_METRIC_PROVIDER = makeCounterProvider({
  name: AUDIT_EVENTS_DELETED_METRIC,
  help: 'Audit events deleted because they were older than AUDIT_RETENTION',
});

/**
 * The leader's audit retention (SPEC §4): every `auditRetentionIntervalMs` it deletes audit events
 * older than `auditRetentionMs`, `auditRetentionBatchSize` at a time (one short transaction each,
 * oldest first) until none is left. Only the leader runs it, so replicas do not race over the same
 * rows; the deletes are not fenced (a deposed leader finishing a batch deletes what was due anyway).
 */
@Injectable()
export class AuditRetentionService extends PeriodicDuty {
  readonly name = 'audit-retention';
  protected readonly logger = new Logger(AuditRetentionService.name);
  private deletedThisRun = 0;

  constructor(
    @Inject(LEADER_OPTIONS) private readonly options: ResolvedLeaderOptions,
    private readonly audit: AuditQueryRepository,
    @InjectMetric(AUDIT_EVENTS_DELETED_METRIC) private readonly deleted: Counter,
  ) {
    super({ baseMs: options.retryBaseDelayMs, maxMs: options.retryMaxDelayMs });
  }

  protected intervalMs(): number {
    return this.options.auditRetentionIntervalMs;
  }

  protected async round(_term: LeaderTerm): Promise<boolean> {
    const cutoff = new Date(Date.now() - this.options.auditRetentionMs);
    const batch = this.options.auditRetentionBatchSize;
    const count = await this.audit.deleteOlderThan(cutoff, batch);
    if (count > 0) this.deleted.inc(count);
    this.deletedThisRun += count;
    const more = count >= batch;
    if (!more && this.deletedThisRun > 0) {
      this.logger.log(`deleted ${this.deletedThisRun} audit events older than ${cutoff.toISOString()}`);
      this.deletedThisRun = 0;
    }
    return more;
  }
}
