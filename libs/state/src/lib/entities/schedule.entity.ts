import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique, UpdateDateColumn } from 'typeorm';
import { CustomerEntity } from './customer.entity';

/**
 * A cron schedule (SPEC §8): the leader creates its `workload` at every tick. `next_run_at` is the
 * next due tick (null while the expression never fires again). The DESC column of the list index
 * exists only in the migration (TypeORM's index metadata has no sort order).
 */
@Entity({ name: 'schedules' })
@Unique('uq_schedules_customer_name', ['customerId', 'name'])
@Check('chk_schedules_overlap', `"overlap" IN ('skip', 'allow', 'cancel_previous')`)
@Index('idx_schedules_due', ['nextRunAt'], { where: `NOT "paused" AND "next_run_at" IS NOT NULL` })
@Index('idx_schedules_customer_created', ['customerId', 'createdAt', 'id'])
export class ScheduleEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_schedules' })
  id!: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId!: string;

  @ManyToOne(() => CustomerEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_schedules_customer' })
  customer?: CustomerEntity;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  cron!: string;

  @Column({ type: 'text' })
  timezone!: string;

  /** The submit body of the workload each tick creates. */
  @Column({ type: 'jsonb' })
  workload!: Record<string, unknown>;

  @Column({ type: 'text' })
  overlap!: string;

  @Column({ type: 'boolean', default: false })
  paused!: boolean;

  @Column({ name: 'next_run_at', type: 'timestamptz', nullable: true })
  nextRunAt!: Date | null;

  @Column({ name: 'last_tick_at', type: 'timestamptz', nullable: true })
  lastTickAt!: Date | null;

  @Column({ name: 'last_workload_id', type: 'uuid', nullable: true })
  lastWorkloadId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
