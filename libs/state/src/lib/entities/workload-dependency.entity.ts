import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { WorkloadEntity } from './workload.entity';

/**
 * One edge of a dependency graph (SPEC §8): `workload_id` waits for `parent_id` to complete. Edges
 * live in their own table so a workload without dependencies costs nothing here. The primary key
 * leads with the parent: what a parent's end looks up is its children.
 */
@Entity({ name: 'workload_dependencies' })
@Index('idx_workload_dependencies_workload', ['workloadId'])
export class WorkloadDependencyEntity {
  @PrimaryColumn({ name: 'parent_id', type: 'uuid', primaryKeyConstraintName: 'pk_workload_dependencies' })
  parentId!: string;

  @PrimaryColumn({ name: 'workload_id', type: 'uuid', primaryKeyConstraintName: 'pk_workload_dependencies' })
  workloadId!: string;

  @ManyToOne(() => WorkloadEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'parent_id', foreignKeyConstraintName: 'fk_workload_dependencies_parent' })
  parent?: WorkloadEntity;

  @ManyToOne(() => WorkloadEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workload_id', foreignKeyConstraintName: 'fk_workload_dependencies_workload' })
  workload?: WorkloadEntity;

  /** The `ref` the child named the parent by in its batch (null when named by id): a key of `ctx.parents`. */
  @Column({ name: 'parent_ref', type: 'text', nullable: true })
  parentRef!: string | null;
}
