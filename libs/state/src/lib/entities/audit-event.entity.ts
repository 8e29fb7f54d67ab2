import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Who did something: a customer's key, the operator, a worker or the coordinator. */
export type AuditActorType = 'customer' | 'admin' | 'worker' | 'coordinator' | 'anonymous';

/**
 * An append-only record of a state change, an admin action or an auth failure. No foreign keys:
 * the trail outlives the workloads and customers it mentions.
 */
@Entity({ name: 'audit_events' })
@Index('idx_audit_events_workload', ['workloadId', 'id'])
@Index('idx_audit_events_customer_occurred', ['customerId', 'occurredAt'])
@Index('idx_audit_events_occurred', ['occurredAt'])
// Admin audit query by actor, newest first.
@Index('idx_audit_events_actor', ['actorType', 'actorId', 'id'])
// Makes replaying an event from a process's local outbox harmless when it was already written.
@Index('uq_audit_events_event_id', ['eventId'], { unique: true, where: `"event_id" IS NOT NULL` })
export class AuditEventEntity {
  /** bigserial; `pg` returns bigint as a string, kept as such to stay exact. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'pk_audit_events' })
  id!: string;

  @CreateDateColumn({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'customer_id', type: 'uuid', nullable: true })
  customerId!: string | null;

  @Column({ name: 'workload_id', type: 'uuid', nullable: true })
  workloadId!: string | null;

  @Column({ name: 'actor_type', type: 'text' })
  actorType!: AuditActorType;

  @Column({ name: 'actor_id', type: 'text', nullable: true })
  actorId!: string | null;

  /** The API key used, when the actor is a customer. */
  @Column({ name: 'key_id', type: 'uuid', nullable: true })
  keyId!: string | null;

  /** Dotted verb, e.g. `workload.submitted`, `auth.failed`. */
  @Column({ type: 'text' })
  action!: string;

  /** JSON snapshot; `unknown` rather than `JsonValue`, see `WorkloadEntity.input`. */
  @Column({ type: 'jsonb', nullable: true })
  before!: unknown;

  @Column({ type: 'jsonb', nullable: true })
  after!: unknown;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  details!: unknown;

  /**
   * Set by the writer of an event that goes with no transaction (`auth.failed`), which may write it
   * more than once (a replay after a crash); null for the rest.
   */
  @Column({ name: 'event_id', type: 'uuid', nullable: true })
  eventId!: string | null;
}
