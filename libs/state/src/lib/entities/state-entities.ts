import { AnalyticsOperatorRollupEntity, AnalyticsRollupEntity, AnalyticsWatermarkEntity, AnalyticsWorkerRollupEntity } from '../analytics/analytics-rollup.entity';
import { ApiKeyEntity } from './api-key.entity';
import { AuditEventEntity } from './audit-event.entity';
import { CheckpointEntity } from './checkpoint.entity';
import { CoordinatorStateEntity } from './coordinator-state.entity';
import { CustomerEntity } from './customer.entity';
import { RateLimitBucketEntity } from './rate-limit-bucket.entity';
import { TierEntity } from './tier.entity';
import { WorkerEntity } from './worker.entity';
import { WorkloadConfigEntity } from './workload-config.entity';
import { WorkloadEntity } from './workload.entity';

export { ApiKeyEntity, AuditEventEntity, CheckpointEntity, CoordinatorStateEntity, CustomerEntity };
export { WorkerEntity, WorkloadConfigEntity, WorkloadEntity };
export { RateLimitBucketEntity, TierEntity };
export { AnalyticsOperatorRollupEntity, AnalyticsRollupEntity, AnalyticsWatermarkEntity, AnalyticsWorkerRollupEntity };
export type { AuditActorType } from './audit-event.entity';
export type { CheckpointStorage } from './checkpoint.entity';
export type { CustomerStatus } from './customer.entity';

/** Every entity of the schema, in the order the data source registers them. */
export const STATE_ENTITIES = [
  CustomerEntity,
  ApiKeyEntity,
  WorkloadConfigEntity,
  WorkloadEntity,
  WorkerEntity,
  CheckpointEntity,
  AuditEventEntity,
  CoordinatorStateEntity,
  TierEntity,
  RateLimitBucketEntity,
  AnalyticsRollupEntity,
  AnalyticsOperatorRollupEntity,
  AnalyticsWorkerRollupEntity,
  AnalyticsWatermarkEntity,
] as const;
