import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { WorkloadEntity } from './workload.entity';

/** Where a checkpoint's bytes live: in the row, or in an object store under `object_key`. */
export type CheckpointStorage = 'inline' | 'filesystem' | 's3';

/** One saved state of a workload; sequences increase per workload. */
@Entity({ name: 'checkpoints' })
@Index('uq_checkpoints_workload_sequence', ['workloadId', 'sequence'], { unique: true })
export class CheckpointEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_checkpoints' })
  id!: string;

  @Column({ name: 'workload_id', type: 'uuid' })
  workloadId!: string;

  @ManyToOne(() => WorkloadEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workload_id', foreignKeyConstraintName: 'fk_checkpoints_workload' })
  workload?: WorkloadEntity;

  /** The attempt that wrote it. */
  @Column({ type: 'integer' })
  attempt!: number;

  @Column({ type: 'integer' })
  sequence!: number;

  /** Size of the encoded state before compression. */
  @Column({ name: 'size_bytes', type: 'integer' })
  sizeBytes!: number;

  /** Size actually stored (after compression). */
  @Column({ name: 'stored_bytes', type: 'integer' })
  storedBytes!: number;

  /** Codec id and version, e.g. `json+gzip/v1`. */
  @Column({ type: 'text' })
  codec!: string;

  /** Hex SHA-256 of the stored bytes. */
  @Column({ name: 'content_hash', type: 'text' })
  contentHash!: string;

  @Column({ type: 'text', default: 'inline' })
  storage!: CheckpointStorage;

  /** The bytes when `storage` is `inline`. */
  @Column({ type: 'bytea', nullable: true })
  data!: Buffer | null;

  /** The object's key when stored outside PostgreSQL. */
  @Column({ name: 'object_key', type: 'text', nullable: true })
  objectKey!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
