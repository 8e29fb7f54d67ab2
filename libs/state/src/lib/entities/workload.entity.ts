import type { AffinityRules, CheckpointPolicy, WorkloadError, WorkloadStatus } from '@niyanta/models';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { CustomerEntity } from './customer.entity';
import { ACTIVE_STATUS_SQL } from '../repositories/status-sql';

/**
 * A submitted workload. Column order in the migration follows this class.
 *
 * Index notes: TypeORM's index metadata has no per-column sort order, so the DESC columns of the
 * pending-queue and list indexes exist only in the migration (the schema diff compares names,
 * uniqueness, type and columns, which agree).
 */
@Entity({ name: 'workloads' })
// Scheduler pending queue: highest priority first, then oldest.
@Index('idx_workloads_pending', ['priority', 'createdAt'], { where: `"status" = 'PENDING'` })
// List pagination, newest first, keyset on (created_at, id).
@Index('idx_workloads_customer_created', ['customerId', 'createdAt', 'id'])
@Index('idx_workloads_customer_status_created', ['customerId', 'status', 'createdAt'])
// What a worker holds; used when it dies or drains.
@Index('idx_workloads_worker_active', ['workerId'], {
  where: `"status" IN (${ACTIVE_STATUS_SQL})`,
})
@Index('uq_workloads_customer_idempotency', ['customerId', 'idempotencyKey'], {
  unique: true,
  where: `"idempotency_key" IS NOT NULL`,
})
@Index('idx_workloads_labels', ['labels'], { type: 'gin' })
// Dependents still waiting for a parent: what the leader's dependency sweep walks (dependents only).
@Index('idx_workloads_waiting_parents', ['customerId'], { where: `"waiting_parents" > 0` })
// A schedule's last runs; partial, so workloads submitted directly add no index entry.
@Index('idx_workloads_schedule_created', ['scheduleId', 'createdAt'], { where: `"schedule_id" IS NOT NULL` })
export class WorkloadEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_workloads' })
  id!: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId!: string;

  @ManyToOne(() => CustomerEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_workloads_customer' })
  customer?: CustomerEntity;

  @Column({ name: 'workload_type', type: 'text' })
  workloadType!: string;

  @Column({ type: 'text', default: 'PENDING' })
  status!: WorkloadStatus;

  /** 0–1000, higher first. */
  @Column({ type: 'integer' })
  priority!: number;

  /**
   * A JSON object (`JsonObject` in the domain). jsonb columns holding arbitrary JSON are typed
   * `unknown`-based because TypeORM's deep-partial and where types recurse without bound on the
   * recursive `JsonValue` type (TS2589); mappers narrow them.
   */
  @Column({ type: 'jsonb', default: () => `'{}'` })
  input!: Record<string, unknown>;

  /** Any JSON value (`JsonValue` in the domain); null until completed. */
  @Column({ type: 'jsonb', nullable: true })
  output!: unknown;

  @Column({ type: 'jsonb', nullable: true })
  error!: WorkloadError | null;

  /** 0.0–1.0. */
  @Column({ type: 'double precision', default: 0 })
  progress!: number;

  @Column({ name: 'progress_message', type: 'text', nullable: true })
  progressMessage!: string | null;

  // Written in jsonb's canonical key order so the schema diff sees the stored default as equal.
  @Column({ type: 'jsonb', default: () => `'{"anti": {}, "required": {}, "preferred": {}}'` })
  affinity!: AffinityRules;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  labels!: Record<string, string>;

  /** Preferred region; null: any. */
  @Column({ type: 'text', nullable: true })
  region!: string | null;

  @Column({ name: 'max_retries', type: 'integer' })
  maxRetries!: number;

  /** 1 on the first run, +1 on every reassignment; worker writes are fenced by it. */
  @Column({ type: 'integer', default: 1 })
  attempt!: number;

  @Column({ name: 'failure_count', type: 'integer', default: 0 })
  failureCount!: number;

  @Column({ name: 'worker_id', type: 'text', nullable: true })
  workerId!: string | null;

  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey!: string | null;

  /** The schedule whose tick created it (its idempotency key names the tick); null when submitted directly. */
  @Column({ name: 'schedule_id', type: 'uuid', nullable: true })
  scheduleId!: string | null;

  /** Why the scheduler cannot place it (no worker has the type, tags never match, ...). */
  @Column({ name: 'pending_reason', type: 'text', nullable: true })
  pendingReason!: string | null;

  /** W3C `traceparent` of the submission's span (null: tracing was off). */
  @Column({ name: 'trace_context', type: 'text', nullable: true })
  traceContext!: string | null;

  @Column({ name: 'last_checkpoint_sequence', type: 'integer', nullable: true })
  lastCheckpointSequence!: number | null;

  @Column({ name: 'last_checkpoint_size_bytes', type: 'integer', nullable: true })
  lastCheckpointSizeBytes!: number | null;

  @Column({ name: 'last_checkpoint_at', type: 'timestamptz', nullable: true })
  lastCheckpointAt!: Date | null;

  @Column({ name: 'timeout_seconds', type: 'integer', nullable: true })
  timeoutSeconds!: number | null;

  /** Per-workload override of the type's policy; null: use the type's. */
  @Column({ name: 'checkpoint_policy', type: 'jsonb', nullable: true })
  checkpointPolicy!: CheckpointPolicy | null;

  /** Retry backoff: not schedulable before this instant; null: now. */
  @Column({ name: 'not_before', type: 'timestamptz', nullable: true })
  notBefore!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'scheduled_at', type: 'timestamptz', nullable: true })
  scheduledAt!: Date | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** Parents not completed yet (0 once all have); null: no dependencies. Skipped by the scheduler while above 0. */
  @Column({ name: 'waiting_parents', type: 'integer', nullable: true })
  waitingParents!: number | null;

  /** True once another workload depends on it; null otherwise (ending it then looks for no children). */
  @Column({ name: 'has_dependents', type: 'boolean', nullable: true })
  hasDependents!: boolean | null;
}
