import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from '../bigint.transformer';

/**
 * A named lease (`leader`). Each new holder increments `generation`; leader writes are fenced by it
 * so a deposed leader changes nothing.
 */
@Entity({ name: 'coordinator_state' })
export class CoordinatorStateEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_coordinator_state' })
  name!: string;

  @Column({ name: 'holder_id', type: 'text', nullable: true })
  holderId!: string | null;

  @Column({ type: 'bigint', default: 0, transformer: bigintToNumber })
  generation!: number;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
