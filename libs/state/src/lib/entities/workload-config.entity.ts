import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Defaults of one workload type; a submission of a type without a row is rejected. */
@Entity({ name: 'workload_configs' })
export class WorkloadConfigEntity {
  @PrimaryColumn({ name: 'workload_type', type: 'text', primaryKeyConstraintName: 'pk_workload_configs' })
  workloadType!: string;

  @Column({ name: 'default_priority', type: 'integer' })
  defaultPriority!: number;

  @Column({ name: 'max_retries', type: 'integer' })
  maxRetries!: number;

  /** Null: no limit. */
  @Column({ name: 'timeout_seconds', type: 'integer', nullable: true })
  timeoutSeconds!: number | null;

  /** Null: no time-based checkpoints. */
  @Column({ name: 'checkpoint_interval_seconds', type: 'integer', nullable: true })
  checkpointIntervalSeconds!: number | null;

  /** Fraction of progress (0–1) between checkpoints; null: none. */
  @Column({ name: 'checkpoint_progress_step', type: 'double precision', nullable: true })
  checkpointProgressStep!: number | null;

  /** Most workloads of this type occupying slots at once across the fleet; null: no cap. */
  @Column({ name: 'max_concurrent', type: 'integer', nullable: true })
  maxConcurrent!: number | null;

  /** JSON Schema of the input as the newest registering worker declared it; null: any object. */
  @Column({ name: 'input_schema', type: 'jsonb', nullable: true })
  inputSchema!: Record<string, unknown> | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
