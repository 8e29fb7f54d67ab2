import { Module, type DynamicModule } from '@nestjs/common';
import {
  AnalyticsRollupRepository,
  AuditQueryRepository,
  LeadershipRepository,
  ReconciliationRepository,
  ScheduleFiringRepository,
  SchedulingRepository,
  TenantUsageRepository,
  TierRepository,
  WorkerHealthRepository,
  WorkloadDependencyRepository,
} from '@niyanta/state';
import { AnalyticsRollupService } from './analytics/analytics-rollup.service';
import { AssignmentWatchdogService } from './assignment-watchdog.service';
import { AUDIT_RETENTION_METRIC_PROVIDER, AuditRetentionService } from './audit-retention.service';
import { ScheduleFiringService } from './schedule-firing.service';
import { HealthMonitorService } from './health-monitor.service';
import { HeartbeatReconcilerService, RECONCILE_ABORTS_METRIC_PROVIDER } from './heartbeat-reconciler.service';
import { LEADER_DUTIES, type LeaderDuty } from './leader-duty';
import { LeaderElectionService } from './leader-election.service';
import { LeaderMessages } from './leader-messages';
import { LEADER_METRIC_PROVIDERS, LeaderMetrics } from './leader-metrics';
import { SCHEDULER_METRIC_PROVIDERS, SchedulerMetrics } from './scheduler-metrics';
import { LEADER_OPTIONS, resolveLeaderOptions, type LeaderOptions } from './leader-options';
import { SchedulerService } from './scheduler.service';
import { TENANT_METRIC_PROVIDER, TenantMetricsService } from './tenant-metrics.service';

/**
 * The coordinator-leader feature: lease election with generation fencing, the event-driven
 * scheduler, the worker health monitor, the unacknowledged-assignment watchdog, audit retention and
 * the per-customer running gauge, and heartbeat reconciliation. Needs the global
 * `StateModule` (DataSource) and `BrokerModule` (Broker, Subjects); uses `ReadinessService` from
 * `ObservabilityModule` when present. Campaigning starts on application bootstrap; on shutdown the
 * leader stops its duties and releases the lease before the database and broker close.
 */
@Module({})
export class LeaderModule {
  /** @throws RangeError when `options` are inconsistent (e.g. renew interval above half the lease TTL) */
  static forRoot(options: LeaderOptions): DynamicModule {
    const resolved = resolveLeaderOptions(options);
    return {
      module: LeaderModule,
      providers: [
        { provide: LEADER_OPTIONS, useValue: resolved },
        LeadershipRepository,
        SchedulingRepository,
        WorkerHealthRepository,
        WorkloadDependencyRepository,
        ReconciliationRepository,
        TierRepository,
        AuditQueryRepository,
        TenantUsageRepository,
        ...LEADER_METRIC_PROVIDERS,
        ...SCHEDULER_METRIC_PROVIDERS,
        SchedulerMetrics,
        AUDIT_RETENTION_METRIC_PROVIDER,
        TENANT_METRIC_PROVIDER,
        RECONCILE_ABORTS_METRIC_PROVIDER,
        LeaderMetrics,
        LeaderMessages,
        SchedulerService,
        HealthMonitorService,
        AssignmentWatchdogService,
        HeartbeatReconcilerService,
        AuditRetentionService,
        TenantMetricsService,
        AnalyticsRollupRepository,
        AnalyticsRollupService,
        ScheduleFiringRepository,
        ScheduleFiringService,
        {
          provide: LEADER_DUTIES,
          // Order matters on taking office: the scheduler first, so the others can notify it.
          useFactory: (...duties: LeaderDuty[]): LeaderDuty[] => duties,
          inject: [
            SchedulerService,
            HealthMonitorService,
            AssignmentWatchdogService,
            HeartbeatReconcilerService,
            AuditRetentionService,
            TenantMetricsService,
            AnalyticsRollupService,
            ScheduleFiringService,
          ],
        },
        LeaderElectionService,
      ],
      exports: [LeaderElectionService, SchedulerService],
    };
  }
}
