import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from '../bigint.transformer';

/**
 * Workload counters and latency histograms of one time bucket (SPEC §9), per customer, type, tier
 * and status, kept by the leader's analytics rollup from the audit trail (never by the request
 * paths). `resolution` is `minute`, `hour` or `day`; each resolution holds the same facts, so a
 * summary reads only the rows of the bucket size asked for.
 *
 * Rows with status `PENDING` carry `submitted` and `retried`; rows with a terminal status carry
 * `finished` and the histograms of the workloads that ended so.
 */
@Entity({ name: 'analytics_rollups' })
@Index('idx_analytics_rollups_customer', ['customerId', 'resolution', 'bucketStart'])
export class AnalyticsRollupEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_analytics_rollups' })
  resolution!: string;

  @PrimaryColumn({ name: 'bucket_start', type: 'timestamptz', primaryKeyConstraintName: 'pk_analytics_rollups' })
  bucketStart!: Date;

  @PrimaryColumn({ name: 'customer_id', type: 'uuid', primaryKeyConstraintName: 'pk_analytics_rollups' })
  customerId!: string;

  @PrimaryColumn({ name: 'workload_type', type: 'text', primaryKeyConstraintName: 'pk_analytics_rollups' })
  workloadType!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_analytics_rollups' })
  tier!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_analytics_rollups' })
  status!: string;

  @Column({ type: 'integer', default: 0 })
  submitted!: number;

  @Column({ type: 'integer', default: 0 })
  retried!: number;

  @Column({ type: 'integer', default: 0 })
  finished!: number;

  /** Counts of submitted → running times per bucket of `LATENCY_BUCKETS_MS`. */
  @Column({ name: 'wait_hist', type: 'integer', array: true })
  waitHist!: number[];

  /** Counts of running → completed times per bucket of `LATENCY_BUCKETS_MS`. */
  @Column({ name: 'run_hist', type: 'integer', array: true })
  runHist!: number[];
}

/**
 * The counters and histograms of {@link AnalyticsRollupEntity} summed over every customer: what an
 * operator's summary reads when it neither filters nor groups by customer, one row per bucket,
 * type, tier and status. Kept by the same rollup statement, in the same transaction.
 */
@Entity({ name: 'analytics_operator_rollups' })
export class AnalyticsOperatorRollupEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_analytics_operator_rollups' })
  resolution!: string;

  @PrimaryColumn({ name: 'bucket_start', type: 'timestamptz', primaryKeyConstraintName: 'pk_analytics_operator_rollups' })
  bucketStart!: Date;

  @PrimaryColumn({ name: 'workload_type', type: 'text', primaryKeyConstraintName: 'pk_analytics_operator_rollups' })
  workloadType!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_analytics_operator_rollups' })
  tier!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_analytics_operator_rollups' })
  status!: string;

  @Column({ type: 'integer', default: 0 })
  submitted!: number;

  @Column({ type: 'integer', default: 0 })
  retried!: number;

  @Column({ type: 'integer', default: 0 })
  finished!: number;

  @Column({ name: 'wait_hist', type: 'integer', array: true })
  waitHist!: number[];

  @Column({ name: 'run_hist', type: 'integer', array: true })
  runHist!: number[];
}

/** Busy time (ms) of the workloads of one customer on one worker within one UTC hour. */
@Entity({ name: 'analytics_worker_rollups' })
export class AnalyticsWorkerRollupEntity {
  @PrimaryColumn({ name: 'bucket_start', type: 'timestamptz', primaryKeyConstraintName: 'pk_analytics_worker_rollups' })
  bucketStart!: Date;

  @PrimaryColumn({ name: 'worker_id', type: 'text', primaryKeyConstraintName: 'pk_analytics_worker_rollups' })
  workerId!: string;

  @PrimaryColumn({ name: 'customer_id', type: 'uuid', primaryKeyConstraintName: 'pk_analytics_worker_rollups' })
  customerId!: string;

  @Column({ type: 'text', nullable: true })
  region!: string | null;

  @Column({ name: 'busy_ms', type: 'bigint', default: 0, transformer: bigintToNumber })
  busyMs!: number;
}

/** How far into the audit trail (by event id) a rollup has aggregated. */
@Entity({ name: 'analytics_watermarks' })
export class AnalyticsWatermarkEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_analytics_watermarks' })
  name!: string;

  @Column({ name: 'last_event_id', type: 'bigint', default: 0, transformer: bigintToNumber })
  lastEventId!: number;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
