/*
 * The public surface of the data-access layer: the module, data source and migration entry points,
 * the repositories, and the types their methods take and return. Entities, row mappers, column
 * lists and SQL helpers stay inside the lib; the planning types live in @niyanta/scheduling and
 * the attempt fence in @niyanta/models.
 */
export type { StateOptions } from './lib/state-options';
export { buildDataSource, createDataSource, ensureSchema } from './lib/data-source.factory';
export { listAppliedMigrations, revertAllMigrations, runMigrations } from './lib/migration-runner';
export { STATE_MIGRATIONS } from './migrations/state-migrations';
export { StateModule } from './lib/state.module';
export type { StateModuleOptions } from './lib/state.module';
export { StateHealth } from './lib/state-health.service';
export { startEmbeddedPostgres } from './lib/embedded/embedded-postgres.launcher';
export type { EmbeddedPostgres, EmbeddedPostgresOptions } from './lib/embedded/embedded-postgres.launcher';
export { AuditRepository } from './lib/repositories/audit.repository';
export type { AuditActor, AuditActorKind, AuditEvent, AuditEventInput } from './lib/repositories/audit.repository';
export { ExecutionRepository } from './lib/repositories/execution.repository';
export type { ExecutionStart, FailureOptions, FailureRecord, ReleaseRecord } from './lib/repositories/execution.repository';
export { CheckpointRepository } from './lib/repositories/checkpoint.repository';
export type { DroppedCheckpointObject, NewCheckpoint, SaveCheckpointOptions, SavedCheckpoint, StoredCheckpoint } from './lib/repositories/checkpoint.repository';
export { WorkerRegistryRepository } from './lib/repositories/worker-registry.repository';
export type { HeartbeatResult, RegistrationResult, ReleasedWorkload, WorkerRegistration, WorkloadTypeRegistration } from './lib/repositories/worker-registry.repository';
export { LeadershipRepository, LeaseLostError } from './lib/repositories/leadership.repository';
export type { LeaderFence, LeaderLease, LeaseGrant } from './lib/repositories/leadership.repository';
export { SchedulingRepository } from './lib/repositories/scheduling.repository';
export type { LeaderWorkloadChange, ScheduledWorkload, UnacknowledgedAssignment } from './lib/repositories/scheduling.repository';
export { WorkerHealthRepository } from './lib/repositories/worker-health.repository';
export type { DeadWorker, WorkerSweepResult } from './lib/repositories/worker-health.repository';
export { WorkloadSubmissionRepository } from './lib/repositories/workload-submission.repository';
export type { NewWorkload, SubmissionResult } from './lib/repositories/workload-submission.repository';
export { WorkloadQueryRepository } from './lib/repositories/workload-query.repository';
export type { WorkloadListPosition, WorkloadListQuery, WorkloadListSize, WorkloadPage } from './lib/repositories/workload-query.repository';
export { WorkloadCommandRepository } from './lib/repositories/workload-command.repository';
export type { CommandOutcome } from './lib/repositories/workload-command.repository';
export { FleetQueryRepository } from './lib/repositories/fleet-query.repository';
export { CustomerRepository } from './lib/repositories/customer.repository';
export { ApiKeyRepository } from './lib/repositories/api-key.repository';
export type { NewApiKey } from './lib/repositories/api-key.repository';
export { WorkloadStreamRepository } from './lib/repositories/workload-stream.repository';
export type { WorkloadStateQuery, WorkloadStateSnapshot, WorkloadStateSummary } from './lib/repositories/workload-stream.repository';
export { TierRepository } from './lib/repositories/tier.repository';
export type { StoredTier } from './lib/repositories/tier.repository';
export { RateLimitRepository } from './lib/repositories/rate-limit.repository';
export type { RateLimitDecision } from './lib/repositories/rate-limit.repository';
export { WorkloadConfigRepository } from './lib/repositories/workload-config.repository';
export type { WorkloadConfigChanges } from './lib/repositories/workload-config.repository';
export { AuditQueryRepository } from './lib/repositories/audit-query.repository';
export type { AuditPage, AuditSearch } from './lib/repositories/audit-query.repository';
export { TenantUsageRepository } from './lib/repositories/tenant-usage.repository';
export type { CustomerUsage } from './lib/repositories/tenant-usage.repository';
export { WorkerDrainRepository } from './lib/repositories/worker-drain.repository';
export type { DrainRequestOutcome } from './lib/repositories/worker-drain.repository';
export { ReconciliationRepository } from './lib/repositories/reconciliation.repository';
export { AnalyticsRollupRepository, ROLLUP_RETENTION_MS, WORKER_ROLLUP_RETENTION_MS } from './lib/analytics/analytics-rollup.repository';
export type { RollupOptions, RollupResolution, RollupResult } from './lib/analytics/analytics-rollup.repository';
export { AnalyticsQueryRepository, EXPORT_COLUMNS } from './lib/analytics/analytics-query.repository';
export type { ExportFormat, ExportQuery, SummaryDimension, SummaryQuery, SummaryRow, WorkerUtilizationRow } from './lib/analytics/analytics-query.repository';
export { LATENCY_BUCKETS_MS } from './lib/analytics/latency-histogram';
