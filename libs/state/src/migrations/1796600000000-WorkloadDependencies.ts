import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dependencies between workloads (SPEC §8). Edges get their own table; `workloads` gains two nullable
 * columns that stay NULL (and cost nothing: no default is written, no index entry made) for a
 * workload without dependencies:
 * - `waiting_parents`: how many parents have not completed yet (0 once all have). The scheduler
 *   skips a PENDING workload while it is above 0; a partial index holds only those.
 * - `has_dependents`: set on a parent when a child names it, so ending a workload looks for children
 *   only when there are some.
 */
export class WorkloadDependencies1796600000000 implements MigrationInterface {
  name = 'WorkloadDependencies1796600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workloads" ADD "waiting_parents" integer`);
    await queryRunner.query(`ALTER TABLE "workloads" ADD "has_dependents" boolean`);
    await queryRunner.query(
      `CREATE INDEX "idx_workloads_waiting_parents" ON "workloads" ("customer_id") WHERE "waiting_parents" > 0`,
    );
    await queryRunner.query(
      `CREATE TABLE "workload_dependencies" (
         "parent_id" uuid NOT NULL,
         "workload_id" uuid NOT NULL,
         "parent_ref" text,
         CONSTRAINT "pk_workload_dependencies" PRIMARY KEY ("parent_id", "workload_id"),
         CONSTRAINT "fk_workload_dependencies_parent" FOREIGN KEY ("parent_id") REFERENCES "workloads"("id") ON DELETE CASCADE,
         CONSTRAINT "fk_workload_dependencies_workload" FOREIGN KEY ("workload_id") REFERENCES "workloads"("id") ON DELETE CASCADE
       )`,
    );
    await queryRunner.query(`CREATE INDEX "idx_workload_dependencies_workload" ON "workload_dependencies" ("workload_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "workload_dependencies"`);
    await queryRunner.query(`DROP INDEX "idx_workloads_waiting_parents"`);
    await queryRunner.query(`ALTER TABLE "workloads" DROP COLUMN "has_dependents"`);
    await queryRunner.query(`ALTER TABLE "workloads" DROP COLUMN "waiting_parents"`);
  }
}
