import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** Whether a customer may use the API. */
export type CustomerStatus = 'active' | 'suspended';

/** A tenant: owns API keys and workloads; its tier sets rate, concurrency and scheduling weight. */
@Entity({ name: 'customers' })
export class CustomerEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_customers' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** A tier name from the configured tier table (not an enum: the set is configurable). */
  @Column({ type: 'text' })
  tier!: string;

  @Column({ type: 'text', default: 'active' })
  status!: CustomerStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
