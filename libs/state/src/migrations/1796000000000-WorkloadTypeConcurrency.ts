import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An optional cap on how many workloads of one type may occupy worker slots at once, across the
 * fleet (`workload_configs.max_concurrent`; null: no cap). The leader's scheduler enforces it.
 */
export class WorkloadTypeConcurrency1796000000000 implements MigrationInterface {
  name = 'WorkloadTypeConcurrency1796000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workload_configs" ADD "max_concurrent" integer`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workload_configs" DROP COLUMN "max_concurrent"`);
  }
}
