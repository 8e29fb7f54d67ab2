import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Shared token-bucket state of one rate-limited key (a customer), kept as GCRA's theoretical
 * arrival time. The table is UNLOGGED (created so by its migration): it is rewritten on every API
 * request, and after a crash an emptied table only means full buckets.
 */
@Entity({ name: 'rate_limit_buckets' })
export class RateLimitBucketEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_rate_limit_buckets' })
  key!: string;

  /** Epoch milliseconds (database clock) at which the bucket is full again. */
  @Column({ name: 'tat_ms', type: 'double precision' })
  tatMs!: number;

  /** Whether the last request against the bucket was admitted. */
  @Column({ type: 'boolean', default: true })
  allowed!: boolean;
}
