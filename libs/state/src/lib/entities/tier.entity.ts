import { TIER_LIMIT_DEFAULTS } from '@niyanta/models';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A customer tier (SPEC §4): request rate and burst, running limit, scheduling weight and highest
 * priority. Kept in the database so every API replica and the leader agree on one definition;
 * seeded with `DEFAULT_TIERS` and edited through the admin API.
 */
@Entity({ name: 'tiers' })
export class TierEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_tiers' })
  name!: string;

  /** Sustained requests per second (token bucket refill). */
  @Column({ name: 'requests_per_second', type: 'double precision' })
  requestsPerSecond!: number;

  /** Bucket size: requests that may arrive at once. */
  @Column({ type: 'integer' })
  burst!: number;

  /** Workloads of one customer that may be SCHEDULED, RUNNING or PAUSING at once. */
  @Column({ name: 'max_running', type: 'integer' })
  maxRunning!: number;

  @Column({ name: 'scheduling_weight', type: 'integer' })
  schedulingWeight!: number;

  @Column({ name: 'max_priority', type: 'integer' })
  maxPriority!: number;

  /** Workloads of one customer that may wait (PENDING or PAUSED) at once. */
  @Column({ name: 'max_pending', type: 'integer', default: TIER_LIMIT_DEFAULTS.maxPending })
  maxPending!: number;

  /** Largest share of the fleet's live slots one customer may hold. */
  @Column({ name: 'max_fleet_share', type: 'double precision', default: TIER_LIMIT_DEFAULTS.maxFleetShare })
  maxFleetShare!: number;

  /** Schedules one customer may keep. */
  @Column({ name: 'max_schedules', type: 'integer', default: 100 })
  maxSchedules!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
